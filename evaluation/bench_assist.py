"""Adviser assist speed: suggestions for N synthetic live cases, as the console route computes them.

Each case is a conversation in a throwaway SQLite database with a few messages taken from the
retrieval questions, a council area, and some earlier shared outcomes, so the work per request
is the real one: read the case (transcript since consent, past outcomes), one hybrid search of
the last three messages, one directory lookup.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import Conversation, Message
from escalation.assist import Searcher, read_context, suggest
from escalation.models import Case
from evaluation.bench_retrieval import percentiles
from evaluation.retrieval import load_questions
from followup.models import FollowUp
from knowledge.directory import Directory
from knowledge.location import COUNCILS


def make_cases(db: Database, count: int, seed: int = 11) -> list[int]:
    """Write `count` live cases, each with 2-6 user messages and some shared history."""
    rng = random.Random(seed)
    questions = [q.text for q in load_questions()]
    areas = [*COUNCILS, None]
    now = datetime.now(UTC)
    ids: list[int] = []
    with db.session() as session:
        for n in range(count):
            conv = f"bench-{n:06d}"
            area = rng.choice(areas)
            session.add(Conversation(id=conv, channel="web", council_area=area))
            for text in rng.sample(questions, rng.randint(2, 6)):
                session.add(Message(conversation_id=conv, direction="in", author="user", text=text))
                session.add(Message(conversation_id=conv, direction="out", author="bot", text="ok"))
            if rng.random() < 0.3:
                session.add(_case(conv, area, status="closed", consent=True, outcome="advice_given",
                                  closed_at=now - timedelta(days=20)))  # fmt: skip
                follow_up = FollowUp(conversation_id=conv, channel="web", status="answered",
                                     outcome="started_course", answered_at=now)  # fmt: skip
                session.add(follow_up)
            case = _case(conv, area, status="live", consent=rng.random() < 0.5)
            session.add(case)
            session.flush()
            ids.append(case.id)
    return ids


def _case(conv: str, area: str | None, *, status: str, consent: bool, **more: Any) -> Case:
    return Case(conversation_id=conv, channel="web", reason="asked_for_person", status=status,
                share_consent=consent, council_area=area, **more)  # fmt: skip


def run(searcher: Searcher, directory: Directory, cases: int = 500) -> dict[str, Any]:
    """p50/p95 of reading a case and of computing its suggestions, and of both together."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade("main", url)
        db = Database(url)
        try:
            ids = make_cases(db, cases)
            for case_id in ids[:20]:  # warm-up: the first calls load caches
                with db.session() as session:
                    context = read_context(session=session, case_id=case_id)
                suggest(context=context, searcher=searcher, directory=directory)
            read_ms, suggest_ms, total_ms = [], [], []
            for case_id in ids:
                started = time.perf_counter()
                with db.session() as session:
                    context = read_context(session=session, case_id=case_id)
                read = time.perf_counter()
                suggest(context=context, searcher=searcher, directory=directory)
                done = time.perf_counter()
                read_ms.append((read - started) * 1000)
                suggest_ms.append((done - read) * 1000)
                total_ms.append((done - started) * 1000)
        finally:
            db.dispose()
    return {
        "cases": cases,
        "total": percentiles(total_ms),
        "read_case": percentiles(read_ms),
        "search_and_services": percentiles(suggest_ms),
    }
