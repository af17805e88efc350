"""Outcome tables: counts and filters are right, the answered share never reveals a hidden count."""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cairn.db import Database
from cairn.migrations import upgrade
from evaluation.insight_data import synthetic_follow_ups
from insight.aggregates import Filters, Table, tables, to_csv
from insight.models import InsightEvent
from insight.outcomes import HIDDEN, SHARE, TABLE_IDS, headline, outcome_mix, share
from insight.suppression import Cell, Grid
from tests.unit.insight.test_suppression import attacker_range

K = 10
NOV = datetime(2026, 11, 10, 14, tzinfo=UTC)


def checkin(
    channel: str = "web", area: str | None = "glasgow-city", **extra: object
) -> InsightEvent:
    return InsightEvent(
        event_id=uuid.uuid4().hex,
        kind="checkin",
        hour=extra.pop("hour", NOV),
        channel=channel,
        council_area=area,
        **extra,
    )


def outcome(
    outcome: str,
    first_help: str = "article",
    topic: str | None = "college",
    *,
    channel: str = "web",
    area: str | None = "glasgow-city",
    band: str = "under 3 weeks",
    hour: datetime = NOV,
) -> InsightEvent:
    return InsightEvent(
        event_id=uuid.uuid4().hex,
        kind="outcome",
        hour=hour,
        channel=channel,
        council_area=area,
        outcome=outcome,
        first_help=first_help,
        topic=topic,
        time_to_outcome=band,
    )


def database(tmp_path: Path, events: list[InsightEvent]) -> Database:
    url = f"sqlite:///{tmp_path}/insight.db"
    upgrade("insight", url)
    db = Database(url)
    with db.session() as session:
        session.add_all(events)
    return db


@pytest.fixture
def insight(tmp_path: Path) -> Database:
    events = [checkin() for _ in range(60)]  # Glasgow, web
    events += [checkin("sms", "fife") for _ in range(20)]
    events += [checkin(area="moray", hour=datetime(2026, 12, 2, 9, tzinfo=UTC)) for _ in range(12)]
    events += [outcome("applied") for _ in range(12)]  # article: college
    events += [outcome("job", "article", "finding-work") for _ in range(11)]
    events += [
        outcome("still_looking", "service", "careers-advice", band="3-4 weeks") for _ in range(10)
    ]
    events += [outcome("talk", "case", None, channel="sms", area="fife") for _ in range(15)]
    events += [outcome("course", area=None) for _ in range(10)]  # no area
    # A turn and a closed case never count as check-ins or answers.
    events += [
        InsightEvent(event_id=uuid.uuid4().hex, kind=kind, hour=NOV, channel="web", outcome=o)
        for kind, o in (("turn", None), ("case", "advice_given"))
    ]
    return database(tmp_path, events)


def published(db: Database, filters: Filters | None = None) -> dict[str, Table]:
    with db.session() as session:
        return {t.id: t for t in tables(session, filters or Filters(), K)}


def rows(table: Table) -> dict[str, list[str]]:
    return {record[0]: record[1:] for record in table.records()}


def small_numbers(values: list[str]) -> list[str]:
    return [v for v in values if v.isdigit() and 0 < int(v) < K]


def test_check_ins_by_month_are_answered_or_not_with_the_share(insight: Database) -> None:
    checkins = published(insight)["checkins"]
    assert checkins.header() == ["Month", "Answered", "No answer", "Total", SHARE]
    by_month = rows(checkins)
    # November: 80 sent, 58 answered (12 + 11 + 10 + 15 + 10); December: 12 sent, none answered.
    assert by_month["2026-11"] == ["58", "22", "80", "72%"]
    assert by_month["2026-12"] == ["0", "12", "12", "0%"]
    assert checkins.section == "outcomes"


def test_outcomes_by_first_help(insight: Database) -> None:
    by_help = rows(published(insight)["outcomes_by_help"])
    columns = published(insight)["outcomes_by_help"].columns
    assert columns == [
        "Applied",
        "Course",
        "Apprenticeship",
        "Job",
        "Still looking",
        "Asked to talk",
    ]
    assert by_help["Article: College"][:2] == ["12", "10"]
    assert by_help["Article: Finding work"][3] == "11"
    assert by_help["A local service"][4] == "10"
    assert by_help["An adviser (case)"][5] == "15"
    assert list(by_help)[-1] == "Total"
    assert by_help["Total"][-1] == "58"


def test_outcomes_by_area_leave_out_unknown_areas_and_rank(insight: Database) -> None:
    areas = published(insight)["outcomes_by_area"]
    assert areas.rows == ["Glasgow City", "Fife"]  # 33 answers, then 15; no area: left out
    by_area = rows(areas)
    assert by_area["Glasgow City"][:7] == ["12", "0", "0", "11", "10", "0", "33"]
    assert by_area["Fife"][5:7] == ["15", "15"]
    # Fife: 15 answers to 20 check-ins leaves 5 unanswered, a small count. Glasgow's 27
    # unanswered is then hidden too, or Fife's 5 would follow from the total: no share for either.
    assert by_area["Glasgow City"][-1] == by_area["Fife"][-1] == ""
    glasgow = rows(published(insight, Filters(area="glasgow-city"))["outcomes_by_area"])
    assert glasgow["Glasgow City"][-1] == "55%"  # 33 of 60


def test_time_to_outcome_keeps_the_band_order(insight: Database) -> None:
    time = published(insight)["time_to_outcome"]
    assert time.rows == ["under 3 weeks", "3-4 weeks"]
    assert rows(time)["3-4 weeks"][4] == "10"


def test_filters_apply_to_check_ins_and_outcomes(insight: Database) -> None:
    sms = published(insight, Filters(channel="sms"))
    sms_november = rows(sms["checkins"])["2026-11"]
    assert sms_november[1] == "<10" and sms_november[-1] == ""  # 15 of 20 answered
    assert rows(sms["outcomes_by_help"])["Total"][-1] == "15"
    fife = published(insight, Filters(area="fife"))
    assert fife["outcomes_by_area"].rows == ["Fife"]
    december = published(insight, Filters(start=date(2026, 12, 1), end=date(2026, 12, 31)))
    assert december["checkins"].rows == ["2026-12"]
    assert december["outcomes_by_help"].rows == []


def test_the_answered_share_is_shown_only_from_shown_counts(tmp_path: Path) -> None:
    events = [checkin() for _ in range(50)] + [outcome("job") for _ in range(30)]
    checkins = published(database(tmp_path, events))["checkins"]
    assert rows(checkins)["2026-11"] == ["30", "20", "50", "60%"]
    assert headline([]) == []
    assert headline([checkins]) == [
        ("Check-ins sent", "50"),
        ("Check-ins answered", "30"),
        ("Share of check-ins answered", "60%"),
    ]


def test_a_small_answered_count_hides_the_share(tmp_path: Path) -> None:
    events = [checkin() for _ in range(30)] + [outcome("job") for _ in range(4)]
    items = list(published(database(tmp_path, events)).values())
    figures = dict(headline(items))
    assert figures["Check-ins answered"] == "<10"
    assert figures["Share of check-ins answered"] == HIDDEN
    assert figures["Check-ins sent"] in ("30", "*")
    assert not small_numbers(list(figures.values()))
    mix = dict(outcome_mix(items))
    assert mix["Job"] == HIDDEN and mix["Applied"] == HIDDEN


def test_outcome_mix_uses_shown_totals(insight: Database) -> None:
    mix = dict(outcome_mix(list(published(insight).values())))
    assert mix["Applied"] == f"{round(100 * 12 / 58)}%"
    assert mix["Asked to talk"] == f"{round(100 * 15 / 58)}%"
    assert mix["Apprenticeship"] == "0%"


def test_share_needs_both_counts_shown() -> None:
    grid = Grid(
        values=[[30, 20, 50], [3, 40, 43], [33, 60, 93]],
        marks=[
            [Cell.SHOWN, Cell.SHOWN, Cell.SHOWN],
            [Cell.PRIMARY, Cell.SHOWN, Cell.SECONDARY],
            [Cell.SECONDARY, Cell.SHOWN, Cell.SHOWN],
        ],
        k=K,
    )
    assert share(grid, 0) == "60%"
    assert share(grid, 1) == ""  # the part is hidden
    assert share(grid, 2) == ""  # the part is hidden, though the total is shown


def test_no_small_count_is_published_and_none_can_be_worked_out(tmp_path: Path) -> None:
    end = datetime(2026, 11, 28, tzinfo=UTC)
    db = database(tmp_path, list(synthetic_follow_ups(900, days=60, seed=3, end=end)))
    items = [t for t in published(db).values() if t.id in TABLE_IDS]
    assert [t.id for t in items] == list(TABLE_IDS)
    for table in items:
        cells = [c for record in table.records() for c in record[1:]]
        assert not small_numbers(cells), (table.id, table.records())
        for dataset in table.series()["datasets"]:
            assert not [v for v in dataset["data"] if v is not None and 0 < v < K]
        grid = table.grid
        primary = [
            (r, c)
            for r, line in enumerate(grid.marks)
            for c, mark in enumerate(line)
            if mark is Cell.PRIMARY
        ]
        assert primary, f"{table.id}: the test data should hold small counts"
        for r, c in primary:
            low, high = attacker_range(grid, r, c)
            assert high - low >= 1 - 1e-9, (table.id, r, c, low, high)
    exported = list(csv.reader(io.StringIO(to_csv(items))))[1:]
    assert {r[0] for r in exported} == set(TABLE_IDS)
    assert not small_numbers([value for *_, value in exported])


@pytest.mark.parametrize("seed", range(6))
def test_every_published_share_rests_on_shown_counts(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    events = [checkin(area=rng.choice(["fife", "moray"])) for _ in range(rng.randint(5, 60))]
    events += [
        outcome("job", area=rng.choice(["fife", "moray"])) for _ in range(rng.randint(1, 40))
    ]
    items = published(database(tmp_path, events))
    for table_id in ("checkins", "outcomes_by_area"):
        table = items[table_id]
        for r, value in enumerate(table.extra[SHARE]):
            if table_id == "checkins" and value:
                assert table.grid.shown(r, 0) is not None
                assert table.grid.shown(r, len(table.columns)) is not None
            if value:
                assert int(value.rstrip("%")) <= 100
    figures = dict(headline(list(items.values())))
    shown = figures["Share of check-ins answered"] != HIDDEN
    assert shown == (
        figures["Check-ins answered"].isdigit() and figures["Check-ins sent"].isdigit()
    )
