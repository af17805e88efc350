"""The reply payload actions hand to the service, which renders it for each channel."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

TALK_TO_PERSON = {"title": "Talk to a person", "payload": "/request_human"}


def send(
    dispatcher: CollectingDispatcher,
    text: str,
    *,
    sources: list[dict[str, str]] | None = None,
    buttons: list[dict[str, str]] | None = None,
    **meta: Any,
) -> None:
    """Utter one reply as custom JSON: text, sources, buttons and turn metadata."""
    dispatcher.utter_message(
        json_message={
            "text": text,
            "sources": sources or [],
            "buttons": buttons or [],
            "meta": meta,
        }
    )


def channel_of(tracker: Tracker) -> str:
    """The young person's channel, as the service told Rasa ("web", "sms", "telegram")."""
    metadata = tracker.latest_message.get("metadata") or {}
    return str(metadata.get("channel") or "web")
