"""Insight numbers: what recording an event adds to a turn, relay and dashboard speed, and
redaction quality on its labelled set."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import Conversation, Message
from evaluation.insight_data import synthetic_events
from insight import service
from insight.aggregates import Filters, tables
from insight.redact import redact
from insight.relay import InsightRelay
from insight.service import TurnFacts

DATASET = Path(__file__).parent / "datasets" / "redaction.jsonl"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
    }


def bench(turns: int = 2000, events: int = 100_000, theme: Any = None) -> dict[str, Any]:
    """Time a turn's write with and without its insight event, the relay and the tables."""
    with tempfile.TemporaryDirectory() as tmp:
        main_url, insight_url = f"sqlite:///{tmp}/main.db", f"sqlite:///{tmp}/insight.db"
        upgrade("main", main_url)
        upgrade("insight", insight_url)
        main, insight = Database(main_url), Database(insight_url)
        with main.session() as session:
            session.add(Conversation(id="bench", channel="web"))
        timings: dict[str, list[float]] = {"without": [], "with": []}
        facts = TurnFacts(
            channel="web",
            intent="ask_question",
            topic="college",
            article_ids=("college-courses",),
            answered=True,
            council_area="fife",
            age_band="16-17",
        )
        now = datetime.now(UTC)
        for i in range(turns):
            mode = "with" if i % 2 else "without"
            started = time.perf_counter()
            with main.session() as session:  # the turn's own write: one reply stored
                session.add(
                    Message(
                        conversation_id="bench",
                        direction="out",
                        author="bot",
                        text="An answer with its sources.",
                        created_at=now,
                    )
                )
                if mode == "with":
                    service.enqueue(session=session, facts=facts, at=now)
            timings[mode].append(time.perf_counter() - started)
        without, with_event = _percentiles(timings["without"]), _percentiles(timings["with"])

        relay = InsightRelay(db=main, insight_db=insight, theme=theme, min_conversations=10)
        with main.session() as session:
            for i in range(2000):
                unanswered = i % 5 == 0
                service.enqueue(
                    session=session,
                    facts=TurnFacts(channel="sms", answered=not unanswered),
                    at=now,
                    unanswered_question="how do i become a zookeeper in fife"
                    if unanswered
                    else None,
                    conversation_id=f"c{i % 300}",
                )
        started = time.perf_counter()
        moved = relay.relay_all()
        relay_s = time.perf_counter() - started

        with insight.session() as session:
            session.add_all(synthetic_events(events, days=90))
        started = time.perf_counter()
        with insight.session() as session:
            published = tables(session, Filters(), 10)
        tables_s = time.perf_counter() - started
        main.dispose()
        insight.dispose()
    return {
        "turn_write_without_insight": without,
        "turn_write_with_insight": with_event,
        "insight_added_p95_ms": round(with_event["p95_ms"] - without["p95_ms"], 3),
        "insight_added_p50_ms": round(with_event["p50_ms"] - without["p50_ms"], 3),
        "relay_events_per_s": round(moved / relay_s, 1),
        "relay_themed_share": 0.2,
        "dashboard_tables_ms": round(tables_s * 1000, 1),
        "dashboard_events": events + turns // 2 + 2000,
        "tables": len(published),
    }


def evaluate_redaction() -> dict[str, Any]:
    """Recall by kind of personal data, and how much of ordinary messages survives."""
    cases = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    found: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    misses = []
    kept_share = []
    for case in cases:
        redacted = redact(case["text"])
        if not case["pii"]:
            before = case["text"].split()
            kept_share.append(sum(w in before for w in redacted.split()) / len(before))
            continue
        left = [p for p in case["pii"] if p in redacted]
        for kind in case["kinds"]:
            (missed if left else found)[kind] += 1
        if left:
            misses.append(case["text"])
    with_pii = sum(1 for c in cases if c["pii"])
    return {
        "messages": len(cases),
        "with_personal_data": with_pii,
        "recall": round(1 - len(misses) / with_pii, 3),
        "recall_by_kind": {
            kind: round(found[kind] / (found[kind] + missed[kind]), 3)
            for kind in sorted(found | missed)
        },
        "ordinary_words_kept": round(statistics.mean(kept_share), 3),
        "missed": misses,
    }
