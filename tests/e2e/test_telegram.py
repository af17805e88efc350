"""Telegram end to end: secret header, real Rasa, replies through the fake Bot API."""

from __future__ import annotations

import itertools
import json
import time

import httpx
import pytest

from tests.e2e.conftest import TELEGRAM_SECRET, Stack
from tests.e2e.test_sms import stored_messages, wait_for
from tests.fakes.server import LoopbackServer
from tests.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.e2e
PATH = "/channels/telegram/webhook"
_update_ids = itertools.count(1000)


def update(chat_id: int, text: str, update_id: int | None = None) -> dict[str, object]:
    return {
        "update_id": update_id or next(_update_ids),
        "message": {
            "message_id": 1, "date": 1700000000, "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Sam"},
        },
    }  # fmt: skip


def post_update(stack: Stack, body: dict[str, object], secret: str | None = TELEGRAM_SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return httpx.post(stack.api_url + PATH, json=body, headers=headers, timeout=30).status_code


def sent_to(fake: FakeTelegram, chat_id: int) -> list[dict[str, object]]:
    return [m for m in fake.sent if int(str(m["chat_id"])) == chat_id]


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_missing_or_wrong_secret_is_refused(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer], secret: str | None
) -> None:
    assert post_update(stack, update(5001, "hello"), secret) == 403
    time.sleep(0.5)
    assert sent_to(telegram[0], 5001) == []


def test_an_update_is_answered_once_with_buttons(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    fake = telegram[0]
    body = update(5002, "/start", update_id=99001)
    assert post_update(stack, body) == 200
    assert wait_for(lambda: len(sent_to(fake, 5002)) == 1)
    message = sent_to(fake, 5002)[0]
    assert "automated assistant" in str(message["text"])
    assert message["parse_mode"] == "HTML"
    keyboard = message["reply_markup"]["inline_keyboard"]  # type: ignore[index]
    assert {"text": "Talk to a person", "callback_data": "/request_human"} in [
        row[0] for row in keyboard
    ]
    assert post_update(stack, body) == 200  # replayed update_id
    time.sleep(1.5)
    assert len(sent_to(fake, 5002)) == 1


def test_a_huge_message_is_handled_and_nothing_over_4096_is_sent(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    fake = telegram[0]
    text = ("how do i apply to college and what funding can i get " * 300)[:12_000]
    assert post_update(stack, update(5003, text)) == 200
    assert wait_for(lambda: len(sent_to(fake, 5003)) >= 1)
    assert all(len(str(m["text"])) <= 4096 for m in fake.sent)


def test_cli_registers_the_webhook_with_its_secret(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    import os
    import subprocess
    import sys

    from tests.fakes.telegram import TOKEN

    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": telegram[1].url + "/bot",
        "PUBLIC_BASE_URL": "https://cairn.example.org",
        "SECRET_KEY": "x" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-m", "cairn.cli", "telegram", "set-webhook"],
        capture_output=True, text=True, env=env, cwd=stack.data_dir, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    registered = telegram[0].webhooks[-1]
    assert registered["url"] == "https://cairn.example.org/channels/telegram/webhook"
    assert registered["secret_token"] == TELEGRAM_SECRET


def test_polling_mode_forwards_updates_to_the_webhook(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    import os
    import subprocess
    import sys

    from tests.fakes.telegram import TOKEN

    fake = telegram[0]
    fake.pending.append(update(5010, "hello", update_id=77001))
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": telegram[1].url + "/bot",
        "SECRET_KEY": "x" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-m", "cairn.cli", "telegram", "poll", "--once", "--api", stack.api_url],
        capture_output=True, text=True, env=env, cwd=stack.data_dir, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "update 77001: 200" in result.stdout
    assert wait_for(lambda: len(sent_to(fake, 5010)) == 1)


def post_raw(stack: Stack, body: bytes) -> httpx.Response:
    return httpx.post(
        stack.api_url + PATH,
        content=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
                 "content-type": "application/json"},
        timeout=30,
    )  # fmt: skip


def test_an_update_of_invalid_utf8_is_refused_400_and_nothing_is_stored(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    before = stored_messages(stack)
    body = (
        json.dumps(update(5020, "hello PLACEHOLDER"))
        .encode()
        .replace(b"PLACEHOLDER", b"caf\xff\xfe \xc0\xaf")
    )
    response = post_raw(stack, body)
    assert response.status_code == 400
    assert "not a Telegram update" in response.json()["detail"]
    time.sleep(1)
    assert stored_messages(stack) == before
    assert sent_to(telegram[0], 5020) == []


def test_a_million_character_update_is_refused_413_before_it_is_read(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    before = stored_messages(stack)
    response = post_raw(stack, json.dumps(update(5021, "a" * 1_000_000)).encode())
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large"}
    time.sleep(1)
    assert stored_messages(stack) == before
    assert sent_to(telegram[0], 5021) == []
    assert post_update(stack, update(5021, "hello")) == 200  # and the chat still works
    assert wait_for(lambda: len(sent_to(telegram[0], 5021)) == 1)


def test_updates_out_of_order_are_each_answered_exactly_once(
    stack: Stack, telegram: tuple[FakeTelegram, LoopbackServer]
) -> None:
    fake, later, earlier = telegram[0], update(5022, "hello", 88012), update(5022, "bye", 88011)
    assert post_update(stack, later) == 200
    assert post_update(stack, earlier) == 200
    assert wait_for(lambda: len(sent_to(fake, 5022)) == 2)
    for body in (later, earlier):  # Telegram redelivers both: neither is answered again
        assert post_update(stack, body) == 200
    time.sleep(1.5)
    texts = [str(m["text"]) for m in sent_to(fake, 5022)]
    assert len(texts) == 2
    assert sum("automated assistant" in t for t in texts) == 1
    assert sum("Bye" in t for t in texts) == 1
