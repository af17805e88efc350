"""Signposting: the services form (what they need, where they are) and the results."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.reply import TALK_TO_PERSON, channel_of, send
from knowledge.directory import Directory, Service
from knowledge.location import OUTSIDE, Kind, LocationResolver, council_name
from knowledge.needs import DEFAULT_NEED, need_category

# Intents that interrupt the form rather than answer "where are you?" (bot/data/rules.yml).
DIGRESSIONS = frozenset(
    {
        "ask_question", "bot_challenge", "privacy_question", "request_human", "restart",
        "help", "goodbye", "deny",
    }
)  # fmt: skip
PAGE = {"sms": 3}
DEFAULT_PAGE = 5
MORE = {"title": "More services", "payload": "/more_services"}


class ValidateServicesForm(FormValidationAction):
    """Fill `need` from the first message and resolve `location` to a council area."""

    def __init__(self, resolver: LocationResolver) -> None:
        self._resolver = resolver

    def name(self) -> str:
        """Rasa's name for this action."""
        return "validate_services_form"

    async def extract_need(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Take the need from 'careers help near me', or from the answer to 'what help'."""
        if tracker.get_slot("need"):
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = str(tracker.latest_message.get("text") or "")
        if intent == "find_service" or tracker.get_slot("requested_slot") == "need":
            return {"need": need_category(text)}
        if intent == "inform_location":
            return {"need": DEFAULT_NEED}
        return {}

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A place or postcode named in the message, or the whole answer to 'where are you'."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in DIGRESSIONS:
            return {}
        entities = tracker.latest_message.get("entities") or []
        named = [e["value"] for e in entities if e.get("entity") in ("postcode", "place")]
        if named:
            return {"location": str(named[0])}
        if tracker.get_slot("requested_slot") == "location":
            return {"location": str(tracker.latest_message.get("text") or "")}
        return {}

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> dict[str, Any]:
        """Accept a postcode, town or council area; ask again kindly otherwise."""
        resolution = self._resolver.resolve(str(value or ""))
        if resolution.found and resolution.council_area:
            area = resolution.council_area
            return {"location": council_name(area), "council_area": area}
        if resolution.kind is Kind.OUTSIDE:
            return {"location": OUTSIDE, "council_area": None}
        if resolution.kind is Kind.AMBIGUOUS:
            names = [council_name(c) for c in resolution.candidates]
            send(
                dispatcher,
                "There's more than one place with that name. Which council area is it in?",
                buttons=[{"title": n, "payload": n} for n in names],
            )
            return {"location": None}
        send(dispatcher, "Sorry, I couldn't find that place.")
        return {"location": None}


class ActionFindServices(Action):
    """List services for the need near the young person, then offer more."""

    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_find_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Show the first page of services."""
        return _show(self._directory, dispatcher, tracker, offset=0)


class ActionMoreServices(Action):
    """Show the next page of services."""

    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    def name(self) -> str:
        """Rasa's name for this action."""
        return "action_more_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Show the page after the one already shown."""
        if not tracker.get_slot("location"):
            send(dispatcher, "Tell me where you are and I'll look for services near you.")
            return []
        return _show(
            self._directory,
            dispatcher,
            tracker,
            offset=int(tracker.get_slot("services_offset") or 0),
        )


def _show(
    directory: Directory, dispatcher: CollectingDispatcher, tracker: Tracker, *, offset: int
) -> list[EventType]:
    need = tracker.get_slot("need") or DEFAULT_NEED
    area = tracker.get_slot("council_area")
    outside = tracker.get_slot("location") == OUTSIDE
    page = PAGE.get(channel_of(tracker), DEFAULT_PAGE)
    found = directory.find(council_area=area, need=need, limit=100)
    shown = found[offset : offset + page]
    label = need.replace("-", " ")
    if outside:
        intro = (
            "That looks like it's outside Scotland. I can only find local services in Scotland, "
            f"but these national services can help with {label} wherever you are:"
        )
    elif not shown:
        intro = (
            "That's all the services I have for that."
            if offset
            else (
                f"I couldn't find {label} services for {council_name(area) if area else 'there'}."
            )
        )
    else:
        where = council_name(area) if area else "Scotland"
        intro = f"Here are services for {label} in {where}:"
    buttons = [MORE] if len(found) > offset + page else []
    send(
        dispatcher,
        "\n".join([intro, *(_describe(s) for s in shown)]),
        buttons=[*buttons, TALK_TO_PERSON] if not shown else buttons,
        signposted=need,
        council_area=area,
    )
    # Services came last: "more" now means more of these, not more of an earlier answer.
    return [SlotSet("services_offset", float(offset + len(shown))), SlotSet("last_answer", None)]


def _describe(service: Service) -> str:
    """One line: name, and every way to contact it."""
    contact = [c for c in (service.phone, str(service.url), service.address) if c]
    return f"- {service.name}: {', '.join(contact)}"
