"""Pseudonymous conversation ids: a keyed hash of channel and address."""

from __future__ import annotations

import hashlib
import hmac


def conversation_id(*, secret: str, channel: str, address: str) -> str:
    """Derive a stable id that cannot be turned back into a phone number or chat id."""
    message = f"{channel}:{address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]
