"""Synthetic anonymised events: for the insight benchmark, the browser test and the screenshot.

The mix is invented (weights loosely shaped like a careers service's demand) and seeded, so a
run is repeatable. It never touches real data.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from insight.models import InsightEvent
from insight.themes import load_taxonomy

AREAS = (
    ("glasgow-city", 30),
    ("city-of-edinburgh", 24),
    ("fife", 12),
    ("north-lanarkshire", 10),
    ("south-lanarkshire", 9),
    ("aberdeen-city", 8),
    ("highland", 7),
    ("dundee-city", 6),
    ("renfrewshire", 5),
    ("west-lothian", 4),
    ("falkirk", 3),
    ("angus", 2),
    ("moray", 1),
    ("orkney-islands", 0.3),
    ("shetland-islands", 0.2),
    ("na-h-eileanan-siar", 0.2),
)
TOPICS = ("apprenticeships", "college", "university", "cv", "interviews", "funding", "jobs")
REASONS = (
    ("asked_for_person", 8),
    ("frustration", 3),
    ("distress", 2),
    ("suicide", 1),
    ("self_harm", 1),
    ("homeless", 1),
)
OUTCOMES = (
    ("advice_given", 10),
    ("referred_locally", 4),
    ("no_response", 2),
    ("safeguarding_referral", 1),
    ("emergency_services", 0.3),
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def synthetic_events(
    n: int, *, days: int = 30, seed: int = 7, end: datetime | None = None
) -> Iterator[InsightEvent]:
    """`n` plausible events spread over the `days` before `end`."""
    rng = random.Random(seed)
    end = (end or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    themes = [t.id for t in load_taxonomy()]
    for _ in range(n):
        hour = end - timedelta(hours=rng.randrange(days * 24))
        channel = _pick(rng, (("web", 6), ("sms", 3), ("telegram", 1)))
        area = _pick(rng, AREAS) if rng.random() < 0.6 else None
        if rng.random() < 0.04:
            yield InsightEvent(
                event_id=uuid.uuid4().hex,
                kind="case",
                hour=hour,
                channel=channel,
                outcome=_pick(rng, OUTCOMES),
                council_area=area,
                escalation_reason=_pick(rng, REASONS),
                triage_level="needs_person",
            )
            continue
        answered = rng.random() < 0.8
        reason = _pick(rng, REASONS) if rng.random() < 0.05 else None
        crisis = reason in ("suicide", "self_harm", "homeless")
        yield InsightEvent(
            event_id=uuid.uuid4().hex,
            kind="turn",
            hour=hour,
            channel=channel,
            intent="ask_question",
            topic=rng.choice(TOPICS) if answered else None,
            answered=answered,
            theme=None if answered else rng.choice(themes[:8] + themes),
            triage_level="crisis" if crisis else "needs_person" if reason else "none",
            escalation_reason=reason,
            feedback=rng.choice(("positive", "positive", "negative"))
            if rng.random() < 0.1
            else None,
            council_area=area,
            age_band=rng.choice(("14-15", "16-17", "16-17", "18-19", "20-24"))
            if rng.random() < 0.2
            else None,
        )
