"""Follow-up with consent: offer once, record the yes, check in once, read the answer.

The rules live here, in plain functions on a session, so every path can be tested without a
clock or a channel: nothing is sent without `consent_at`, nothing at night, at most one
reminder, never to an address that said STOP. `followup.scheduler` runs `send_due`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from cairn.db import as_utc
from channels import outbox
from channels.models import Conversation, Message
from channels.render import outbound_bodies
from channels.schemas import Button, Reply
from escalation import addresses
from followup.models import FollowUp
from insight import service as insight
from insight.service import OUTCOMES, TurnFacts, time_band

CHECK_IN_AFTER = timedelta(days=14)
REMIND_AFTER = timedelta(days=3)
EXPIRE_AFTER = timedelta(days=7)  # after the reminder: no answer means no outcome
LOCAL = ZoneInfo("Europe/London")
DAYTIME = (time(9, 0), time(20, 0))  # local time: nobody gets a check-in at night

OPEN = ("offered", "scheduled", "sent", "reminded")
OFFER_AFTER_INTENTS = ("goodbye", "thank", "feedback_positive")
NO_OFFER_AFTER_OUTCOMES = ("safeguarding_referral", "emergency_services")

OFFER = (
    "Before you go: can I message you once in 2 weeks to see how it went? "
    "It's one check-in on this chat, nothing else, and it's fine to say no."
)
YES, NO = "/followup_yes", "/followup_no"
CONSENTED = (
    "Thanks. I'll check in once in about 2 weeks, in the daytime. "
    "If you change your mind, just say stop."
)
DECLINED = "No problem, I won't message you. You can come back any time."
CHECK_IN = "Hi, it's Cairn. You said I could check in: how did it go since we last spoke?"
REMINDER = "Just checking in once more (last time, promise): how did it go?"
STOPPED = "OK, I won't check in with you. You can come back any time."
_TITLES = {
    "applied": "Applied for something",
    "course": "Started a course",
    "apprenticeship": "Started an apprenticeship",
    "job": "Got a job",
    "still_looking": "Still looking",
    "talk": "Talk to someone",
}
# The quick answers, in the insight events' order (SMS numbers them 1-6).
CHOICES = tuple((code, _TITLES[code]) for code in OUTCOMES)
THANKS = {
    "applied": "Well done for applying. Good luck! If you want help with the next step, ask me.",
    "course": "That's brilliant, well done. Good luck with the course!",
    "apprenticeship": "Congratulations on the apprenticeship! Good luck with it.",
    "job": "Congratulations on the job! Good luck.",
    "still_looking": (
        "Thanks for letting me know. Lots of people take a while. I'm here if you want to look "
        "at options again, or ask for a person at any time."
    ),
    "talk": "OK, I'll find a careers adviser to talk to you.",
}
_WORDS = {
    "applied": ("applied", "application", "1"),
    "course": ("course", "college", "uni", "university", "2"),
    "apprenticeship": ("apprenticeship", "apprentice", "3"),
    "job": ("job", "got a job", "work", "employed", "4"),
    "still_looking": ("still looking", "looking", "nothing yet", "not yet", "5"),
    "talk": ("talk", "someone", "person", "adviser", "advisor", "help", "6"),
}
_YES = re.compile(r"^\W*(y|yes|yeah|yep|yup|ok|okay|sure|aye|go on|please|yes please)\W*$", re.I)
_NO = re.compile(r"^\W*(n|no|nope|nah|no thanks|no thank you|naw|don'?t)\W*$", re.I)
_STOP = re.compile(r"^\W*/?(stop|unsubscribe|cancel)\W*$", re.I)


@dataclass(frozen=True)
class Answer:
    """What a message means for an open follow-up."""

    kind: str  # consent | decline | ignored | outcome | stop
    outcome: str | None = None


def understand(status: str, text: str) -> Answer | None:
    """Read a message against the follow-up's state; None: it is about something else."""
    words = text.strip().lower()
    if _STOP.match(words):
        return Answer("stop")
    if status == "offered":
        if words == YES or _YES.match(words):
            return Answer("consent")
        if words == NO or _NO.match(words):
            return Answer("decline")
        return Answer("ignored")
    if status in ("sent", "reminded"):
        if words.startswith("/checkin_") and words[9:] in THANKS:
            return Answer("outcome", words[9:])
        for code, title in CHOICES:
            if words == title.lower():
                return Answer("outcome", code)
        for code, cues in _WORDS.items():
            if any(re.search(rf"\b{re.escape(cue)}\b", words) for cue in cues):
                return Answer("outcome", code)
    return None


def open_follow_up(*, session: Session, conversation_id: str) -> FollowUp | None:
    """The conversation's follow-up that is not finished, if any."""
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.conversation_id == conversation_id, FollowUp.status.in_(OPEN))
        .order_by(FollowUp.id.desc())
    ).first()


def offer_reply(channel: str) -> Reply:
    """The offer, as the person sees it (its text is the consent wording recorded)."""
    text = OFFER + (" Reply YES or NO." if channel == "sms" else "")
    buttons = [] if channel == "sms" else [Button("Yes, check in", YES), Button("No thanks", NO)]
    return Reply(text=text, buttons=buttons)


def check_in_reply(channel: str, *, reminder: bool = False) -> Reply:
    """The check-in with its quick answers (numbered on SMS, which has no buttons)."""
    text = REMINDER if reminder else CHECK_IN
    if channel == "sms":
        options = ", ".join(f"{n} {title.lower()}" for n, (_, title) in enumerate(CHOICES, 1))
        return Reply(text=f"{text} Reply {options}. Say STOP to stop.")
    return Reply(text=text, buttons=[Button(title, f"/checkin_{code}") for code, title in CHOICES])


def maybe_offer(
    *,
    session: Session,
    conversation: Conversation,
    intent: str | None,
    at: datetime,
    case_id: int | None = None,
) -> Reply | None:
    """Offer one check-in at the end of a conversation that helped; None if not now.

    Only after help was given (an answer, a service, a case), at a goodbye, a thank-you or
    good feedback (or a closed case), and never twice: once offered, a conversation is not asked
    again, whatever the answer.
    """
    if case_id is None and (intent not in OFFER_AFTER_INTENTS or conversation.first_help is None):
        return None
    if conversation.handoff != "none" and case_id is None:
        return None
    asked = session.scalars(
        select(FollowUp.id).where(FollowUp.conversation_id == conversation.id)
    ).first()
    if asked is not None:
        return None
    reply = offer_reply(conversation.channel)
    session.add(
        FollowUp(
            conversation_id=conversation.id,
            channel=conversation.channel,
            status="offered",
            offered_at=at,
            consent_wording=reply.text,
            first_help=conversation.first_help or ("case" if case_id else None),
            help_topic=conversation.help_topic,
            case_id=case_id,
        )
    )
    return reply


def record(
    *,
    session: Session,
    follow_up_id: int,
    answer: Answer,
    at: datetime,
    address: str | None,
    council_area: str | None,
) -> None:
    """Apply a person's answer to their follow-up (in the turn's transaction)."""
    row = session.get(FollowUp, follow_up_id)
    if row is None or row.status not in OPEN:
        return
    if answer.kind == "consent" and row.status == "offered":
        row.status, row.consent_at, row.due_at = "scheduled", at, at + CHECK_IN_AFTER
        if address:  # where to send it, kept until it is done
            addresses.remember(
                session=session,
                conversation_id=row.conversation_id,
                channel=row.channel,
                address=address,
            )
    elif answer.kind in ("decline", "ignored") and row.status == "offered":
        row.status = "declined"
    elif answer.kind == "stop":
        row.status = "cancelled"
        addresses.forget_unless_needed(session=session, conversation_id=row.conversation_id)
    elif answer.kind == "outcome" and row.status in ("sent", "reminded") and answer.outcome:
        row.status, row.outcome, row.answered_at = "answered", answer.outcome, at
        addresses.forget_unless_needed(session=session, conversation_id=row.conversation_id)
        started = as_utc(row.offered_at)
        insight.enqueue(
            session=session,
            facts=TurnFacts(
                kind="outcome",
                channel=row.channel,
                council_area=council_area,
                outcome=answer.outcome,
                first_help=row.first_help,
                topic=row.help_topic,
                time_to_outcome=time_band((at - started).total_seconds() / 86400),
            ),
            at=at,
        )


def reply_for(answer: Answer) -> Reply | None:
    """What the bot says to an answer (None: the message goes on to the bot as usual)."""
    if answer.kind == "consent":
        return Reply(text=CONSENTED)
    if answer.kind == "decline":
        return Reply(text=DECLINED)
    if answer.kind == "stop":
        return Reply(text=STOPPED)
    if answer.kind == "outcome" and answer.outcome:
        meta = (
            {"handoff": "waiting", "reason": "asked_for_person"} if answer.outcome == "talk" else {}
        )
        return Reply(text=THANKS[answer.outcome], meta=meta)
    return None


def is_daytime(at: datetime) -> bool:
    """Whether it is daytime in Scotland (check-ins wait for the morning)."""
    local = at.astimezone(LOCAL).time()
    return DAYTIME[0] <= local < DAYTIME[1]


def send_due(
    *,
    session: Session,
    now: datetime,
    opt_out_id: Callable[[str, str], str],
    limit: int = 100,
) -> int:
    """Queue due check-ins and reminders (SMS, Telegram) in the outbox; return how many.

    Each row is claimed with a compare-and-set before its message is queued, all in the
    caller's transaction: a crash before commit sends nothing, two replicas never both send.
    Web check-ins are shown on the next visit instead (`show_on_visit`).
    """
    _expire(session=session, now=now)
    if not is_daytime(now):
        return 0
    rows = session.scalars(
        select(FollowUp)
        .where(FollowUp.channel != "web", FollowUp.consent_at.is_not(None))
        .where(
            or_(
                (FollowUp.status == "scheduled") & (FollowUp.due_at <= now),
                (FollowUp.status == "sent")
                & (FollowUp.reminded_at.is_(None))
                & (FollowUp.sent_at <= now - REMIND_AFTER),
            )
        )
        .order_by(FollowUp.due_at)
        .limit(limit)
    ).all()
    queued = 0
    for row in rows:
        reminder = row.status == "sent"
        won = session.execute(
            update(FollowUp)
            .where(FollowUp.id == row.id, FollowUp.status == row.status)
            .values(
                status="reminded" if reminder else "sent",
                **({"reminded_at": now} if reminder else {"sent_at": now}),
            )
        )
        if not getattr(won, "rowcount", 0):
            continue  # another replica took it
        address = addresses.address_of(session=session, conversation_id=row.conversation_id)
        if address is None or outbox.opted_out(session, opt_out_id(row.channel, address)):
            session.execute(
                update(FollowUp).where(FollowUp.id == row.id).values(status="cancelled")
            )
            continue
        reply = check_in_reply(row.channel, reminder=reminder)
        _queue(session, row, address, reply, now, first=not reminder)
        if reminder:  # the last message this follow-up sends: the address is not needed
            addresses.forget_unless_needed(session=session, conversation_id=row.conversation_id)
        queued += 1
    return queued


def show_on_visit(*, session: Session, conversation_id: str, now: datetime) -> Reply | None:
    """A web check-in that is due, marked sent: the page shows it when the person comes back."""
    row = open_follow_up(session=session, conversation_id=conversation_id)
    if row is None or row.channel != "web" or row.consent_at is None:
        return None
    if row.status == "scheduled" and row.due_at is not None and as_utc(row.due_at) <= now:
        won = session.execute(
            update(FollowUp)
            .where(FollowUp.id == row.id, FollowUp.status == "scheduled")
            .values(status="sent", sent_at=now)
        )
        if getattr(won, "rowcount", 0):
            reply = check_in_reply("web")
            _record_sent(session, row, reply, now, first=True)
            return reply
    if row.status in ("sent", "reminded"):
        return check_in_reply("web")  # still unanswered: shown again, not counted again
    return None


def cancel(*, session: Session, conversation_id: str) -> None:
    """End any open follow-up of the conversation (STOP, opt-out)."""
    session.execute(
        update(FollowUp)
        .where(FollowUp.conversation_id == conversation_id, FollowUp.status.in_(OPEN))
        .values(status="cancelled")
    )


def _queue(
    session: Session, row: FollowUp, address: str, reply: Reply, now: datetime, *, first: bool
) -> None:
    for body in outbound_bodies(row.channel, reply):
        outbox.enqueue(
            session=session,
            channel=row.channel,
            conversation_id=row.conversation_id,
            address=address,
            body=body,
        )
    _record_sent(session, row, reply, now, first=first)


def _record_sent(
    session: Session, row: FollowUp, reply: Reply, now: datetime, *, first: bool
) -> None:
    """The check-in in the transcript and, the first time, one anonymous "checkin" event."""
    session.add(
        Message(
            conversation_id=row.conversation_id,
            direction="out",
            author="bot",
            text=reply.text,
            created_at=now,
        )
    )
    if first:
        conversation = session.get(Conversation, row.conversation_id)
        insight.enqueue(
            session=session,
            facts=TurnFacts(
                kind="checkin",
                channel=row.channel,
                council_area=conversation.council_area if conversation else None,
                first_help=row.first_help,
                topic=row.help_topic,
            ),
            at=now,
        )


def _expire(*, session: Session, now: datetime) -> None:
    """Check-ins nobody answered: after the reminder's wait, the follow-up ends."""
    session.execute(
        update(FollowUp)
        .where(
            or_(
                (FollowUp.status == "reminded") & (FollowUp.reminded_at <= now - EXPIRE_AFTER),
                (FollowUp.status == "sent")
                & (FollowUp.channel == "web")
                & (FollowUp.sent_at <= now - REMIND_AFTER - EXPIRE_AFTER),
            )
        )
        .values(status="expired")
    )
