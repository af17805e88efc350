"""The monthly report carries the check-in outcomes, suppressed like everything else."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cairn.db import Database
from cairn.migrations import upgrade
from insight.aggregates import Table, tables
from insight.models import InsightEvent
from insight.report import month_filters, write_report

K = 10


def event(kind: str, day: int, **extra: object) -> InsightEvent:
    return InsightEvent(
        event_id=uuid.uuid4().hex,
        kind=kind,
        hour=datetime(2026, 11, day, 15, tzinfo=UTC),
        channel="sms",
        council_area="fife",
        **extra,
    )


@pytest.fixture
def november(tmp_path: Path) -> list[Table]:
    url = f"sqlite:///{tmp_path}/insight.db"
    upgrade("insight", url)
    db = Database(url)
    with db.session() as session:
        session.add_all(event("turn", 3, topic="college", answered=True) for _ in range(30))
        session.add_all(
            event("checkin", 4, first_help="article", topic="college") for _ in range(40)
        )
        answer = {"first_help": "article", "topic": "college", "time_to_outcome": "under 3 weeks"}
        session.add_all(event("outcome", 9, outcome="course", **answer) for _ in range(20))
        session.add_all(event("outcome", 9, outcome="job", **answer) for _ in range(4))
        session.add_all(event("outcome", 9, outcome="applied", **answer) for _ in range(3))
    with db.session() as session:
        return tables(session, month_filters("2026-11"), K)


def test_the_html_report_has_the_outcomes_page(november: list[Table], tmp_path: Path) -> None:
    page = write_report("2026-11", november, tmp_path / "report.html", K).read_text()
    outcomes = page.split("<h2 id='outcomes'>", 1)[1]
    assert outcomes.startswith("Outcomes of follow-up check-ins")
    figures = dict(re.findall(r"<th scope='row'>([^<]+)</th><td>([^<]+)</td>", outcomes))
    assert figures["Check-ins sent"] == "40"
    assert figures["Check-ins answered"] == "27"
    assert figures["Share of check-ins answered"] == "68%"
    assert figures["Outcome: Course"] == "74%"  # 20 of 27
    # 4 jobs and 3 applications: small counts, so neither share is shown.
    assert figures["Outcome: Job"] == figures["Outcome: Applied"] == "hidden (small numbers)"
    assert outcomes.count("<svg") == 1
    for title in ("Outcomes by first help", "Time from first help to outcome"):
        assert title in outcomes
    assert not [v for v in figures.values() if v.isdigit() and 0 < int(v) < K]


def test_the_pdf_report_has_two_pages(november: list[Table], tmp_path: Path) -> None:
    pdf = write_report("2026-11", november, tmp_path / "report.pdf", K).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
