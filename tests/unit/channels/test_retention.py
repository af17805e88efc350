from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import Conversation, Message
from channels.retention import is_delete_request, purge
from escalation.models import Case


@pytest.mark.parametrize(
    ("message", "wanted"),
    [
        ("delete my data", True),
        ("Please delete my chat!", True),
        ("wipe this conversation", True),
        ("how do i delete my data from my old phone for a job", False),
        ("delete", False),
    ],
)
def test_delete_requests_are_recognised(message: str, wanted: bool) -> None:
    assert is_delete_request(message) is wanted


def test_purge_deletes_old_conversations_everywhere_and_keeps_recent_ones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'main.db'}"
    upgrade("main", url)
    db = Database(url)
    now = datetime.now(UTC)
    with db.session() as session:
        for conv_id, age in (("old", 120), ("new", 5)):
            seen = now - timedelta(days=age)
            session.add(Conversation(id=conv_id, channel="web", created_at=seen, last_seen_at=seen))
            session.add(Message(conversation_id=conv_id, direction="in", author="user",
                                text="hi", created_at=seen))  # fmt: skip
        session.flush()
        session.add(Case(conversation_id="old", channel="web", reason="x", created_at=now))
    tracker = create_engine(f"sqlite:///{tmp_path / 'rasa.db'}")
    with tracker.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)"))
        connection.execute(text("INSERT INTO events (sender_id) VALUES ('old'), ('new')"))
    with db.session() as session:
        assert purge(session=session, tracker_engine=tracker, now=now, retention_days=90) == 1
    with db.session() as session:
        assert session.scalars(select(Conversation.id)).all() == ["new"]
        assert session.scalar(select(func.count()).select_from(Message)) == 1
        assert session.scalar(select(func.count()).select_from(Case)) == 0
    with tracker.connect() as connection:
        assert connection.execute(text("SELECT sender_id FROM events")).scalars().all() == ["new"]
