"""Published tables: counts are right, filters apply, and nothing under k leaves the module."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cairn.db import Database
from cairn.migrations import upgrade
from insight.aggregates import Filters, Table, tables, to_csv
from insight.models import InsightEvent

K = 10


def event(channel: str, area: str | None, day: int, **extra: object) -> InsightEvent:
    return InsightEvent(
        event_id=uuid.uuid4().hex,
        kind="turn",
        channel=channel,
        council_area=area,
        hour=datetime(2026, 11, day, 20, tzinfo=UTC),
        **extra,
    )


@pytest.fixture
def insight(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path}/insight.db"
    upgrade("insight", url)
    db = Database(url)
    with db.session() as session:
        session.add_all(event("web", "glasgow-city", 3) for _ in range(40))
        session.add_all(event("sms", "glasgow-city", 3) for _ in range(25))
        session.add_all(event("sms", "orkney-islands", 4) for _ in range(3))  # a small area
        session.add_all(event("telegram", "fife", 4) for _ in range(12))
        session.add_all(
            event("web", None, 5, answered=False, theme="student-funding") for _ in range(11)
        )
    return db


def published(db: Database, filters: Filters | None = None) -> dict[str, Table]:
    filters = filters or Filters()
    with db.session() as session:
        return {t.id: t for t in tables(session, filters, K)}


def small_numbers(values: list[str]) -> list[str]:
    return [v for v in values if v.isdigit() and 0 < int(v) < K]


def test_counts_and_totals(insight: Database) -> None:
    demand = published(insight)["demand"]
    assert demand.rows == ["2026-11-03", "2026-11-04", "2026-11-05"]
    assert demand.records()[0][-1] == "65"
    # SMS on the 4th is 3: hidden, and partners hidden in its row and column (then in theirs).
    assert demand.records()[1][:4] == ["2026-11-04", "0", "<10", "*"]
    assert demand.records()[-1][-1] == "91"


def test_no_small_count_is_published_anywhere(insight: Database) -> None:
    items = list(published(insight).values())
    for table in items:
        cells = [c for record in table.records() for c in record[1:]]
        assert not small_numbers(cells), (table.id, table.records())
        for dataset in table.series()["datasets"]:
            assert not [v for v in dataset["data"] if v is not None and 0 < v < K]
    rows = list(csv.reader(io.StringIO(to_csv(items))))[1:]
    assert not small_numbers([value for *_, value in rows])
    areas = {r[0]: r for r in published(insight)["areas"].records()}
    assert areas["Orkney Islands"][1] == "<10"


def test_the_rate_per_young_population_is_shown_for_shown_counts_only(insight: Database) -> None:
    areas = {r[0]: r for r in published(insight)["areas"].records()}
    assert areas["Glasgow City"][1] == "65"
    assert float(areas["Glasgow City"][2]) == pytest.approx(1000 * 65 / 88802, abs=0.05)
    assert areas["Orkney Islands"][2] == ""


def test_filters_change_the_tables(insight: Database) -> None:
    sms = published(insight, Filters(channel="sms"))["demand"]
    assert sms.columns == ["SMS"]
    assert sms.records()[-1][-1] == "28"
    fife = published(insight, Filters(area="fife"))["demand"]
    assert fife.records()[-1][-1] == "12"
    one_day = published(insight, Filters(start=date(2026, 11, 5), end=date(2026, 11, 5)))
    assert one_day["demand"].rows == ["2026-11-05"]
    assert one_day["unanswered"].records()[0][:2] == ["Student funding", "11"]
