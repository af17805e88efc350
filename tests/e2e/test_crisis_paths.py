"""A crisis on every path: Telegram, signed SMS, a number that said STOP, the safety check's
buttons, and a page whose API is failing. Messages written here, never from the test split."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import Browser, Route, expect

from channels.render import is_gsm, sms_segments
from tests.e2e.conftest import Stack, latest_case
from tests.e2e.test_sms import post_sms, sent_to, wait_for
from tests.e2e.test_telegram import post_update, update
from tests.e2e.test_telegram import sent_to as tg_sent_to
from tests.fakes.server import LoopbackServer
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.e2e


def test_a_crisis_on_telegram_gets_the_support_lines_and_an_urgent_case(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    fake, chat, marker = telegram[0], 7001, uuid.uuid4().hex[:8]
    text = f"ive been saving up my tablets and tonight im going to take them all {marker}"
    assert post_update(stack, update(chat, text)) == 200
    assert wait_for(lambda: len(tg_sent_to(fake, chat)) >= 1)
    reply = str(tg_sent_to(fake, chat)[0]["text"])
    assert "999" in reply and "116 123" in reply
    case = latest_case(stack, marker)
    assert case and case["priority"] == 0 and case["triage_reasons"].startswith("crisis:")


def test_a_crisis_by_signed_sms_fits_two_segments_and_opens_an_urgent_case(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number, marker = twilio[0], "+447700900701", uuid.uuid4().hex[:8]
    text = f"cant do this anymore, ive written a note for my mum and im going tonight {marker}"
    assert post_sms(stack, number, text).status_code == 200
    assert wait_for(lambda: len(sent_to(fake, number)) >= 1)
    first = sent_to(fake, number)[0].body
    assert "999" in first and is_gsm(first) and sms_segments(first) <= 2
    case = latest_case(stack, marker)
    assert case and case["priority"] == 0


def test_a_crisis_from_a_number_that_said_stop_still_opens_an_urgent_case(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number, marker = twilio[0], "+447700900702", uuid.uuid4().hex[:8]
    assert post_sms(stack, number, "STOP").status_code == 200
    post_sms(stack, number, f"my stepdad hit me again and im scared to go home {marker}")
    assert wait_for(lambda: latest_case(stack, marker) is not None)
    case = latest_case(stack, marker)
    assert case and case["priority"] == 0
    assert sent_to(fake, number) == []  # STOP holds: the adviser sees the case, nothing is sent


def test_the_safety_check_buttons_on_the_web(api: httpx.Client) -> None:
    session = "e2e-safe-" + uuid.uuid4().hex[:8]
    safe = api.post("/api/web/messages", json={"session": session, "text": "/safe"}).json()
    assert safe["handoff"] == "none" and "116 123" in safe["replies"][0]["text"]
    unsafe = api.post("/api/web/messages", json={"session": session, "text": "/not_safe"})
    assert unsafe.json()["handoff"] == "waiting" and "999" in unsafe.json()["replies"][0]["text"]


def test_the_page_shows_the_support_lines_when_cairn_cannot_answer(
    browser: Browser, stack: Stack
) -> None:
    page = browser.new_page()

    def outage(route: Route) -> None:  # what the api answers while its database is down
        route.fulfill(
            status=503,
            content_type="application/json",
            body='{"detail": "Cairn is having trouble right now.", "support": []}',
        )

    page.route("**/api/web/messages", outage)
    page.goto(stack.api_url + "/")
    support = page.get_by_role("region", name="If you need help now")
    expect(support).to_be_hidden()
    page.get_by_label("Message").fill("i dont feel safe")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("having trouble")
    expect(support).to_be_visible()
    expect(support).to_contain_text("116 123")
    expect(support).to_contain_text("999")
    page.close()
