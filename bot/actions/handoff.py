"""Hand the conversation to a person: queue first, then what it is about and consent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.reply import channel_of, send

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
    ) -> list[EventType]:
        """Tell the young person a person is coming and ask the service to open a case."""
        send(dispatcher, WAITING, handoff="waiting", reason="asked_for_person")
        return []


class ValidateHandoffForm(FormValidationAction):
    """Ask how to be contacted only on SMS, where a phone call is possible."""

    def name(self) -> str:
        """Rasa's name for this action."""
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        """Topic and consent everywhere; the contact preference on SMS only."""
        if channel_of(tracker) == "sms":
            return domain_slots
        return [slot for slot in domain_slots if slot != "contact_preference"]

    def validate_contact_preference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """CALL or TEXT; anything else means text (the default)."""
        wants_call = "call" in str(value or "").lower() or "phone" in str(value or "").lower()
        return {"contact_preference": "call" if wants_call else "text"}


class ActionHandoffSubmit(Action):
    """Pass the topic and the consent decision to the service for the adviser."""

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_handoff_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Thank them and tell the service what was agreed."""
        consent = bool(tracker.get_slot("share_consent"))
        shared = "they'll see our chat so far" if consent else "they'll only see new messages"
        send(
            dispatcher,
            f"Thanks. I've passed that on, and {shared}. An adviser will reply here.",
            handoff_details={
                "share_consent": consent,
                "contact_preference": tracker.get_slot("contact_preference") or "text",
            },
        )
        return []
