"""What each channel adapter adds to a turn: verify and parse in, render and enqueue out.

Measured in-process on the real code paths (Twilio's RequestValidator, Update.de_json, the
renderers, an outbox insert into a SQLite file), without the Rasa turn they wrap.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import Bot, Update
from twilio.request_validator import RequestValidator

from cairn.db import Database
from cairn.migrations import upgrade
from channels.outbox import enqueue
from channels.render import render_sms_messages, render_telegram
from channels.schemas import Button, Reply, Source, Turn
from channels.telegram.client import keyboard
from channels.web.api import WebMessage, render

TOKEN = "0123456789abcdef0123456789abcdef"
URL = "https://cairn.example.org/channels/twilio/sms"
REPLY = Reply(
    text="For most courses, you apply directly to the college, usually through an online form "
    "on its website. You do not need UCAS for most college courses. " * 2,
    sources=[Source("How to apply to college", "https://www.myworldofwork.co.uk/", "2026-11-24")],
    buttons=[Button("Talk to a person", "/request_human")],
)


def _time(run: Callable[[int], Any], n: int) -> dict[str, float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        run(i)
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(0.95 * (n - 1))], 3),
    }


def run(n: int = 2000) -> dict[str, Any]:
    """p50/p95 of each adapter's own work per message."""
    with tempfile.TemporaryDirectory(prefix="cairn-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade("main", url)
        db = Database(url)
        validator = RequestValidator(TOKEN)
        form = {"From": "+447700900123", "Body": "how do i apply to college", "MessageSid": "SM1"}
        signature = validator.compute_signature(URL, form)
        bot = Bot("123:abc")
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1, "date": 0, "text": "how do i apply to college",
                "chat": {"id": 42, "type": "private"},
            },
        }  # fmt: skip

        def sms(i: int) -> None:
            assert validator.validate(URL, form, signature)
            with db.session() as session:
                for text in render_sms_messages(REPLY):
                    body = {"text": text}
                    enqueue(session=session, channel="sms", conversation_id=str(i),
                            address="+447700900123", body=body)  # fmt: skip

        def telegram(i: int) -> None:
            parsed = Update.de_json(update, bot)
            assert parsed is not None and parsed.message is not None
            text = render_telegram(REPLY)
            keyboard([vars(b) for b in REPLY.buttons])
            with db.session() as session:
                enqueue(session=session, channel="telegram", conversation_id=str(i),
                        address="42", body={"text": text})  # fmt: skip

        def web(_i: int) -> None:
            WebMessage.model_validate({"session": "bench-session-1", "text": "hello"})
            render("bench-session-1", Turn("c", [REPLY], "none")).model_dump_json()

        report = {"sms": _time(sms, n), "telegram": _time(telegram, n), "web": _time(web, n)}
        db.dispose()
    return report
