from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.feedback import ActionRecordFeedback
from bot.actions.handoff import ValidateHandoffForm
from bot.actions.services import ActionFindServices, ValidateServicesForm
from knowledge.directory import SERVICES_DIR, Directory, load_directory
from knowledge.location import LocationResolver
from tests.unit.bot.trackers import make_tracker


@pytest.fixture(scope="module")
def directory() -> Directory:
    from datetime import date

    return Directory(load_directory(SERVICES_DIR, date.today())[0])


@pytest.fixture(scope="module")
def form() -> ValidateServicesForm:
    return ValidateServicesForm(LocationResolver())


async def test_need_comes_from_the_first_message(form: ValidateServicesForm) -> None:
    tracker = make_tracker("any youth clubs near me", "find_service")
    assert await form.extract_need(CollectingDispatcher(), tracker, {}) == {"need": "youth-work"}


async def test_location_is_taken_from_a_place_entity_or_the_answer(
    form: ValidateServicesForm,
) -> None:
    named = make_tracker(
        "help in paisley", "find_service", entities=[{"entity": "place", "value": "paisley"}]
    )
    assert await form.extract_location(CollectingDispatcher(), named, {}) == {"location": "paisley"}
    answer = make_tracker("kirkwall", "chitchat", slots={"requested_slot": "location"})
    assert await form.extract_location(CollectingDispatcher(), answer, {}) == {
        "location": "kirkwall"
    }
    digression = make_tracker("what is ema", "ask_question", slots={"requested_slot": "location"})
    assert await form.extract_location(CollectingDispatcher(), digression, {}) == {}


@pytest.mark.parametrize(
    ("text", "slots"),
    [
        ("Renfrewshire", {"location": "Renfrewshire", "council_area": "renfrewshire"}),
        ("the borders", {"location": "Scottish Borders", "council_area": "scottish-borders"}),
        ("Newcastle", {"location": "outside-scotland", "council_area": None}),
        ("asdfgh", {"location": None}),
    ],
)
def test_location_is_resolved_to_a_council_area(
    form: ValidateServicesForm, text: str, slots: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    got = form.validate_location(text, dispatcher, make_tracker(text, "inform_location"), {})
    assert got == slots
    if slots["location"] is None:
        assert "couldn't find that place" in dispatcher.messages[0]["custom"]["text"]


@pytest.mark.parametrize(("channel", "shown"), [("sms", 3), ("web", 5)])
async def test_services_are_listed_with_contacts_and_more(
    directory: Directory, channel: str, shown: int
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "Renfrewshire",
        "inform_location",
        slots={
            "need": "careers-advice",
            "council_area": "renfrewshire",
            "location": "Renfrewshire",
        },
        channel=channel,
    )
    events = await ActionFindServices(directory).run(dispatcher, tracker, {})
    custom = dispatcher.messages[0]["custom"]
    lines = custom["text"].splitlines()
    assert "Renfrewshire" in lines[0]
    assert len(lines) == shown + 1
    assert all("https://" in line for line in lines[1:])
    assert events[0]["name"] == "services_offset" and events[0]["value"] == float(shown)
    assert {"title": "More services", "payload": "/more_services"} in custom["buttons"]


async def test_outside_scotland_gets_national_services(directory: Directory) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("Newcastle", slots={"location": "outside-scotland", "need": None})
    await ActionFindServices(directory).run(dispatcher, tracker, {})
    assert "outside Scotland" in dispatcher.messages[0]["custom"]["text"]


async def test_sms_handoff_also_asks_how_to_be_contacted() -> None:
    form = ValidateHandoffForm()
    slots = ["handoff_topic", "share_consent", "contact_preference"]
    sms = await form.required_slots(
        slots, CollectingDispatcher(), make_tracker("x", channel="sms"), {}
    )
    web = await form.required_slots(slots, CollectingDispatcher(), make_tracker("x"), {})
    assert sms == slots
    assert web == slots[:2]


async def test_negative_feedback_counts_towards_a_person() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("that didnt help", "feedback_negative", slots={"failed_answers": 1.0})
    events = await ActionRecordFeedback().run(dispatcher, tracker, {})
    assert events[0]["value"] == 2.0
    assert dispatcher.messages[0]["custom"]["meta"]["feedback"] == "negative"
