"""Hand the conversation to a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.reply import send

WAITING = (
    "OK, I've asked for a careers adviser to join this chat. An adviser will reply here as "
    "soon as one is free. You can keep asking me questions while you wait."
)


class ActionRequestHuman(Action):
    """Put the conversation in the queue for an adviser."""

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Tell the young person a person is coming and ask the service to open a case."""
        send(dispatcher, WAITING, handoff="waiting", reason="asked_for_person")
        return []
