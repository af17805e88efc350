"""Record anonymised insight events through the insight outbox.

`enqueue` runs inside the turn's own transaction on the main database, so an event exists if and
only if the turn committed. `insight.relay` moves events to the insight database exactly once.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from insight.models import InsightEvent, InsightOutbox
from insight.redact import redact


@dataclass(frozen=True)
class TurnFacts:
    """What one turn (or one closed case) tells analysts, with nothing that identifies anybody."""

    channel: str
    intent: str | None = None
    topic: str | None = None
    article_ids: tuple[str, ...] = ()
    answered: bool | None = None
    triage_level: str = "none"
    escalation_reason: str | None = None
    council_area: str | None = None
    age_band: str | None = None
    feedback: str | None = None
    outcome: str | None = None
    kind: str = "turn"  # turn | case | checkin | outcome
    first_help: str | None = None  # outcome events: article | service | case
    time_to_outcome: str | None = None  # outcome events: one of TIME_TO_OUTCOME


def enqueue(
    *,
    session: Session,
    facts: TurnFacts,
    at: datetime,
    unanswered_question: str | None = None,
    conversation_id: str | None = None,
) -> None:
    """Queue one event, its time truncated to the hour, in the caller's transaction.

    A question that got no good answer is kept, redacted, with its conversation id only until the
    relay has counted its phrases (`insight.themes`); neither reaches the insight database.
    """
    event = dataclasses.asdict(facts)
    event["article_ids"] = list(facts.article_ids)
    event["hour"] = at.replace(minute=0, second=0, microsecond=0).isoformat()
    event["event_id"] = uuid.uuid4().hex
    keep = unanswered_question is not None and conversation_id is not None
    session.add(
        InsightOutbox(
            event=json.dumps(event),
            question=redact(unanswered_question) if keep and unanswered_question else None,
            conversation_id=conversation_id if keep else None,
        )
    )


def to_event(payload: dict[str, object], theme: str | None) -> InsightEvent:
    """The insight row for one outbox payload."""
    article_ids = payload.get("article_ids") or []
    assert isinstance(article_ids, list)
    return InsightEvent(
        event_id=str(payload["event_id"]),
        kind=str(payload.get("kind") or "turn"),
        hour=datetime.fromisoformat(str(payload["hour"])),
        channel=str(payload["channel"]),
        intent=_opt(payload.get("intent")),
        topic=_opt(payload.get("topic")),
        article_ids=",".join(str(a) for a in article_ids) or None,
        answered=payload.get("answered") if isinstance(payload.get("answered"), bool) else None,
        theme=theme,
        triage_level=str(payload.get("triage_level") or "none"),
        escalation_reason=_opt(payload.get("escalation_reason")),
        outcome=_opt(payload.get("outcome")),
        feedback=_opt(payload.get("feedback")),
        council_area=_opt(payload.get("council_area")),
        age_band=_opt(payload.get("age_band")),
        first_help=_opt(payload.get("first_help")),
        time_to_outcome=_opt(payload.get("time_to_outcome")),
    )


# Follow-up outcomes (a check-in's answer) and how long after the first help they came.
OUTCOMES = ("applied", "course", "apprenticeship", "job", "still_looking", "talk")
TIME_TO_OUTCOME = ("under 3 weeks", "3-4 weeks", "5-8 weeks", "over 8 weeks")


def time_band(days: float) -> str:
    """The band of the days between the first help and the outcome, never the days."""
    if days < 21:
        return TIME_TO_OUTCOME[0]
    if days < 35:
        return TIME_TO_OUTCOME[1]
    return TIME_TO_OUTCOME[2] if days < 63 else TIME_TO_OUTCOME[3]


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


_AGE = re.compile(
    r"\b(?:i'?m|i am|im|am|aged|age)\s+(\d{2})\b(?!\s*(?:%|mins?|minutes|hours|pounds|quid|grand))"
    r"|\b(\d{2})\s*(?:yrs?|years?)\s*old\b|\b(\d{2})\s*y/?o\b",
    re.IGNORECASE,
)
AGE_BANDS = ((12, 13, "under 14"), (14, 15, "14-15"), (16, 17, "16-17"), (18, 19, "18-19"),
             (20, 24, "20-24"), (25, 29, "25-29"))  # fmt: skip


def age_band(text: str) -> str | None:
    """The band of an age the person states ("i'm 15", "17 years old"), never the age itself."""
    match = _AGE.search(text)
    if match is None:
        return None
    age = int(next(g for g in match.groups() if g))
    return next((band for low, high, band in AGE_BANDS if low <= age <= high), None)
