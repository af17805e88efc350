"""Real rasa-sdk trackers for action tests (the financial-demo pattern)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def make_tracker(
    text: str,
    intent: str = "ask_question",
    *,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    channel: str = "web",
    active_loop: str | None = None,
    earlier: list[str] | None = None,
) -> Tracker:
    """A tracker whose latest message is `text`, classified as `intent`, after the young
    person's `earlier` messages."""
    said = [*(earlier or []), text]
    return Tracker.from_dict(
        {
            "sender_id": "abc123",
            "slots": slots or {},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "entities": entities or [],
                "metadata": {"channel": channel},
            },
            "events": [{"event": "user", "text": t, "timestamp": None} for t in said],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )
