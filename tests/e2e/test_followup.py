"""Follow-up end to end over SMS: consent, a clock moved forward, one check-in, its outcome.

The service records consent; `cairn followup run --now ...` (a separate process, the clock
injected) finds what is due in the database and queues it; the running service's outbox
delivers it to the fake Messages API.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from evaluation.soak_stack import descendants
from followup.service import CHECK_IN, CONSENTED, THANKS
from tests.conftest import SECRET
from tests.e2e.conftest import Stack, start_stack, stop_stack, twilio_env
from tests.e2e.test_sms import post_sms, sent_to, wait_for
from tests.fakes.server import LoopbackServer
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.e2e
LATER = (datetime.now(UTC) + timedelta(days=15)).replace(hour=12, minute=0)  # daytime


def run_follow_ups(stack: Stack, at: datetime) -> int:
    """Run the scheduler's pass once, as if it were `at`."""
    env = {**os.environ, "CAIRN_DATA_DIR": str(stack.data_dir), "SECRET_KEY": SECRET}
    result = subprocess.run(
        [sys.executable, "-m", "cairn.cli", "followup", "run", "--now", at.isoformat()],
        capture_output=True, text=True, env=env, cwd=stack.data_dir, check=True,
    )  # fmt: skip
    return int(json.loads(result.stdout)["queued"])


def say(stack: Stack, fake: FakeTwilio, number: str, text: str) -> str:
    """Send one SMS and return the replies it got, joined."""
    before = len(sent_to(fake, number))
    assert post_sms(stack, number, text).status_code == 200
    assert wait_for(lambda: len(sent_to(fake, number)) > before, timeout_s=30), text
    time.sleep(0.5)  # a turn's replies arrive together
    return " ".join(m.body for m in sent_to(fake, number)[before:])


def consent(stack: Stack, fake: FakeTwilio, number: str) -> None:
    """Get help, say thanks, accept the offer."""
    say(stack, fake, number, "how do I find an apprenticeship?")
    offer = say(stack, fake, number, "thanks, that really helped")
    assert "in 2 weeks" in offer and "Reply YES or NO" in offer
    assert CONSENTED[:40] in say(stack, fake, number, "yes")


def db_rows(stack: Stack, name: str, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(stack.data_dir / name) as db:
        return list(db.execute(sql).fetchall())


def test_consent_then_one_check_in_then_got_a_job_is_an_anonymous_outcome(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = twilio[0], "+447700900311"
    consent(stack, fake, number)
    consented = db_rows(
        stack,
        "cairn.db",
        "SELECT consent_at, consent_wording FROM follow_ups WHERE status = 'scheduled'",
    )
    assert consented and all(at and "2 weeks" in str(words) for at, words in consented)
    assert run_follow_ups(stack, datetime.now(UTC)) == 0  # not due yet
    before = len(sent_to(fake, number))
    assert run_follow_ups(stack, LATER) >= 1
    assert wait_for(lambda: any(CHECK_IN in m.body for m in sent_to(fake, number)), 20)
    assert run_follow_ups(stack, LATER + timedelta(minutes=5)) == 0
    time.sleep(1.5)
    check_ins = [m for m in sent_to(fake, number)[before:] if CHECK_IN in m.body]
    assert len(check_ins) == 1 and "4 got a job" in check_ins[0].body
    assert THANKS["job"][:20] in say(stack, fake, number, "4")

    def outcome_events() -> list[tuple[object, ...]]:
        return db_rows(stack, "insight.db", "SELECT * FROM insight_events WHERE kind = 'outcome'")

    assert wait_for(lambda: bool(outcome_events()), timeout_s=15)  # the relay runs each second
    with sqlite3.connect(stack.data_dir / "insight.db") as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(insight_events)")]
    rows = [dict(zip(columns, row, strict=True)) for row in outcome_events()]
    assert any(r["outcome"] == "job" and r["first_help"] for r in rows)
    conversation_ids = {
        str(r[0]) for r in db_rows(stack, "cairn.db", "SELECT id FROM conversations")
    }
    flat = json.dumps(rows, default=str)
    assert number not in flat and number[1:] not in flat
    assert not any(conv_id in flat for conv_id in conversation_ids)


def test_someone_who_said_stop_gets_no_check_in(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = twilio[0], "+447700900312"
    consent(stack, fake, number)
    assert post_sms(stack, number, "STOP").status_code == 200
    before = len(sent_to(fake, number))
    run_follow_ups(stack, LATER + timedelta(hours=1))
    time.sleep(2)
    assert sent_to(fake, number)[before:] == []


def test_want_to_talk_to_someone_opens_a_case(
    stack: Stack, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = twilio[0], "+447700900313"
    consent(stack, fake, number)
    cases_before = db_rows(stack, "cairn.db", "SELECT count(*) FROM cases")[0][0]
    assert run_follow_ups(stack, LATER + timedelta(hours=2)) >= 1
    assert wait_for(lambda: any(CHECK_IN in m.body for m in sent_to(fake, number)), 20)
    reply = say(stack, fake, number, "6")
    assert THANKS["talk"][:20] in reply
    assert db_rows(stack, "cairn.db", "SELECT count(*) FROM cases")[0][0] == cases_before + 1


def test_a_restart_between_consent_and_sending_loses_nothing_and_sends_once(
    tmp_path: Path, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, number = twilio[0], "+447700900314"
    data_dir = tmp_path / "restart"
    first = start_stack(data_dir, env=twilio_env(twilio[1]))
    try:
        consent(first, fake, number)
    finally:
        for pid in descendants(first.process.pid) | {first.process.pid}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # no clean shutdown
        first.process.wait(timeout=30)
    second = start_stack(data_dir, env=twilio_env(twilio[1]))
    try:
        before = len(sent_to(fake, number))
        assert run_follow_ups(second, LATER) == 1
        assert run_follow_ups(second, LATER) == 0
        assert wait_for(lambda: any(CHECK_IN in m.body for m in sent_to(fake, number)), 20)
        time.sleep(1.5)
        assert [CHECK_IN in m.body for m in sent_to(fake, number)[before:]] == [True]
    finally:
        stop_stack(second)


def test_a_web_check_in_waits_for_the_next_visit_and_its_buttons_answer_it(
    stack: Stack, api: httpx.Client
) -> None:
    session = "followup-web-visit-1"

    def say_web(text: str) -> dict[str, Any]:
        response = api.post("/api/web/messages", json={"session": session, "text": text})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    say_web("how do I find an apprenticeship?")
    offer = say_web("thanks, that really helped")["replies"][-1]
    assert "in 2 weeks" in offer["text"]
    assert [b["payload"] for b in offer["buttons"]] == ["/followup_yes", "/followup_no"]
    assert CONSENTED[:40] in say_web("/followup_yes")["replies"][0]["text"]
    history = api.get("/api/web/history", params={"session": session}).json()
    assert not any(m["buttons"] for m in history["messages"])  # not due: nothing to show
    with sqlite3.connect(stack.data_dir / "cairn.db") as db:  # two weeks pass
        db.execute(
            "UPDATE follow_ups SET due_at = '2000-01-01 00:00:00' WHERE status = 'scheduled'"
            " AND channel = 'web'"
        )
    history = api.get("/api/web/history", params={"session": session}).json()
    shown = history["messages"][-1]
    assert shown["text"] == CHECK_IN
    assert "/checkin_course" in [b["payload"] for b in shown["buttons"]]
    assert THANKS["course"] in say_web("/checkin_course")["replies"][0]["text"]
    history = api.get("/api/web/history", params={"session": session}).json()
    assert not any(m["buttons"] for m in history["messages"])  # answered: gone
