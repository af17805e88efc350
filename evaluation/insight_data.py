"""Synthetic anonymised events: for the insight benchmark, the browser test and the screenshot.

The mix is invented (weights loosely shaped like a careers service's demand) and seeded, so a
run is repeatable. It never touches real data.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice

from insight.models import InsightEvent
from insight.service import TIME_TO_OUTCOME
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

# Follow-ups: what help came first, its article topic or service category, and what happened.
FIRST_HELP = (("article", 55), ("service", 25), ("case", 20))
ARTICLE_TOPICS = (
    ("apprenticeships", 6),
    ("finding-work", 6),
    ("college", 4),
    ("university", 3),
    ("money-and-funding", 3),
    ("school-and-qualifications", 2),
    ("rights-at-work", 1),
)
SERVICE_CATEGORIES = (
    ("careers-advice", 5),
    ("employability", 4),
    ("apprenticeships-and-training", 2),
    ("mental-health-and-wellbeing", 1),
)
FOLLOW_UP_OUTCOMES = {
    "article": (("applied", 30), ("course", 15), ("apprenticeship", 8), ("job", 12),
                ("still_looking", 30), ("talk", 5)),
    "service": (("applied", 20), ("course", 18), ("apprenticeship", 10), ("job", 15),
                ("still_looking", 27), ("talk", 10)),
    "case": (("applied", 15), ("course", 12), ("apprenticeship", 6), ("job", 10),
             ("still_looking", 37), ("talk", 20)),
}  # fmt: skip
# Check-in at 14 days, a reminder 3 days later, expiry 7 days after that: an answer comes
# before 3 weeks or in weeks 3-4 (docs/outcomes.md).
TIMES = tuple(zip(TIME_TO_OUTCOME[:2], (75, 25), strict=True))
ANSWERED = 0.6  # of check-ins sent


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def synthetic_events(
    n: int, *, days: int = 30, seed: int = 7, end: datetime | None = None
) -> Iterator[InsightEvent]:
    """`n` plausible events spread over the `days` before `end`."""
    rng = random.Random(seed)
    end = (end or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    return islice(_events(rng, end, days), n)


def _events(rng: random.Random, end: datetime, days: int) -> Iterator[InsightEvent]:
    themes = [t.id for t in load_taxonomy()]
    while True:
        hour = end - timedelta(hours=rng.randrange(days * 24))
        channel = _pick(rng, (("web", 6), ("sms", 3), ("telegram", 1)))
        area = _pick(rng, AREAS) if rng.random() < 0.6 else None
        roll = rng.random()
        if roll < 0.07:
            yield from _follow_up(rng, hour, channel, area, end)
            continue
        if roll < 0.11:
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


def synthetic_follow_ups(
    n: int, *, days: int = 30, seed: int = 7, end: datetime | None = None
) -> Iterator[InsightEvent]:
    """`n` check-in and outcome events only, spread over the `days` before `end`."""
    rng = random.Random(seed)
    end = (end or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)

    def follow_ups() -> Iterator[InsightEvent]:
        while True:
            hour = end - timedelta(hours=rng.randrange(days * 24))
            channel = _pick(rng, (("web", 5), ("sms", 4), ("telegram", 1)))
            area = _pick(rng, AREAS) if rng.random() < 0.6 else None
            yield from _follow_up(rng, hour, channel, area, end)

    return islice(follow_ups(), n)


def _follow_up(
    rng: random.Random, sent: datetime, channel: str, area: str | None, end: datetime
) -> Iterator[InsightEvent]:
    """A check-in sent and, about three times in five, its answer within ten days."""
    first_help = _pick(rng, FIRST_HELP)
    topic = {"article": _pick(rng, ARTICLE_TOPICS), "service": _pick(rng, SERVICE_CATEGORIES)}
    common = {
        "channel": channel,
        "council_area": area,
        "first_help": first_help,
        "topic": topic.get(first_help),
    }
    yield InsightEvent(event_id=uuid.uuid4().hex, kind="checkin", hour=sent, **common)
    if rng.random() < ANSWERED:
        yield InsightEvent(
            event_id=uuid.uuid4().hex,
            kind="outcome",
            hour=min(end, sent + timedelta(hours=rng.randrange(10 * 24))),
            outcome=_pick(rng, FOLLOW_UP_OUTCOMES[first_help]),
            time_to_outcome=_pick(rng, TIMES),
            **common,
        )
