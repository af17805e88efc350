"""Every path of a risky message through the router: concern, the safety check, a live case."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from channels.models import Conversation
from channels.router import Router
from channels.schemas import Inbound
from escalation import service as cases
from escalation.auth import add_user
from escalation.models import URGENT, Case
from escalation.replies import GLAD_SAFE, NOT_SAFE
from escalation.risk import Risk
from escalation.triage import Thresholds
from insight.models import InsightOutbox
from knowledge.embedding import Embedder, Vectors
from tests.unit.channels.test_router import make_router


class WordRisk:
    """Reads 'wobbly' as a sign of risk the model is unsure of, 'bridge' as a crisis."""

    def assess(self, text: str, vector: Vectors | None = None) -> Risk:  # noqa: ARG002
        crisis = 0.9 if "bridge" in text else 0.3 if "wobbly" in text else 0.0
        return Risk(crisis, 0.0, "suicide", "distress")


@pytest.fixture
def router(tmp_path: Path) -> Router:
    return make_router(tmp_path, risk=WordRisk(), thresholds=Thresholds(crisis=0.5, concern=0.2))


async def test_a_concern_asks_whether_they_are_safe_with_the_lines_and_a_person(
    router: Router,
) -> None:
    turn = await router.handle(Inbound(channel="web", address="s-concern-1", text="so wobbly"))
    first = turn.replies[0]
    assert "are you safe right now?" in first.text and "116 123" in first.text
    assert [b.payload for b in first.buttons] == ["/safe", NOT_SAFE, "/request_human"]
    assert "SAFE" in first.meta["sms_text"]
    assert turn.handoff == "none"  # offered, not forced
    assert all("trouble" not in r.text for r in turn.replies)  # no fallback after the check
    with router._db.session() as session:
        assert session.scalars(select(Conversation)).one().safety_check_at is not None
        assert session.scalars(select(Case)).all() == []


async def test_no_after_the_check_is_a_crisis(router: Router) -> None:
    await router.handle(Inbound(channel="web", address="s-concern-2", text="so wobbly"))
    turn = await router.handle(Inbound(channel="web", address="s-concern-2", text="naw"))
    assert turn.handoff == "waiting" and "999" in turn.replies[0].text
    with router._db.session() as session:
        case = session.scalars(select(Case)).one()
        assert case.priority == URGENT and "crisis:not_safe" in case.triage_reasons
        assert session.scalars(select(Conversation)).one().safety_check_at is None


async def test_yes_carries_on_and_a_later_concern_asks_again(router: Router) -> None:
    await router.handle(Inbound(channel="web", address="s-concern-3", text="so wobbly"))
    turn = await router.handle(Inbound(channel="web", address="s-concern-3", text="aye im fine"))
    assert [r.text for r in turn.replies] == [GLAD_SAFE]
    again = await router.handle(Inbound(channel="web", address="s-concern-3", text="wobbly"))
    assert again.handoff == "none" and "are you safe" in again.replies[0].text


async def test_more_risk_before_any_answer_is_a_crisis(router: Router) -> None:
    await router.handle(Inbound(channel="web", address="s-concern-4", text="so wobbly"))
    turn = await router.handle(Inbound(channel="web", address="s-concern-4", text="wobbly still"))
    assert turn.handoff == "waiting" and "116 123" in turn.replies[0].text


async def test_the_not_safe_button_is_a_crisis_even_without_a_check(router: Router) -> None:
    turn = await router.handle(Inbound(channel="web", address="s-concern-5", text=NOT_SAFE))
    assert turn.handoff == "waiting" and "999" in turn.replies[0].text


async def test_a_concern_is_counted_as_one(router: Router) -> None:
    await router.handle(Inbound(channel="web", address="s-concern-6", text="so wobbly"))
    with router._db.session() as session:
        payloads = [row.event for row in session.scalars(select(InsightOutbox))]
    assert any('"triage_level": "concern"' in p for p in payloads), payloads


async def test_a_crisis_in_a_live_case_alerts_the_adviser_as_urgent(router: Router) -> None:
    hello = await router.handle(Inbound(channel="web", address="s-live-1", text="hello"))
    with router._db.session() as session:
        adviser = add_user(session=session, email="a@cairn.test", password="x" * 16, role="adviser")
        case = cases.open_case(
            session=session, conversation_id=hello.conversation_id, channel="web",
            reason="asked_for_person", urgent=False, triage_reasons=[], share_consent=True,
            from_message_id=None,
        )  # fmt: skip
        cases.claim(session=session, case_id=case.id, adviser_id=adviser.id)
        case_id = case.id
    async with router._hub.subscribe(f"case:{case_id}") as events:
        turn = await router.handle(
            Inbound(channel="web", address="s-live-1", text="im on the bridge")
        )
        first, second = (
            await asyncio.wait_for(events.__anext__(), 1),
            await asyncio.wait_for(events.__anext__(), 1),
        )
    assert "116 123" in turn.replies[0].text  # support lines at once, adviser or not
    assert first["author"] == "user" and second["alert"] == "urgent"
    with router._db.session() as session:
        assert session.get_one(Case, case_id).priority == URGENT


async def test_once_a_case_is_open_a_message_is_not_joined_to_the_one_before(
    router: Router,
) -> None:
    first = await router.handle(Inbound(channel="web", address="s-open-1", text="on the bridge"))
    assert first.handoff == "waiting"
    later = await router.handle(Inbound(channel="web", address="s-open-1", text="bit wobbly"))
    # Read with "on the bridge" it would be a crisis again; alone it is a concern.
    assert "are you safe right now?" in later.replies[0].text


class Recording:
    """Reads nothing as risky; remembers what it was asked to read and whether with a vector."""

    def __init__(self) -> None:
        self.read: list[tuple[str, bool]] = []

    def assess(self, text: str, vector: Vectors | None = None) -> Risk:
        self.read.append((text, vector is not None))
        return Risk(0.0, 0.0, "suicide", "distress")


async def test_a_message_with_a_postcode_is_read_with_its_vector(
    tmp_path: Path, embedder: Embedder
) -> None:
    risk = Recording()
    router = make_router(tmp_path, risk=risk, embedder=embedder)
    await router.handle(Inbound(channel="web", address="s-postcode-1", text="PA1 2BX"))
    # Read alone, the span reader is less sure than both readers together: the thresholds
    # are for both, so without the vector a postcode was once read as a crisis.
    assert risk.read == [("Renfrewshire", True)]
