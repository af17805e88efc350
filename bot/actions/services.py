"""Signpost local services (the directory arrives with the signposting issue)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.reply import TALK_TO_PERSON, send

NATIONAL = (
    "I can't search local services yet. For careers help anywhere in Scotland, call the "
    "My World of Work helpline on 0800 917 8000 or visit myworldofwork.co.uk, or ask me "
    "to get you a person."
)


class ActionFindServices(Action):
    """Point to national careers help until the local directory is in place."""

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_find_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Utter the national signposting message."""
        send(dispatcher, NATIONAL, buttons=[TALK_TO_PERSON], signposted="national")
        return []
