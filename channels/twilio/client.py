"""Sending SMS through Twilio's Messages API (the only module, with api.py, that knows Twilio)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from anyio import to_thread
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client


class _RebasedHttpClient(TwilioHttpClient):
    """Send every request to TWILIO_API_BASE_URL's scheme and host (a loopback fake in tests)."""

    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=10)
        self._base = urlsplit(base_url)

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(url)
        rebased = urlunsplit((self._base.scheme, self._base.netloc, parts.path, parts.query, ""))
        return super().request(
            method, rebased, params, data, headers, auth, timeout, allow_redirects
        )


class TwilioSender:
    """Delivers one outbox message as one SMS."""

    def __init__(
        self, *, account_sid: str, auth_token: str, from_number: str, base_url: str
    ) -> None:
        self._from = from_number
        self._client = Client(account_sid, auth_token, http_client=_RebasedHttpClient(base_url))

    async def send(self, address: str, body: dict[str, Any]) -> str:
        """Create the message; return Twilio's MessageSid."""
        message = await to_thread.run_sync(
            lambda: self._client.messages.create(to=address, from_=self._from, body=body["text"])
        )
        return str(message.sid)
