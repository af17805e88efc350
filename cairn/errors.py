"""Domain errors the app maps to HTTP once, with a JSON body."""

from __future__ import annotations


class CairnError(Exception):
    """Base for errors that become a clear JSON response."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class PayloadTooLarge(CairnError):
    """The message or body is over the limit."""

    status_code = 413


class Forbidden(CairnError):
    """Not allowed: an unsigned webhook, a forged form, the wrong role."""

    status_code = 403


class InvalidInput(CairnError):
    """Well-formed JSON that breaks a rule."""

    status_code = 422


class RateLimited(CairnError):
    """Too many messages from one sender."""

    status_code = 429

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after_s)}
