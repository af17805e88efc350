"""SMS end to end: signed webhooks, real Rasa, replies through the fake Messages API."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.e2e.conftest import Stack, start_stack, stop_stack, twilio_env
from tests.fakes.server import LoopbackServer
from tests.fakes.twilio import AUTH_TOKEN, FakeTwilio, SentSms

pytestmark = pytest.mark.e2e
PATH = "/channels/twilio/sms"


def post_sms(
    stack: Stack,
    number: str,
    text: str,
    *,
    sid: str | None = None,
    sign: bool = True,
    token: str = AUTH_TOKEN,
) -> httpx.Response:
    form = {
        "From": number,
        "To": "+447700900000",
        "Body": text,
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
    }
    headers = {}
    if sign:  # signed with Twilio's own library, over PUBLIC_BASE_URL + path
        url = stack.api_url + PATH
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(url, form)
    return httpx.post(stack.api_url + PATH, data=form, headers=headers, timeout=30)


def sent_to(fake: FakeTwilio, number: str) -> list[SentSms]:
    return [m for m in fake.sent if m.to == number]


def wait_for(condition: Callable[[], bool], timeout_s: float = 15) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def stored_messages(stack: Stack) -> int:
    with sqlite3.connect(stack.data_dir / "cairn.db") as db:
        return int(db.execute("SELECT count(*) FROM messages").fetchone()[0])


@pytest.mark.parametrize("sign", ["none", "wrong"])
def test_unsigned_or_wrongly_signed_sms_is_refused_and_nothing_happens(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer], sign: str
) -> None:
    fake = twilio[0]
    before = stored_messages(stack)
    response = post_sms(stack, "+447700900101", "hello", sign=sign != "none", token="wrong" * 8)
    assert response.status_code == 403
    assert "detail" in response.json()
    time.sleep(0.5)
    assert stored_messages(stack) == before
    assert sent_to(fake, "+447700900101") == []


def test_signed_sms_is_answered_once_through_the_messages_api(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = twilio[0], "+447700900102"
    response = post_sms(stack, number, "hello", sid="SMreplay0001")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert wait_for(lambda: len(sent_to(fake, number)) == 1)
    assert "automated assistant" in sent_to(fake, number)[0].body
    assert post_sms(stack, number, "hello", sid="SMreplay0001").status_code == 200  # replayed
    time.sleep(1.5)
    assert len(sent_to(fake, number)) == 1


def test_nothing_is_sent_after_stop_until_start(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = twilio[0], "+447700900103"
    assert post_sms(stack, number, "STOP").status_code == 200
    post_sms(stack, number, "how do i apply to college")
    time.sleep(2)
    assert sent_to(fake, number) == []
    post_sms(stack, number, "START")
    assert wait_for(lambda: len(sent_to(fake, number)) == 1)
    assert "back on Cairn" in sent_to(fake, number)[0].body
    post_sms(stack, number, "hello")
    assert wait_for(lambda: len(sent_to(fake, number)) == 2)


def test_replies_queue_while_the_provider_is_down(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, server, number = twilio[0], twilio[1], "+447700900104"
    server.stop()
    try:
        assert post_sms(stack, number, "hello").status_code == 200
        time.sleep(2)
        assert sent_to(fake, number) == []
    finally:
        server.start()
    assert wait_for(lambda: len(sent_to(fake, number)) == 1, timeout_s=30)


def test_long_replies_are_split_within_segment_limits(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    from channels.render import sms_segments

    fake, number = twilio[0], "+447700900105"
    post_sms(stack, number, "where can i get careers help near me")
    assert wait_for(lambda: len(sent_to(fake, number)) >= 1)
    post_sms(stack, number, "Paisley")
    assert wait_for(lambda: any("Renfrewshire" in m.body for m in sent_to(fake, number)))
    assert all(sms_segments(m.body) <= 3 for m in sent_to(fake, number))


def test_queued_replies_survive_a_restart_of_the_service(
    tmp_path: Path, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, server, number = twilio[0], twilio[1], "+447700900199"
    data_dir = tmp_path / "restart"
    server.stop()
    try:
        first = start_stack(data_dir, env=twilio_env(server))
        try:
            assert post_sms(first, number, "hello").status_code == 200
            time.sleep(1)
        finally:
            assert stop_stack(first) == 0
        assert sent_to(fake, number) == []
    finally:
        server.start()
    second = start_stack(data_dir, env=twilio_env(server))
    try:
        assert wait_for(lambda: len(sent_to(fake, number)) == 1, timeout_s=30)
        time.sleep(1.5)
        assert len(sent_to(fake, number)) == 1  # delivered once, not once per process
    finally:
        stop_stack(second)


def test_a_flood_from_one_number_gets_one_polite_notice(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    from channels.ratelimit import SLOW_DOWN

    fake, number = twilio[0], "+447700900166"
    for n in range(18):
        assert post_sms(stack, number, f"hello {n}").status_code == 200
    notice = SLOW_DOWN.split(".")[0]  # "You're sending messages faster than I can answer"
    assert wait_for(lambda: any(notice in m.body for m in sent_to(fake, number)), timeout_s=30)
    time.sleep(2)
    assert sum(notice in m.body for m in sent_to(fake, number)) == 1
