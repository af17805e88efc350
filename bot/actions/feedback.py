"""Record whether an answer helped; after two misses in a row, offer a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.reply import TALK_TO_PERSON, send

SORRY = "Sorry that didn't help. Would you like to talk to a careers adviser?"
GLAD = "Thanks, that's good to hear! Anything else you'd like to know?"


class ActionRecordFeedback(Action):
    """Thank or apologise, and count misses towards offering a person."""

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Reply to the feedback and record it (the service counts it, anonymously)."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "feedback_positive":
            send(dispatcher, GLAD, feedback="positive")
            return [SlotSet("failed_answers", 0.0)]
        misses = float(tracker.get_slot("failed_answers") or 0) + 1
        send(
            dispatcher,
            SORRY,
            buttons=[TALK_TO_PERSON, {"title": "No, I'll ask again", "payload": "/deny"}],
            feedback="negative",
            failed_turns=int(misses),
        )
        return [SlotSet("failed_answers", misses)]
