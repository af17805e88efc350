"""A soak of the whole stack: a steady SMS rate for minutes, with one fault injected midway.

The soak starts the real `cairn run` in a throwaway data directory with SMS pointed at a
loopback fake of Twilio's Messages API, then drives the signed SMS webhook open loop: message
n is posted at start + n/rate whatever the replies. Each message has its own MessageSid. A
webhook that fails (connection refused while the api is down, a timeout, a 5xx) is posted
again with the same MessageSid and signature, as Twilio would, so the service's dedupe is
exercised.

Senders are people: one writes again only 5-15 s after the first reply to their last message,
for up to 8 turns; when nobody is free, a new person arrives. So no sender ever has two
messages waiting, and every SMS that reaches a number belongs to that number's latest message
(see `evaluation.soak_ledger` for the exact definitions of answered, duplicated and lost).
Latency runs from the first webhook attempt to the first reply reaching the provider. Memory
is the RSS of every process `cairn run` started (api and Rasa), read from /proc.

Faults: `kill-api` SIGKILLs the api; `cairn run` then stops the stack (it restarts nothing, by
design) and the soak starts it again, as a process manager would. `stop-rasa` SIGSTOPs Rasa for
30 s; `provider-down` makes the fake answer 503 for 60 s; `none` is a baseline.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import random
import secrets
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select
from twilio.request_validator import RequestValidator

from channels.models import Message, OutboxMessage
from channels.router import RASA_TROUBLE
from evaluation.bench_chat import CONVERSATION_TURNS, messages
from evaluation.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    FakeTwilio,
)
from evaluation.loopback import LoopbackServer
from evaluation.soak_ledger import Ledger, Phases
from evaluation.soak_stack import API_MARKER, RASA_MARKER, SoakStack

FAULTS = ("kill-api", "stop-rasa", "provider-down", "none")
FAULT_SECONDS = {"stop-rasa": 30.0, "provider-down": 60.0}
THINK_S = (5.0, 15.0)
MEMORY_EVERY_S = 5.0


class _Senders:
    """Who writes next: someone whose last message was answered a while ago, or a newcomer."""

    def __init__(self, rng: random.Random, turns: int = CONVERSATION_TURNS) -> None:
        self._rng = rng
        self._turns = turns
        self._ready: list[tuple[float, str]] = []
        self.turn: dict[str, int] = {}

    def take(self, now: float) -> tuple[str, int]:
        """A number and its turn (0 for a newcomer)."""
        if self._ready and self._ready[0][0] <= now:
            number = heapq.heappop(self._ready)[1]
        else:
            number = f"+447{len(self.turn):09d}"
            self.turn[number] = -1
        self.turn[number] += 1
        return number, self.turn[number]

    def answered(self, number: str, at: float) -> None:
        """The first reply to `number`'s latest message arrived at `at`."""
        if self.turn[number] + 1 < self._turns:
            heapq.heappush(self._ready, (at + self._rng.uniform(*THINK_S), number))


@dataclass
class _Webhooks:
    retries: int = 0
    rejected: int = 0
    undelivered: int = 0


async def _post(
    client: httpx.AsyncClient, url: str, form: dict[str, str], give_up: float, hooks: _Webhooks
) -> None:
    """Post one signed webhook; on failure post it again (same MessageSid) with backoff."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    delay = 0.5
    while True:
        try:
            response = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
            if response.status_code < 500:
                hooks.rejected += response.status_code != 200
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() + delay > give_up:
            hooks.undelivered += 1
            return
        hooks.retries += 1
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


async def _inject(fault: str, seconds: float, stack: SoakStack, fake: FakeTwilio) -> dict[str, Any]:
    """Apply the fault and wait until it is over; what happened."""
    if fault == "kill-api":
        os.kill(stack.service_pid(API_MARKER), signal.SIGKILL)
        code = await asyncio.to_thread(stack.wait_exit)
        if code is None:
            await asyncio.to_thread(stack.stop)
        restart_s = await asyncio.to_thread(stack.start)
        return {"cairn_run_exit": code, "restart_s": round(restart_s, 1)}
    if fault == "stop-rasa":
        group = os.getpgid(stack.service_pid(RASA_MARKER))
        if group == os.getpgrp():
            raise RuntimeError("Rasa shares the soak's process group")
        os.killpg(group, signal.SIGSTOP)
        try:
            await asyncio.sleep(seconds)
        finally:
            os.killpg(group, signal.SIGCONT)
    elif fault == "provider-down":
        fake.fail_for(seconds)
        await asyncio.sleep(seconds)
    return {}


async def _soak(
    stack: SoakStack,
    fake: FakeTwilio,
    *,
    rate: float,
    seconds: float,
    fault: str,
    fault_s: float,
    recovery_s: float,
    drain_s: float,
    seed: int,
    say: Callable[[str], None],
) -> dict[str, Any]:
    ledger, senders, pick = Ledger(), _Senders(random.Random(seed)), messages("realistic", seed)
    hooks, url = _Webhooks(), f"{stack.api_url}/channels/twilio/sms"
    start = time.monotonic()
    end, fault_at = start + seconds, start + seconds / 2
    give_up = end + drain_s
    window = {"start": fault_at, "end": fault_at}
    memory = [(0.0, stack.rss_mb())]
    info: dict[str, Any] = {}

    def collect() -> None:
        for sms in fake.take():
            message = ledger.reply(to=sms.to, body=sms.body, at=sms.at)
            if message is not None and len(message.replies) == 1:
                senders.answered(message.sender, sms.at)

    async def watch() -> None:
        while True:
            collect()
            now = time.monotonic()
            if now - start >= memory[-1][0] + MEMORY_EVERY_S:
                memory.append((now - start, stack.rss_mb()))
                if len(memory) % 6 == 0:
                    say(
                        f"{now - start:5.0f}s sent {len(ledger.sent)}, "
                        f"unanswered {ledger.unanswered()}, rss {memory[-1][1]:.0f} MB"
                    )
            await asyncio.sleep(0.1)

    async def inject() -> None:
        await asyncio.sleep(max(0.0, fault_at - time.monotonic()))
        window["start"] = time.monotonic()
        info["rss_before_fault_mb"] = stack.rss_mb()
        say(f"fault: {fault}")
        info.update(await _inject(fault, fault_s, stack, fake))
        window["end"] = time.monotonic()
        say(f"fault over after {window['end'] - window['start']:.0f}s")

    posts: list[asyncio.Task[None]] = []
    watcher, injector = asyncio.create_task(watch()), asyncio.create_task(inject())
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:
        for n in itertools.count():
            due = start + n / rate
            if due >= end:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            number, turn = senders.take(time.monotonic())
            form = {
                "AccountSid": ACCOUNT_SID,
                "MessageSid": "SM" + uuid.uuid4().hex,
                "From": number,
                "To": FROM_NUMBER,
                "Body": pick(turn),
                "NumMedia": "0",
            }
            ledger.send(sid=form["MessageSid"], sender=number, at=time.monotonic())
            posts.append(asyncio.create_task(_post(client, url, form, give_up, hooks)))
        await injector
        say(f"load done; waiting up to {drain_s:.0f}s for {ledger.unanswered()} replies")
        while ledger.unanswered() and time.monotonic() < give_up:
            await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # a late duplicate would arrive now
        await asyncio.gather(*posts)
    watcher.cancel()
    collect()
    phases = Phases(window["start"], window["end"], recovery_s)
    return {
        **ledger.summary(phases, trouble_prefix=RASA_TROUBLE[:30]),
        "senders": len(senders.turn),
        "webhook_retries": hooks.retries,
        "webhook_rejected": hooks.rejected,
        "webhook_undelivered": hooks.undelivered,
        "provider_503s": fake.refused,
        "fault_at_s": round(window["start"] - start, 1),
        "fault_s": round(window["end"] - window["start"], 1),
        **info,
        "rss_start_mb": memory[0][1],
        "rss_end_mb": stack.rss_mb(),
        "rss_max_mb": max(mb for _, mb in memory),
        "drain_s": round(max(0.0, time.monotonic() - end), 1),
    }


def _stored(data_dir: Path) -> dict[str, Any]:
    """What the service's own database says: inbound SMS kept, left unanswered; the outbox."""
    engine = create_engine(f"sqlite:///{data_dir / 'cairn.db'}")
    with engine.connect() as db:
        inbound = (
            select(func.count())
            .select_from(Message)
            .where(Message.direction == "in", Message.dedupe_key.like("sms:%"))
        )
        stored = db.scalar(inbound) or 0
        pending = db.scalar(inbound.where(Message.processed_at.is_(None))) or 0
        outbox = dict(
            db.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
            .tuples()
            .all()
        )
    engine.dispose()
    return {
        "stored_inbound": stored,
        "stored_unprocessed": pending,
        "outbox_dead": outbox.get("dead", 0),
        "outbox": outbox,
    }


def run(
    *,
    rate: float,
    minutes: float,
    fault: str,
    models_dir: Path,
    chroma_path: Path | None,
    fault_s: float = 0,
    recovery_s: float = 60,
    drain_s: float = 120,
    keep: bool = False,
    seed: int = 1,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Start the stack, soak it, inject `fault` midway; the figures."""
    if fault not in FAULTS:
        raise ValueError(f"fault must be one of {', '.join(FAULTS)}")
    fault_s = fault_s or FAULT_SECONDS.get(fault, 0.0)
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-soak-"))
    fake = FakeTwilio()
    try:
        with LoopbackServer(fake.app()) as server:
            env = {
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "TWILIO_FROM_NUMBER": FROM_NUMBER,
                "TWILIO_API_BASE_URL": server.url,
                "SECRET_KEY": secrets.token_urlsafe(48),
            }
            stack = SoakStack(
                data_dir=data_dir, models_dir=models_dir, chroma_path=chroma_path, env=env
            )
            say(f"starting cairn run in {data_dir}")
            ready_s = stack.start()
            say(f"ready in {ready_s:.0f}s; {rate:g} msgs/s for {minutes:g} min, fault {fault}")
            try:
                report = asyncio.run(
                    _soak(
                        stack,
                        fake,
                        rate=rate,
                        seconds=minutes * 60,
                        fault=fault,
                        fault_s=fault_s,
                        recovery_s=recovery_s,
                        drain_s=drain_s,
                        seed=seed,
                        say=say,
                    )
                )
            finally:
                stack.stop()
        report = {"rate": rate, "minutes": minutes, "fault": fault, **report, **_stored(data_dir)}
    finally:
        if keep:
            say(f"data and logs kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    if keep:
        report["data_dir"] = str(data_dir)
    return report
