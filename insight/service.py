"""Record anonymised insight events: hour-truncated, no text, no identifiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from insight.models import InsightEvent


@dataclass(frozen=True)
class TurnFacts:
    """What one turn tells analysts, with nothing that identifies anybody."""

    channel: str
    intent: str | None
    topic: str | None
    article_ids: tuple[str, ...]
    answered: bool | None
    triage_level: str
    escalation_reason: str | None = None
    council_area: str | None = None
    age_band: str | None = None


def record(*, session: Session, facts: TurnFacts, at: datetime) -> None:
    """Add one event, its time truncated to the hour."""
    session.add(
        InsightEvent(
            hour=at.replace(minute=0, second=0, microsecond=0),
            channel=facts.channel,
            intent=facts.intent,
            topic=facts.topic,
            article_ids=",".join(facts.article_ids) or None,
            answered=facts.answered,
            triage_level=facts.triage_level,
            escalation_reason=facts.escalation_reason,
            council_area=facts.council_area,
            age_band=facts.age_band,
        )
    )
