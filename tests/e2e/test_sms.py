"""SMS end to end: signed webhooks, real Rasa, replies through the fake Messages API."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote_plus, unquote_plus

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


def post_signed(stack: Stack, path: str, form: dict[str, str]) -> httpx.Response:
    """Post a form to `path`, signed over PUBLIC_BASE_URL + path as Twilio does."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(stack.api_url + path, form)
    return httpx.post(
        stack.api_url + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=30
    )


def stored_text(stack: Stack, sid: str) -> list[str]:
    with sqlite3.connect(stack.data_dir / "cairn.db") as db:
        rows = db.execute("SELECT text FROM messages WHERE dedupe_key = ?", (f"sms:{sid}",))
        return [str(row[0]) for row in rows]


@pytest.mark.parametrize("signed_over", ["decoded", "raw"])
def test_a_body_of_invalid_utf8_is_read_with_replacement_characters(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer], signed_over: str
) -> None:
    """Invalid UTF-8 is decoded to U+FFFD before the signature is checked (Starlette's form
    parser, as Python's `unquote_plus`): signed over that text it is answered like any SMS;
    signed over anything else it is refused 403, and nothing is stored or sent."""
    fake, number = twilio[0], {"decoded": "+447700900201", "raw": "+447700900202"}[signed_over]
    sid, raw = "SM" + uuid.uuid4().hex, "caf%FF%FE+ok%C0%AF"
    form = {"From": number, "To": "+447700900000", "MessageSid": sid, "AccountSid": "AC" + "0" * 32}
    body = "&".join(f"{k}={quote_plus(v)}" for k, v in form.items()) + f"&Body={raw}"
    signed = {
        **form,
        "Body": unquote_plus(raw) if signed_over == "decoded" else unquote_plus(raw, "latin-1"),
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(stack.api_url + PATH, signed)
    response = httpx.post(
        stack.api_url + PATH,
        content=body.encode("ascii"),
        headers={
            "X-Twilio-Signature": signature,
            "content-type": "application/x-www-form-urlencoded",
        },
        timeout=30,
    )
    if signed_over == "raw":
        assert response.status_code == 403 and "detail" in response.json()
        time.sleep(1)
        assert stored_text(stack, sid) == [] and sent_to(fake, number) == []
        return
    assert response.status_code == 200, response.text
    assert stored_text(stack, sid) == ["caf\ufffd\ufffd ok\ufffd\ufffd"]
    assert wait_for(lambda: len(sent_to(fake, number)) == 1)


def test_status_callbacks_out_of_order_never_move_the_delivery_status_back(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    from channels.identity import conversation_id
    from tests.conftest import SECRET

    fake, number = twilio[0], "+447700900210"
    assert post_sms(stack, number, "hello").status_code == 200
    assert wait_for(lambda: len(sent_to(fake, number)) == 1)
    conv_id = conversation_id(secret=SECRET, channel="sms", address=number)

    def outbox_row() -> tuple[str | None, str | None]:
        with sqlite3.connect(stack.data_dir / "cairn.db") as db:
            row = db.execute(
                "SELECT provider_id, delivery_status FROM outbox WHERE conversation_id = ?",
                (conv_id,),
            ).fetchone()
            return (row[0], row[1]) if row else (None, None)

    assert wait_for(lambda: outbox_row()[0] is not None)
    provider_id = outbox_row()[0]
    assert provider_id is not None
    for status in ("delivered", "sent", "queued"):  # the late ones arrive last
        form = {"MessageSid": provider_id, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
        assert post_signed(stack, "/channels/twilio/status", form).status_code == 200
    assert outbox_row() == (provider_id, "delivered")
