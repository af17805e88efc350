"""Delivery statuses from the provider, against a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import OutboxMessage
from channels.service import record_delivery


def make_sent(tmp_path: Path, provider_id: str = "SM1") -> Database:
    url = f"sqlite:///{tmp_path / 'main.db'}"
    upgrade("main", url)
    db = Database(url)
    with db.session() as session:
        session.add(
            OutboxMessage(
                channel="sms",
                conversation_id="c",
                body="{}",
                status="sent",
                provider_id=provider_id,
            )
        )
    return db


def delivery_status(db: Database) -> str | None:
    with db.session() as session:
        return session.get_one(OutboxMessage, 1).delivery_status


@pytest.mark.parametrize(
    ("callbacks", "kept"),
    [
        (["queued", "sent", "delivered"], "delivered"),
        (["delivered", "sent"], "delivered"),
        (["delivered", "sending", "queued"], "delivered"),
        (["undelivered", "sent"], "undelivered"),
        (["sent", "queued"], "sent"),
        (["failed", "sent", "sending"], "failed"),
        (["delivered", "read"], "read"),
        (["sent", "some-new-status"], "sent"),
        (["some-new-status", "sent"], "sent"),
    ],
)
def test_a_late_callback_never_moves_the_status_backwards(
    tmp_path: Path, callbacks: list[str], kept: str
) -> None:
    db = make_sent(tmp_path)
    for status in callbacks:
        record_delivery(db, "SM1", status)
    assert delivery_status(db) == kept


def test_a_callback_for_an_unknown_message_changes_nothing(tmp_path: Path) -> None:
    db = make_sent(tmp_path)
    record_delivery(db, "SM-other", "delivered")
    assert delivery_status(db) is None
