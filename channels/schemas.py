"""One message model for every channel: what came in, and what goes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Handoff = Literal["none", "waiting", "connected"]


@dataclass(frozen=True)
class Inbound:
    """A verified, normalised message from a young person."""

    channel: str
    address: str  # web session id, phone number or chat id: hashed, never stored
    text: str
    provider_id: str | None = None


@dataclass(frozen=True)
class Source:
    """A cited article."""

    title: str
    url: str
    last_reviewed: str


@dataclass(frozen=True)
class Button:
    """A quick reply: what is shown, and what is sent back when pressed."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One reply, before channel rendering."""

    text: str
    sources: list[Source] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """The outcome of one inbound message."""

    conversation_id: str
    replies: list[Reply]
    handoff: Handoff
    duplicate: bool = False
    rasa_ms: float = 0.0  # time spent in Rasa's turn, its actions included
    embed_ms: float = 0.0  # the message's one embedding, shared by Rasa and retrieval
