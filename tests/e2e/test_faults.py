"""Faults with real processes: a crash in the middle of a turn loses nothing, answers once."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from evaluation.soak_stack import cmdline, descendants
from tests.e2e.conftest import start_stack, stop_stack, twilio_env
from tests.e2e.test_sms import post_sms, sent_to, wait_for
from tests.fakes.server import LoopbackServer
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.e2e


def test_kill_9_in_the_middle_of_a_turn_then_restart_answers_exactly_once(
    tmp_path: Path, twilio: tuple[FakeTwilio, LoopbackServer]
) -> None:
    fake, server, number = twilio[0], twilio[1], "+447700900188"
    data_dir = tmp_path / "crash"
    env = {**twilio_env(server), "RESUME_AFTER_S": "2"}
    first = start_stack(data_dir, env=env)
    processes = descendants(first.process.pid) | {first.process.pid}
    rasa = [p for p in processes if "rasa run" in cmdline(p)]
    assert rasa, "no Rasa process found"
    try:
        os.kill(rasa[0], signal.SIGSTOP)  # Rasa hangs: the turn is in flight
        assert post_sms(first, number, "hello").status_code == 200  # committed, then 200
        time.sleep(1.0)
        assert sent_to(fake, number) == []
    finally:
        for pid in processes:  # the machine dies: no clean shutdown anywhere
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        first.process.wait(timeout=30)
    second = start_stack(data_dir, env=env)
    try:
        assert wait_for(lambda: len(sent_to(fake, number)) >= 1, timeout_s=40)
        time.sleep(3)  # a second answer, if there were one, would be out by now
        bodies = [m.body for m in sent_to(fake, number)]
        assert len(bodies) == len(set(bodies)) >= 1  # answered, and nothing twice
    finally:
        stop_stack(second)


def test_while_rasa_is_unresponsive_people_get_a_way_to_a_person_and_triage_still_runs(
    tmp_path: Path,
) -> None:
    import httpx

    stack = start_stack(tmp_path / "rasa-down", env={"RASA_TIMEOUT_S": "2"})
    rasa = [p for p in descendants(stack.process.pid) if "rasa run" in cmdline(p)]
    try:
        os.kill(rasa[0], signal.SIGSTOP)
        with httpx.Client(base_url=stack.api_url, timeout=30) as api:
            said = api.post("/api/web/messages", json={"session": "down-1234", "text": "hello"})
            assert said.status_code == 200
            assert "0800 917 8000" in said.json()["replies"][0]["text"]  # how to reach a person
            crisis = api.post(
                "/api/web/messages", json={"session": "down-1234", "text": "i want to kill myself"}
            )
            assert "116 123" in crisis.json()["replies"][0]["text"]
            assert crisis.json()["handoff"] == "waiting"
            assert api.get("/healthz").status_code == 503
            os.kill(rasa[0], signal.SIGCONT)
            assert wait_for(lambda: api.get("/healthz").status_code == 200, timeout_s=20)
            back = api.post("/api/web/messages", json={"session": "down-5678", "text": "hello"})
            assert "Cairn" in back.json()["replies"][0]["text"]  # the bot carries on
    finally:
        os.kill(rasa[0], signal.SIGCONT)
        stop_stack(stack)
