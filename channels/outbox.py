"""Durable outbound delivery: replies are committed first, then sent with retries and backoff.

A provider that is down delays replies; it never loses them. A row is claimed with a lease, so
several workers (replicas) never send the same row twice while a send is in flight. After
`MAX_ATTEMPTS` a row is dead-lettered with its last error for `cairn outbox` to show.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from anyio import to_thread
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from tenacity import RetryCallState, wait_exponential

from cairn.db import Database
from channels.models import OptOut, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
LEASE = timedelta(seconds=60)
# Retry waits: 1 s, 2 s, 4 s ... capped at 5 minutes (tenacity's exponential backoff).
BACKOFF = wait_exponential(multiplier=1, min=1, max=300)


class Sender(Protocol):
    """Delivers one message through a provider; returns the provider's message id."""

    async def send(self, address: str, body: dict[str, Any]) -> str:
        """Send, or raise on any failure."""
        ...


def enqueue(
    *, session: Session, channel: str, conversation_id: str, address: str, body: dict[str, Any]
) -> None:
    """Add one message to the outbox (committed with the turn that produced it)."""
    session.add(
        OutboxMessage(
            channel=channel,
            conversation_id=conversation_id,
            address=address,
            body=json.dumps(body),
            next_attempt_at=datetime.now(UTC),
        )
    )


def opted_out(session: Session, opt_out_id: str) -> bool:
    """Whether this address said STOP."""
    return session.get(OptOut, opt_out_id) is not None


class OutboxWorker:
    """Sends due messages; one per process, safe to run on every replica."""

    def __init__(
        self,
        *,
        db: Database,
        senders: dict[str, Sender],
        opt_out_id: Callable[[str, str], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        interval_s: float = 0.2,
    ) -> None:
        self._db = db
        self._senders = senders
        self._opt_out_id = opt_out_id
        self._clock = clock
        self._interval_s = interval_s
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """Something was enqueued: look now rather than at the next tick."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver forever (cancel to stop)."""
        while True:
            try:
                sent = await self.deliver_due()
            except Exception:  # a broken database must not kill the worker
                log.exception("outbox pass failed")
                sent = 0
            if not sent:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self._interval_s)
                except TimeoutError:
                    pass

    async def deliver_due(self, limit: int = 20) -> int:
        """Send every due message once; return how many were attempted."""
        claimed = await to_thread.run_sync(self._claim, limit)
        for row_id, channel, address, body in claimed:
            await self._deliver(row_id, channel, address, body)
        return len(claimed)

    def _claim(self, limit: int) -> list[tuple[int, str, str, dict[str, Any]]]:
        now = self._clock()
        claimed = []
        with self._db.session() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status.in_(("pending", "sending")))
                .where(OutboxMessage.next_attempt_at <= now)
                .where(OutboxMessage.channel.in_(tuple(self._senders)))
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).all()
            for row in rows:
                won = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id)
                    .where(OutboxMessage.next_attempt_at == row.next_attempt_at)
                    .values(status="sending", next_attempt_at=now + LEASE)
                )
                if getattr(won, "rowcount", 0) == 1 and row.address:
                    claimed.append((row.id, row.channel, row.address, json.loads(row.body)))
        return claimed

    async def _deliver(self, row_id: int, channel: str, address: str, body: dict[str, Any]) -> None:
        if await to_thread.run_sync(self._is_opted_out, channel, address):
            await to_thread.run_sync(self._finish, row_id, "suppressed", None, None)
            return
        try:
            provider_id = await self._senders[channel].send(address, body)
        except Exception as exc:  # every provider failure is retried, then dead-lettered
            await to_thread.run_sync(self._retry, row_id, f"{type(exc).__name__}: {exc}")
            return
        await to_thread.run_sync(self._finish, row_id, "sent", provider_id, None)

    def _is_opted_out(self, channel: str, address: str) -> bool:
        with self._db.session() as session:
            return opted_out(session, self._opt_out_id(channel, address))

    def _finish(self, row_id: int, status: str, provider_id: str | None, error: str | None) -> None:
        with self._db.session() as session:
            row = session.get_one(OutboxMessage, row_id)
            row.status, row.provider_id, row.last_error = status, provider_id, error
            row.sent_at = self._clock() if status == "sent" else None
            row.address = None  # delivered or suppressed: the number is no longer needed

    def _retry(self, row_id: int, error: str) -> None:
        with self._db.session() as session:
            row = session.get_one(OutboxMessage, row_id)
            row.attempts += 1
            row.last_error = error[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "dead"
                return
            row.status = "pending"
            wait = BACKOFF(cast(RetryCallState, _RetryState(row.attempts)))
            row.next_attempt_at = self._clock() + timedelta(seconds=wait)
            log.warning("outbox %s: attempt %s failed, retry in %.0fs", row_id, row.attempts, wait)


class _RetryState:
    """The one attribute tenacity's wait strategies read."""

    def __init__(self, attempt_number: int) -> None:
        self.attempt_number = attempt_number
