"""The outbox against a real SQLite store; the provider is a stub (the network edge)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import OptOut, OutboxMessage
from channels.outbox import MAX_ATTEMPTS, OutboxWorker, enqueue


class FlakyProvider:
    """Fails for one poison address, delivers the rest."""

    def __init__(self) -> None:
        self.delivered: list[str] = []

    async def send(self, address: str, body: dict[str, Any]) -> str:
        if address == "+poison":
            raise RuntimeError("provider rejected the message")
        self.delivered.append(body["text"])
        return f"id-{len(self.delivered)}"


def make(tmp_path: Path) -> tuple[Database, OutboxWorker, FlakyProvider, list[datetime]]:
    url = f"sqlite:///{tmp_path / 'main.db'}"
    upgrade("main", url)
    db, provider, now = Database(url), FlakyProvider(), [datetime.now(UTC)]
    worker = OutboxWorker(
        db=db, senders={"sms": provider}, opt_out_id=lambda c, a: f"{c}:{a}", clock=lambda: now[0]
    )
    return db, worker, provider, now


def put(db: Database, address: str, text: str) -> None:
    with db.session() as session:
        enqueue(session=session, channel="sms", conversation_id="c", address=address,
                body={"text": text})  # fmt: skip


async def test_a_poison_message_does_not_block_the_rest_and_is_dead_lettered(
    tmp_path: Path,
) -> None:
    db, worker, provider, now = make(tmp_path)
    put(db, "+poison", "never")
    put(db, "+447700900001", "one")
    put(db, "+447700900002", "two")
    now[0] += timedelta(seconds=1)
    await worker.deliver_due()
    assert provider.delivered == ["one", "two"]
    for _ in range(MAX_ATTEMPTS):
        now[0] += timedelta(minutes=10)
        await worker.deliver_due()
    with db.session() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [r.status for r in rows] == ["dead", "sent", "sent"]
        assert rows[0].attempts == MAX_ATTEMPTS and "rejected" in (rows[0].last_error or "")
        assert rows[1].address is None  # the number is erased once delivered


async def test_an_opted_out_number_is_never_sent_to(tmp_path: Path) -> None:
    db, worker, provider, now = make(tmp_path)
    with db.session() as session:
        session.add(OptOut(id="sms:+447700900003", channel="sms"))
    put(db, "+447700900003", "should not go")
    now[0] += timedelta(seconds=1)
    await worker.deliver_due()
    assert provider.delivered == []
    with db.session() as session:
        assert session.scalars(select(OutboxMessage.status)).one() == "suppressed"
