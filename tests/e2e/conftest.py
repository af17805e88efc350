"""The real stack (`cairn run`: Rasa server + api), started once per session."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from cairn import rasa_model
from tests.conftest import REPO, SECRET
from tests.e2e.browser import chromium
from tests.fakes.server import LoopbackServer
from tests.fakes.telegram import TOKEN as TELEGRAM_TOKEN
from tests.fakes.telegram import FakeTelegram
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.servers import free_port


@dataclass
class Stack:
    """A running `cairn run` and how to reach it."""

    process: subprocess.Popen[str]
    api_url: str
    rasa_url: str
    data_dir: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def start_stack(
    data_dir: Path, timeout_s: float = 240, env: dict[str, str] | None = None, api_port: int = 0
) -> Stack:
    """Run `cairn run` against the repository's trained model and index, in `data_dir`."""
    models = REPO / "var" / "models"
    if not rasa_model.is_current(models):
        pytest.fail("the Rasa model is stale or missing: `make test` trains it first")
    api_port, rasa_port = api_port or free_port(), free_port()
    env = {
        **os.environ,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{api_port}",
        **(env or {}),
        "CAIRN_DATA_DIR": str(data_dir),
        "MODELS_DIR": str(models),
        "CHROMA_PATH": str(REPO / "var" / "chroma"),
        "API_PORT": str(api_port),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "SECRET_KEY": SECRET,
    }
    log = data_dir / "cairn-run.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "cairn.cli", "run"],
        cwd=data_dir,  # no .env from the checkout
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    stack = Stack(
        process, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{rasa_port}", data_dir, log
    )
    deadline = time.monotonic() + timeout_s
    while "Press Ctrl-C to stop." not in stack.output():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_stack(stack)
            pytest.fail(f"cairn run did not start:\n{stack.output()}")
        time.sleep(0.5)
    return stack


def stop_stack(stack: Stack) -> int:
    """Ctrl-C, as a person would; return the exit code."""
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
    try:
        return stack.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        return -9


@pytest.fixture(scope="session")
def twilio() -> Iterator[tuple[FakeTwilio, LoopbackServer]]:
    fake = FakeTwilio()
    with LoopbackServer(fake.app()) as server:
        yield fake, server


def twilio_env(server: LoopbackServer) -> dict[str, str]:
    """Settings that point SMS at the loopback fake."""
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+447700900000",
        "TWILIO_API_BASE_URL": server.url,
    }


@pytest.fixture(scope="session")
def telegram() -> Iterator[tuple[FakeTelegram, LoopbackServer]]:
    fake = FakeTelegram()
    with LoopbackServer(fake.app()) as server:
        yield fake, server


TELEGRAM_SECRET = "telegram-webhook-secret-for-tests-0123456789"


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    twilio: tuple[FakeTwilio, LoopbackServer],
    telegram: tuple[FakeTelegram, LoopbackServer],
) -> Iterator[Stack]:
    env = {
        **twilio_env(twilio[1]),
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": telegram[1].url + "/bot",
    }
    running = start_stack(tmp_path_factory.mktemp("stack"), env=env)
    yield running
    stop_stack(running)


@pytest.fixture(scope="session")
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium for the pages, one per test module."""
    with chromium() as running:
        yield running


def latest_case(stack: Stack, text: str) -> sqlite3.Row | None:
    """The newest case of the conversation with a message containing `text`, if any."""
    with sqlite3.connect(stack.data_dir / "cairn.db") as db:
        db.row_factory = sqlite3.Row
        row: sqlite3.Row | None = db.execute(
            "SELECT cases.id, cases.priority, cases.triage_reasons FROM cases JOIN messages ON "
            "messages.conversation_id = cases.conversation_id WHERE messages.text LIKE ? "
            "ORDER BY cases.id DESC",
            (f"%{text}%",),
        ).fetchone()
    return row


def case_with(stack: Stack, text: str) -> int:
    """The id of the newest case of the conversation with a message containing `text`."""
    row = latest_case(stack, text)
    assert row, text
    return int(row["id"])
