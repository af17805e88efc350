"""The one client that talks to the Rasa server: one round trip per message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


class RasaUnavailable(RuntimeError):
    """Rasa did not answer in time or answered with an error."""

    def __init__(self, reason: str, *, refused: bool = False) -> None:
        super().__init__(reason)
        self.refused = refused  # nothing listening: Rasa is (re)starting, not stuck


@dataclass(frozen=True)
class RasaTurn:
    """Rasa's replies and what it understood of the message."""

    messages: list[dict[str, Any]]
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    active_loop: str | None = None


class RasaClient:
    """Pooled HTTP client for Cairn's Rasa input channel (`bot/connector.py`)."""

    def __init__(self, base_url: str, *, timeout_s: float = 10.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s, connect=2.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    async def turn(
        self, *, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> RasaTurn:
        """Send one message; return the replies and the parse."""
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        try:
            response = await self._client.post("/webhooks/cairn/webhook", json=body)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            refused = isinstance(exc, httpx.ConnectError)
            raise RasaUnavailable(str(exc) or type(exc).__name__, refused=refused) from exc
        return RasaTurn(
            messages=list(body.get("messages") or []),
            intent=body.get("intent"),
            confidence=body.get("confidence"),
            entities=list(body.get("entities") or []),
            slots=dict(body.get("slots") or {}),
            active_loop=body.get("active_loop"),
        )

    async def ready(self) -> bool:
        """Whether Rasa is up with a model loaded."""
        try:
            response = await self._client.get("/webhooks/cairn/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        """Close pooled connections."""
        await self._client.aclose()
