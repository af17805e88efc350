"""Insight events travel through the outbox exactly once; phrases publish only at k."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import Conversation
from channels.retention import delete_conversations
from insight import service
from insight.models import InsightEvent, InsightOutbox, PhraseSighting, ThemePhrase
from insight.relay import InsightRelay
from insight.service import TurnFacts

AT = datetime(2026, 11, 24, 21, 47, 12, tzinfo=UTC)


@pytest.fixture
def stores(tmp_path: Path) -> tuple[Database, Database]:
    main, insight = f"sqlite:///{tmp_path}/main.db", f"sqlite:///{tmp_path}/insight.db"
    upgrade("main", main)
    upgrade("insight", insight)
    return Database(main), Database(insight)


def relay(stores: tuple[Database, Database], k: int = 3) -> InsightRelay:
    return InsightRelay(
        db=stores[0], insight_db=stores[1], theme=lambda _: "cvs-cover-letters", min_conversations=k
    )


def ask(db: Database, conversation: str, question: str, answered: bool = False) -> None:
    with db.session() as session:
        if session.get(Conversation, conversation) is None:
            session.add(Conversation(id=conversation, channel="sms"))
        service.enqueue(
            session=session,
            facts=TurnFacts(channel="sms", answered=answered),
            at=AT,
            unanswered_question=None if answered else question,
            conversation_id=conversation,
        )


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_event_is_relayed_once_even_if_its_row_survives_a_crash(
    stores: tuple[Database, Database],
) -> None:
    main, insight = stores
    ask(main, "c1", "how do i write a cv", answered=True)
    with main.session() as session:
        row = session.scalars(select(InsightOutbox)).one()
        copy = InsightOutbox(event=row.event)
    assert relay(stores).relay_all() == 1
    with main.session() as session:  # the crash: the event was written, the row not deleted
        session.add(copy)
    assert relay(stores).relay_all() == 1
    assert count(insight, InsightEvent) == 1 and count(main, InsightOutbox) == 0
    with insight.session() as session:
        event = session.scalars(select(InsightEvent)).one()
    assert event.hour.replace(tzinfo=None) == datetime(2026, 11, 24, 21)  # the hour, no more


def test_a_phrase_is_published_only_once_k_conversations_used_it(
    stores: tuple[Database, Database],
) -> None:
    main, insight = stores
    ask(main, "c1", "my name is Ailsa Campbell, how do i write a cover letter for tesco")
    ask(main, "c1", "cover letter for tesco?")  # the same person again does not count twice
    ask(main, "c2", "cover letter for tesco please")
    relay(stores).relay_all()
    assert count(insight, ThemePhrase) == 0
    ask(main, "c3", "what goes in a cover letter for tesco")
    relay(stores).relay_all()
    with insight.session() as session:
        published = {p.phrase: p.conversations for p in session.scalars(select(ThemePhrase))}
    assert published["cover letter"] == 3
    assert not any("ailsa" in p or "campbell" in p for p in published)
    with insight.session() as session:
        themes = set(session.scalars(select(InsightEvent.theme)))
    assert themes == {"cvs-cover-letters"}


def test_no_text_or_conversation_id_reaches_the_insight_database(
    stores: tuple[Database, Database], tmp_path: Path
) -> None:
    main, insight = stores
    ask(main, "conversation-4f2a9", "my name is Ailsa Campbell call me on 07700 900123")
    relay(stores, k=2).relay_all()
    insight.dispose()
    raw = (tmp_path / "insight.db").read_bytes()
    for secret in (b"Ailsa", b"Campbell", b"07700", b"900123", b"conversation-4f2a9", b"call me"):
        assert secret not in raw
    with main.session() as session:  # the question is gone from the main store too
        assert session.scalar(select(func.count()).select_from(InsightOutbox)) == 0
        phrases = set(session.scalars(select(PhraseSighting.phrase)))
    assert not any("ailsa" in p or "0770" in p for p in phrases)


def test_deleting_a_conversation_deletes_its_phrase_sightings(
    stores: tuple[Database, Database],
) -> None:
    main, _ = stores
    ask(main, "c1", "cover letter for tesco")
    relay(stores).relay_all()
    assert count(main, PhraseSighting) > 0
    with main.session() as session:
        delete_conversations(session=session, conversation_ids=["c1"])
    assert count(main, PhraseSighting) == 0
