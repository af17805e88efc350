from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cairn.db import Database
from cairn.migrations import upgrade
from channels.live import LocalHub
from channels.models import Conversation, Message
from channels.rasa_client import RasaClient
from channels.router import RASA_TROUBLE, Router
from channels.schemas import Inbound
from insight.models import InsightOutbox
from knowledge.location import LocationResolver
from tests.conftest import SECRET


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_router(tmp_path: Path, **options: Any) -> Router:
    """A router on fresh databases, with nothing listening where Rasa should be."""
    main, insight = f"sqlite:///{tmp_path}/main.db", f"sqlite:///{tmp_path}/insight.db"
    upgrade("main", main)
    upgrade("insight", insight)
    rasa = RasaClient(f"http://127.0.0.1:{_closed_port()}", timeout_s=1)
    return Router(
        db=Database(main),
        rasa=rasa,
        resolver=LocationResolver(),
        hub=LocalHub(),
        secret=SECRET,
        **options,
    )


@pytest.fixture
def router(tmp_path: Path) -> Router:
    return make_router(tmp_path)


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


async def test_crisis_is_answered_without_rasa_and_waits_for_a_person(router: Router) -> None:
    turn = await router.handle(Inbound(channel="web", address="s-1234567", text="i want to die"))
    assert turn.handoff == "waiting"
    assert "116 123" in turn.replies[0].text
    assert turn.replies[0].sources == []


async def test_rasa_down_gives_a_kind_message_and_triage_still_runs(router: Router) -> None:
    turn = await router.handle(Inbound(channel="web", address="s-1234567", text="hello"))
    assert [r.text for r in turn.replies] == [RASA_TROUBLE]
    crisis = await router.handle(Inbound(channel="web", address="s-1234567", text="kill myself"))
    assert crisis.handoff == "waiting"


async def test_a_redelivered_provider_message_is_processed_once(router: Router) -> None:
    message = Inbound(
        channel="sms", address="+447700900123", text="i want to die", provider_id="SM1"
    )
    first = await router.handle(message)
    second = await router.handle(message)
    assert not first.duplicate and second.duplicate
    assert second.replies == []
    assert _count(router._db, Message) == 2  # one in, one out
    assert _count(router._db, InsightOutbox) == 1  # one insight event queued


async def test_the_address_is_never_stored(router: Router) -> None:
    await router.handle(Inbound(channel="sms", address="+447700900123", text="i want to die"))
    with router._db.session() as session:
        conversation = session.scalars(select(Conversation)).one()
    assert "7700900123" not in conversation.id
    assert len(conversation.id) == 32


async def test_a_postcode_is_replaced_by_its_council_area_before_anything_keeps_it(
    router: Router,
) -> None:
    await router.handle(Inbound(channel="web", address="s-7654321", text="im at PA1 2BX"))
    with router._db.session() as session:
        stored = session.scalars(select(Message.text).where(Message.direction == "in")).all()
    assert stored == ["im at Renfrewshire"]


async def test_a_failing_extra_never_costs_the_support_lines(router: Router) -> None:
    def broken(_now: object) -> str:
        raise RuntimeError("hours misconfigured")

    router._waiting = broken
    turn = await router.handle(Inbound(channel="web", address="s-crisis-77", text="i want to die"))
    assert "116 123" in turn.replies[0].text
    assert turn.handoff == "waiting"


async def test_a_received_sms_is_answered_once_and_its_address_then_forgotten(
    router: Router,
) -> None:
    from datetime import timedelta

    from channels.models import OutboxMessage

    message_id = await router.receive(
        Inbound(channel="sms", address="+447700900555", text="i want to die", provider_id="SM9")
    )
    assert message_id is not None
    assert (
        await router.receive(
            Inbound(channel="sms", address="+447700900555", text="i want to die", provider_id="SM9")
        )
        is None
    )  # the provider's retry
    assert await router.pending(timedelta(0)) == [message_id]  # as after a crash
    assert await router.process(message_id)
    assert not await router.process(message_id)  # a second worker, or a late retry
    assert await router.pending(timedelta(0)) == []
    with router._db.session() as session:
        queued = session.scalars(select(OutboxMessage)).all()
        stored = session.get_one(Message, message_id)
        assert queued and all(q.address == "+447700900555" for q in queued)
        assert "116 123" in queued[0].body
        assert stored.reply_to is None and stored.processed_at is not None


async def test_a_stored_sms_waits_for_a_rasa_that_is_starting_then_gets_the_apology(
    router: Router, tmp_path: Path
) -> None:
    from datetime import timedelta

    from channels.models import OutboxMessage

    message_id = await router.receive(
        Inbound(channel="sms", address="+447700900999", text="hello", provider_id="SM1")
    )
    assert message_id is not None
    assert await router.process(message_id) is False  # nothing listening: not answered yet
    db = router._db
    with db.session() as session:
        message = session.get_one(Message, message_id)
        assert message.processed_at is None and message.claimed_at is None
        assert message.reply_to == "+447700900999"
    assert _count(db, OutboxMessage) == 0
    impatient = Router(
        db=db,
        rasa=RasaClient(f"http://127.0.0.1:{_closed_port()}", timeout_s=1),
        resolver=LocationResolver(),
        hub=LocalHub(),
        secret=SECRET,
        rasa_grace=timedelta(0),
    )
    assert await impatient.process(message_id) is True  # waited long enough: the apology
    with db.session() as session:
        bodies = [row.body for row in session.scalars(select(OutboxMessage))]
    assert len(bodies) == 1 and "0800 917 8000" in bodies[0]
