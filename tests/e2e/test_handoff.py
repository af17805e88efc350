"""Escalation end to end: the console's doors, and a live handoff on web and SMS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Stack, case_with, start_stack, stop_stack
from tests.e2e.test_sms import post_sms, sent_to, wait_for
from tests.e2e.test_telegram import post_update, update
from tests.e2e.test_telegram import sent_to as tg_sent_to
from tests.fakes.server import LoopbackServer
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


def add_user(stack: Stack, email: str, role: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cairn.cli", "users", "add", "--email", email, "--role", role],
        input=PASSWORD + "\n", capture_output=True, text=True, cwd=stack.data_dir, check=False,
        env={**os.environ, "CAIRN_DATA_DIR": str(stack.data_dir), "SECRET_KEY": "x" * 40},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


@contextmanager
def signed_in(stack: Stack, email: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        token = csrf_of(client.get("/adviser/login").text)
        response = client.post(
            "/adviser/login", data={"email": email, "password": password, "csrf": token}
        )
        assert response.status_code == 303, response.text
        yield client


@pytest.fixture(scope="module")
def accounts(stack: Stack) -> Iterator[dict[str, str]]:
    suffix = uuid.uuid4().hex[:6]
    people = {
        "adviser": f"adviser-{suffix}@cairn.test",
        "analyst": f"analyst-{suffix}@cairn.test",
        "locked": f"locked-{suffix}@cairn.test",
    }
    for name, email in people.items():
        add_user(stack, email, "analyst" if name == "analyst" else "adviser")
    yield people


def test_the_console_refuses_strangers(stack: Stack) -> None:
    with httpx.Client(base_url=stack.api_url, timeout=30) as anonymous:
        for path in ("/adviser", "/adviser/cases/1"):
            response = anonymous.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == "/adviser/login"
        # no session, so no CSRF token either: refused before anything is looked up
        assert anonymous.post("/adviser/cases/1/claim", data={"csrf": "x"}).status_code == 403


def test_an_analyst_cannot_open_a_transcript(stack: Stack, accounts: dict[str, str]) -> None:
    with signed_in(stack, accounts["analyst"]) as analyst:
        assert analyst.get("/adviser/cases/1").status_code == 403
        assert analyst.get("/adviser").status_code == 403


def test_a_forged_csrf_token_is_refused(stack: Stack, accounts: dict[str, str]) -> None:
    with signed_in(stack, accounts["adviser"]) as adviser:
        response = adviser.post("/adviser/cases/1/claim", data={"csrf": "forged"})
        assert response.status_code == 403


def test_repeated_failures_lock_the_account(stack: Stack, accounts: dict[str, str]) -> None:
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        for _ in range(5):
            token = csrf_of(client.get("/adviser/login").text)
            client.post("/adviser/login", data={"email": accounts["locked"], "password": "wrong"
                                                 * 3, "csrf": token})  # fmt: skip
        token = csrf_of(client.get("/adviser/login").text)
        response = client.post(
            "/adviser/login",
            data={"email": accounts["locked"], "password": PASSWORD, "csrf": token},
        )
        assert response.status_code == 401
        assert "Wrong email or password." in response.text  # same words as an unknown email


def test_security_headers(stack: Stack) -> None:
    headers = httpx.get(stack.api_url + "/adviser/login", timeout=30).headers
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_crisis_handoff_live_on_the_web(
    browser: Browser, stack: Stack, accounts: dict[str, str]
) -> None:
    young = browser.new_context().new_page()
    young.goto(stack.api_url + "/")
    marker = uuid.uuid4().hex[:8]
    young.get_by_label("Message").fill(f"i want to kill myself {marker} <script>alert(1)</script>")
    young.get_by_role("button", name="Send").click()
    expect(young.get_by_role("log")).to_contain_text("116 123", timeout=20_000)
    case_id = case_with(stack, marker)

    adviser = browser.new_context().new_page()
    adviser.goto(stack.api_url + "/adviser")
    adviser.get_by_label("Email").fill(accounts["adviser"])
    adviser.get_by_label("Password").fill(PASSWORD)
    adviser.get_by_role("button", name="Sign in").click()
    expect(adviser.locator(f'[data-case="{case_id}"]')).to_contain_text("URGENT")
    adviser.get_by_role("button", name=f"Claim case #{case_id}").click()
    expect(adviser.get_by_role("heading", name=f"Case #{case_id} URGENT")).to_be_visible()
    log = adviser.get_by_role("log")
    expect(log).to_contain_text("<script>alert(1)</script>")  # shown as text
    assert adviser.locator("#log script").count() == 0

    adviser.get_by_label("Reply").fill("Hi, I'm Sam, a careers adviser. I'm here with you.")
    adviser.get_by_role("button", name="Send reply").click()
    expect(young.get_by_role("log")).to_contain_text("I'm Sam, a careers adviser", timeout=10_000)

    bot_messages = young.locator(".msg.bot").count()
    young.get_by_label("Message").fill(f"thanks sam {marker}")
    young.get_by_role("button", name="Send").click()
    expect(adviser.get_by_role("log")).to_contain_text(f"thanks sam {marker}", timeout=10_000)
    expect(young.locator(".msg.bot")).to_have_count(bot_messages)  # the bot stayed quiet

    adviser.get_by_label("Outcome").select_option("advice_given")
    adviser.get_by_role("button", name="Close and hand back to Cairn").click()
    expect(young.get_by_role("log")).to_contain_text("back with Cairn", timeout=10_000)
    young.get_by_label("Message").fill("hello")
    young.get_by_role("button", name="Send").click()
    expect(young.get_by_role("log")).to_contain_text("automated assistant", timeout=20_000)


def test_handoff_over_sms(
    stack: Stack, accounts: dict[str, str], twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = twilio[0], "+447700900150"
    marker = uuid.uuid4().hex[:8]
    post_sms(stack, number, f"can i talk to a real person {marker}")
    assert wait_for(lambda: len(sent_to(fake, number)) >= 1)
    case_id = case_with(stack, marker)
    with signed_in(stack, accounts["adviser"]) as adviser:
        token = csrf_of(adviser.get(f"/adviser/cases/{case_id}").text)
        assert (
            adviser.post(f"/adviser/cases/{case_id}/claim", data={"csrf": token}).status_code == 303
        )
        reply = {"csrf": token, "text": "Hi, it's Sam from the careers team."}
        adviser.post(f"/adviser/cases/{case_id}/reply", data=reply)
        assert wait_for(
            lambda: any("Sam from the careers" in m.body for m in sent_to(fake, number))
        )
        before = len(sent_to(fake, number))
        post_sms(stack, number, "great thanks")  # goes to Sam, not to the bot
        adviser.post(f"/adviser/cases/{case_id}/close",
                     data={"csrf": token, "outcome": "advice_given"})  # fmt: skip
    assert wait_for(lambda: any("back with Cairn" in m.body for m in sent_to(fake, number)))
    assert len(sent_to(fake, number)) == before + 1


def test_talk_to_a_person_then_an_adviser_message_arrives_live(
    browser: Browser, stack: Stack, accounts: dict[str, str]
) -> None:
    young = browser.new_context().new_page()
    young.goto(stack.api_url + "/")
    marker = uuid.uuid4().hex[:8]
    young.get_by_label("Message").fill(f"how do i apply to college {marker}")
    young.get_by_role("button", name="Send").click()
    expect(young.locator(".sources li").first).to_be_visible(timeout=20_000)
    young.locator("header").get_by_role("button", name="Talk to a person").click()
    expect(young.get_by_role("log")).to_contain_text("asked for a careers adviser", timeout=20_000)
    case_id = case_with(stack, marker)
    with signed_in(stack, accounts["adviser"]) as adviser:
        token = csrf_of(adviser.get(f"/adviser/cases/{case_id}").text)
        adviser.post(f"/adviser/cases/{case_id}/claim", data={"csrf": token})
        message = {"csrf": token, "text": f"Hello from an adviser {marker}"}
        adviser.post(f"/adviser/cases/{case_id}/reply", data=message)
    expect(young.get_by_role("log")).to_contain_text(f"Hello from an adviser {marker}")


def test_a_waiting_young_person_is_told_when_to_expect_a_reply(stack: Stack) -> None:
    body = httpx.post(
        stack.api_url + "/api/web/messages",
        json={"session": "e2e-wait-" + uuid.uuid4().hex[:8], "text": "can i talk to a real person"},
        timeout=30,
    ).json()
    texts = " ".join(r["text"] for r in body["replies"])
    assert body["handoff"] == "waiting"
    assert "usually within" in texts or "not on right now" in texts


def test_handoff_over_telegram(
    stack: Stack, accounts: dict[str, str], telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    fake, chat = telegram[0], 6001
    marker = uuid.uuid4().hex[:8]
    assert post_update(stack, update(chat, f"i want to talk to a person {marker}")) == 200
    assert wait_for(lambda: len(tg_sent_to(fake, chat)) >= 1)
    case_id = case_with(stack, marker)
    with signed_in(stack, accounts["adviser"]) as adviser:
        token = csrf_of(adviser.get(f"/adviser/cases/{case_id}").text)
        adviser.post(f"/adviser/cases/{case_id}/claim", data={"csrf": token})
        message = {"csrf": token, "text": "Hi from the careers team <b>here</b>"}
        adviser.post(f"/adviser/cases/{case_id}/reply", data=message)
        assert wait_for(
            lambda: any("careers team" in str(m["text"]) for m in tg_sent_to(fake, chat))
        )
        sent = next(m for m in tg_sent_to(fake, chat) if "careers team" in str(m["text"]))
        assert "&lt;b&gt;here&lt;/b&gt;" in str(sent["text"])  # escaped for Telegram's HTML
        adviser.post(f"/adviser/cases/{case_id}/close", data={"csrf": token, "outcome": "other"})
    assert wait_for(
        lambda: any("back with Cairn" in str(m["text"]) for m in tg_sent_to(fake, chat))
    )


def test_a_restart_while_a_case_is_live_loses_nothing(
    tmp_path: Path, accounts: dict[str, str], stack: Stack
) -> None:
    first = start_stack(tmp_path / "live-restart")
    try:
        add_user(first, "restart-adviser@cairn.test", "adviser")
        marker = uuid.uuid4().hex[:8]
        crisis = {"session": "e2e-restart-live", "text": f"i want to die {marker}"}
        httpx.post(first.api_url + "/api/web/messages", json=crisis, timeout=30)
        case_id = case_with(first, marker)
        with signed_in(first, "restart-adviser@cairn.test") as adviser:
            token = csrf_of(adviser.get(f"/adviser/cases/{case_id}").text)
            adviser.post(f"/adviser/cases/{case_id}/claim", data={"csrf": token})
            adviser.post(
                f"/adviser/cases/{case_id}/reply", data={"csrf": token, "text": "I'm here"}
            )
    finally:
        assert stop_stack(first) == 0
    second = start_stack(tmp_path / "live-restart")
    try:
        with signed_in(second, "restart-adviser@cairn.test") as adviser:
            page = adviser.get(f"/adviser/cases/{case_id}").text
        assert "live" in page and marker in page and "I&#39;m here" in page
        again = {"session": "e2e-restart-live", "text": "still there?"}
        body = httpx.post(second.api_url + "/api/web/messages", json=again, timeout=30).json()
        assert body["handoff"] == "connected" and body["replies"] == []  # to the adviser
    finally:
        stop_stack(second)
