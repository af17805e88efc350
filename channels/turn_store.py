"""The router's transactions: store a message, claim it, give it back, store what it got.

Each function is one database transaction, so a crash leaves either nothing or everything of
a step: a message answered is marked answered in the same commit as its replies, its outbox
rows, its case, its follow-up answer and its insight event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from cairn.db import Database
from channels import outbox, service
from channels.models import Conversation, Message
from channels.render import outbound_bodies
from channels.schemas import Handoff, Inbound, Reply
from channels.turns import note_first_help
from escalation import addresses
from escalation import service as cases
from escalation.triage import Level, Triage
from followup import service as followup
from followup.service import Answer
from insight import service as insight
from insight.service import TurnFacts

CONTEXT_MESSAGES = 2  # earlier messages triage reads the new one with
CONTEXT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Intake:
    """What storing an inbound message found out."""

    duplicate: bool
    message_id: int | None
    handoff: Handoff
    case_status: str | None
    follow_up: tuple[int, str] | None = None  # an open follow-up's id and status
    safety_check: bool = False  # "are you safe right now?" was asked and got no yes
    recent: tuple[str, ...] = ()  # the young person's messages just before this one


@dataclass(frozen=True)
class TurnOutcome:
    """What the turn decided, for `finish` to store."""

    replies: list[Reply]
    meta: dict[str, Any]
    facts: TurnFacts
    answer: Answer | None
    intent: str | None
    safety_check: bool | None = None  # True: a check was asked; False: answered yes


def _open_follow_up(session: Any, conv_id: str) -> tuple[int, str] | None:
    row = followup.open_follow_up(session=session, conversation_id=conv_id)
    return (row.id, row.status) if row is not None else None


def _intake_of(
    session: Any, conversation: Conversation, message_id: int | None, now: datetime
) -> Intake:
    """What the router needs to know about a conversation as a message arrives (None: the
    message was a duplicate)."""
    case = cases.active_case(session=session, conversation_id=conversation.id)
    return Intake(
        duplicate=message_id is None,
        message_id=message_id,
        handoff=conversation.handoff,  # type: ignore[arg-type]
        case_status=case.status if case else None,
        follow_up=_open_follow_up(session, conversation.id),
        safety_check=conversation.safety_check_at is not None,
        recent=_recent(session, conversation.id, message_id, now - CONTEXT_WINDOW),
    )


def _recent(session: Any, conv_id: str, before: int | None, since: datetime) -> tuple[str, ...]:
    """The young person's last messages before `before`, oldest first, for triage's context."""
    if before is None:
        return ()
    texts = session.scalars(
        select(Message.text)
        .where(Message.conversation_id == conv_id, Message.author == "user")
        .where(Message.id < before, Message.created_at >= since)
        .order_by(Message.id.desc())
        .limit(CONTEXT_MESSAGES)
    ).all()
    return tuple(reversed(texts))


class TurnStore:
    """Where the router keeps conversations: intake, claims and each turn's outcome."""

    def __init__(
        self, *, db: Database, clock: Callable[[], datetime], claim_lease: timedelta
    ) -> None:
        self._db = db
        self._clock = clock
        # A claimed message still unanswered after this is taken again (its claimer died).
        self._lease = claim_lease

    def pending(self, older_than: timedelta) -> list[int]:
        """Received messages nobody has answered (a crash, a restart), oldest first."""

        cutoff = self._clock() - older_than
        with self._db.session() as session:
            return list(
                session.scalars(
                    select(Message.id)
                    .where(Message.processed_at.is_(None), Message.reply_to.is_not(None))
                    .where(Message.created_at < cutoff)
                    .order_by(Message.id)
                    .limit(100)
                )
            )

    def intake(
        self, conv_id: str, inbound: Inbound, dedupe_key: str | None, deferred: bool
    ) -> Intake:
        with self._db.session() as session:
            conversation, message_id = service.intake(
                session=session,
                conversation_id=conv_id,
                channel=inbound.channel,
                text=inbound.text,
                dedupe_key=dedupe_key,
                at=self._clock(),
                reply_to=inbound.address if deferred else None,
            )
            return _intake_of(session, conversation, message_id, self._clock())

    def release(self, message_id: int) -> None:
        """Give a claimed message back, unanswered, for the next resume pass."""
        with self._db.session() as session:
            session.execute(update(Message).where(Message.id == message_id).values(claimed_at=None))

    def claim(self, message_id: int) -> tuple[str, Inbound, Intake, datetime] | None:
        """Take a received message for answering (a lease, so replicas never both answer it)."""
        now = self._clock()
        with self._db.session() as session:
            won = session.execute(
                update(Message)
                .where(Message.id == message_id, Message.processed_at.is_(None))
                .where(Message.reply_to.is_not(None))
                .where(or_(Message.claimed_at.is_(None), Message.claimed_at < now - self._lease))
                .values(claimed_at=now)
            )
            if not getattr(won, "rowcount", 0):
                return None
            message = session.get_one(Message, message_id)
            conversation = session.get_one(Conversation, message.conversation_id)
            inbound = Inbound(
                channel=conversation.channel, address=str(message.reply_to), text=message.text
            )
            intake = _intake_of(session, conversation, message_id, now)
            return conversation.id, inbound, intake, message.created_at

    def finish(
        self,
        conv_id: str,
        inbound: Inbound,
        decision: Triage,
        intake: Intake,
        turn: TurnOutcome,
        push: bool = False,
    ) -> tuple[Handoff, int | None, bool, list[Reply]]:
        """Store replies, open or update a case, apply a follow-up answer (or offer one),
        queue the replies (push channels) and the insight event, and mark the message
        answered: one transaction. Returns the replies as sent (an offer may be added)."""
        now = self._clock()
        replies, meta, facts = list(turn.replies), turn.meta, turn.facts
        with self._db.session() as session:
            if intake.message_id is not None:
                session.execute(
                    update(Message)
                    .where(Message.id == intake.message_id)
                    .values(processed_at=now, reply_to=None)
                )
            conversation = session.get_one(Conversation, conv_id)
            conversation.council_area = facts.council_area or conversation.council_area
            conversation.age_band = facts.age_band or conversation.age_band
            facts = replace(
                facts, council_area=conversation.council_area, age_band=conversation.age_band
            )
            if turn.answer is not None and intake.follow_up is not None:
                followup.record(
                    session=session,
                    follow_up_id=intake.follow_up[0],
                    answer=turn.answer,
                    at=now,
                    address=inbound.address,
                    council_area=conversation.council_area,
                )
            if turn.safety_check is not None or decision.level is Level.CRISIS:
                # A crisis hands over to a person: the check has done its job.
                conversation.safety_check_at = now if turn.safety_check else None
            case = cases.active_case(session=session, conversation_id=conv_id)
            opened = False
            if decision.level is Level.CRISIS or meta.get("handoff") == "waiting":
                opened = case is None
                case = cases.open_case(
                    session=session,
                    conversation_id=conv_id,
                    channel=inbound.channel,
                    reason=facts.escalation_reason or "asked_for_person",
                    urgent=decision.level is Level.CRISIS,
                    triage_reasons=decision.reasons,
                    share_consent=True if decision.level is Level.CRISIS else None,
                    from_message_id=intake.message_id,
                )
            if case is not None:
                addresses.remember(
                    session=session,
                    conversation_id=conv_id,
                    channel=inbound.channel,
                    address=inbound.address,
                )
            note_first_help(conversation, facts, meta, opened)
            if turn.answer is None and not decision.risky and case is None:
                offer = followup.maybe_offer(
                    session=session, conversation=conversation, intent=turn.intent, at=now
                )
                if offer is not None:
                    replies.append(offer)
            if push:
                for reply in replies:
                    for body in outbound_bodies(inbound.channel, reply):
                        outbox.enqueue(
                            session=session,
                            channel=inbound.channel,
                            conversation_id=conv_id,
                            address=inbound.address,
                            body=body,
                        )
            service.record_replies(
                session=session, conversation_id=conv_id, replies=replies, at=now
            )
            details = meta.get("handoff_details")
            if isinstance(details, dict) and "share_consent" in details:
                cases.set_consent(
                    session=session, conversation_id=conv_id, consent=bool(details["share_consent"])
                )
            handoff = conversation.handoff
            case_id = case.id if case is not None else None
            insight.enqueue(
                session=session,
                facts=facts,
                at=now,
                unanswered_question=inbound.text if facts.answered is False else None,
                conversation_id=conv_id,
            )
        return handoff, case_id, opened, replies  # type: ignore[return-value]
