"""Cases: open, claim, reply, close; the queue and the transcript an adviser may see."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import Conversation, Message
from escalation import addresses
from escalation.addresses import OPEN_CASE
from escalation.models import NORMAL, URGENT, AuditEvent, Case
from followup import service as followup
from insight import service as insight
from insight.service import TurnFacts

OPEN = OPEN_CASE
OUTCOMES = (
    "advice_given", "referred_locally", "safeguarding_referral", "emergency_services",
    "no_response", "other",
)  # fmt: skip
HANDBACK = (
    "The adviser has closed this chat, and you're back with Cairn, the automated assistant. "
    "You can ask to talk to a person again at any time."
)


class CaseError(Exception):
    """An action that does not fit the case's state."""


def _now() -> datetime:
    return datetime.now(UTC)


def open_case(
    *,
    session: Session,
    conversation_id: str,
    channel: str,
    reason: str,
    urgent: bool,
    triage_reasons: list[str],
    share_consent: bool | None,
    from_message_id: int | None,
) -> Case:
    """Open a case (or return the open one, made urgent if this is a crisis)."""
    case = active_case(session=session, conversation_id=conversation_id)
    if case is not None:
        if urgent and case.priority != URGENT:
            case.priority, case.reason, case.share_consent = URGENT, reason, True
        return case
    conversation = session.get_one(Conversation, conversation_id)
    case = Case(
        conversation_id=conversation_id,
        channel=channel,
        reason=reason,
        priority=URGENT if urgent else NORMAL,
        triage_reasons=",".join(triage_reasons),
        council_area=conversation.council_area,
        share_consent=share_consent,
        shared_from_message_id=from_message_id,
        created_at=_now(),
    )
    session.add(case)
    conversation.handoff = "waiting"
    session.flush()
    return case


def active_case(*, session: Session, conversation_id: str) -> Case | None:
    """The conversation's open case, if any."""
    return session.scalars(
        select(Case).where(Case.conversation_id == conversation_id, Case.status.in_(OPEN))
    ).first()


def set_consent(*, session: Session, conversation_id: str, consent: bool) -> None:
    """Record the young person's answer to 'can I share our chat so far?'."""
    case = active_case(session=session, conversation_id=conversation_id)
    if case is not None and case.priority != URGENT:
        case.share_consent = consent


def queue(*, session: Session) -> list[Case]:
    """Open cases: urgent first, then oldest first."""
    return list(
        session.scalars(
            select(Case).where(Case.status.in_(OPEN)).order_by(Case.priority, Case.created_at)
        )
    )


def transcript(*, session: Session, case: Case) -> list[Message]:
    """What the adviser may read: everything if shared, else only from the handoff on."""
    query = select(Message).where(Message.conversation_id == case.conversation_id)
    if not case.share_consent and case.shared_from_message_id is not None:
        query = query.where(Message.id >= case.shared_from_message_id)
    return list(session.scalars(query.order_by(Message.id)))


def claim(*, session: Session, case_id: int, adviser_id: int) -> Case:
    """Take a waiting case (or take over one, for a transfer)."""
    case = session.get(Case, case_id)
    if case is None or case.status not in OPEN:
        raise CaseError("this case is not open")
    case.adviser_id, case.assigned_at = adviser_id, _now()
    if case.status == "waiting":
        case.status = "assigned"
    session.get_one(Conversation, case.conversation_id).handoff = "connected"
    audit(session=session, user_id=adviser_id, action="claim", case_id=case_id)
    return case


def reply(*, session: Session, case_id: int, adviser_id: int, text: str) -> Case:
    """Store an adviser's message to the young person; the case is live."""
    case = session.get(Case, case_id)
    if case is None or case.status not in ("assigned", "live") or case.adviser_id != adviser_id:
        raise CaseError("claim this case before replying")
    case.status = "live"
    session.add(
        Message(conversation_id=case.conversation_id, direction="out", author="adviser", text=text,
                created_at=_now())
    )  # fmt: skip
    audit(session=session, user_id=adviser_id, action="reply", case_id=case_id)
    return case


def close(
    *, session: Session, case_id: int, adviser_id: int, outcome: str
) -> tuple[Case, str | None, str]:
    """Close with an outcome and hand back to the bot; return the address for the handback
    and its text (with the offer of one check-in, unless the case was about safety)."""
    case = session.get(Case, case_id)
    if case is None or case.status not in OPEN:
        raise CaseError("this case is not open")
    if outcome not in OUTCOMES:
        raise CaseError(f"unknown outcome {outcome!r}")
    closed = _now()
    case.status, case.outcome, case.closed_at = "closed", outcome, closed
    conversation = session.get_one(Conversation, case.conversation_id)
    conversation.handoff = "none"
    handback = HANDBACK
    if outcome not in followup.NO_OFFER_AFTER_OUTCOMES:
        offer = followup.maybe_offer(
            session=session, conversation=conversation, intent=None, at=closed, case_id=case.id
        )
        handback = f"{HANDBACK}\n\n{offer.text}" if offer is not None else HANDBACK
    session.add(
        Message(conversation_id=case.conversation_id, direction="out", author="bot", text=handback,
                created_at=_now())
    )  # fmt: skip
    address = addresses.address_of(session=session, conversation_id=case.conversation_id)
    audit(session=session, user_id=adviser_id, action="close", case_id=case_id, detail=outcome)
    insight.enqueue(
        session=session,
        facts=TurnFacts(
            kind="case",
            channel=case.channel,
            triage_level="crisis" if case.priority == URGENT else "needs_person",
            escalation_reason=case.reason,
            outcome=outcome,
            council_area=case.council_area,
        ),
        at=closed,
    )
    # The handback is the last message this case sends; a consented follow-up may still need it.
    addresses.forget_unless_needed(session=session, conversation_id=case.conversation_id)
    return case, address, handback


def audit(
    *,
    session: Session,
    user_id: int | None,
    action: str,
    case_id: int | None = None,
    detail: str = "",
) -> None:
    """Append to the audit log."""
    session.add(AuditEvent(user_id=user_id, action=action, case_id=case_id, detail=detail[:500]))
