"""Follow-up outcome tables: check-ins answered, outcomes by first help and by area, time taken.

They are built like the demand tables (`insight.aggregates`) and go through the same
suppression. Every share is worked out from counts that are themselves shown, so a percentage
never reveals a hidden count. docs/outcomes.md defines each measure.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from insight.aggregates import Filters, Table, grouped_counts, ranked, suppressed_table
from insight.models import InsightEvent
from insight.service import OUTCOMES, TIME_TO_OUTCOME
from insight.suppression import Grid, suppress
from knowledge.location import COUNCILS

OUTCOME_NAMES = {
    "applied": "Applied",
    "course": "Course",
    "apprenticeship": "Apprenticeship",
    "job": "Job",
    "still_looking": "Still looking",
    "talk": "Asked to talk",
}
OUTCOME_COLUMNS = [(o, OUTCOME_NAMES.get(o, o)) for o in OUTCOMES]
ANSWER_COLUMNS = [("answered", "Answered"), ("no_answer", "No answer")]
TABLE_IDS = ("checkins", "outcomes_by_help", "outcomes_by_area", "time_to_outcome")
HIDDEN = "hidden (small numbers)"
SHARE = "Answered share"


def outcome_tables(session: Session, filters: Filters, k: int) -> list[Table]:
    """The four outcome tables, in dashboard order."""
    return [
        _checkins(session, filters, k),
        _by_help(session, filters, k),
        _by_area(session, filters, k),
        _time_to_outcome(session, filters, k),
    ]


def share(grid: Grid, row: int, part_col: int = 0) -> str:
    """`part_col` as a share of the row total, or "" unless both counts are shown."""
    part = grid.shown(row, part_col)
    total = grid.shown(row, len(grid.values[0]) - 1)
    if part is None or not total:
        return ""
    return f"{round(100 * part / total)}%"


def headline(items: list[Table]) -> list[tuple[str, str]]:
    """Check-ins sent and answered, and the share answered, as a reader may see them."""
    by_id = {t.id: t for t in items}
    if "checkins" not in by_id:
        return []
    grid = by_id["checkins"].grid
    last_row, last_col = len(grid.values) - 1, len(grid.values[0]) - 1
    return [
        ("Check-ins sent", grid.label(last_row, last_col)),
        ("Check-ins answered", grid.label(last_row, 0)),
        ("Share of check-ins answered", share(grid, last_row) or HIDDEN),
    ]


def outcome_mix(items: list[Table]) -> list[tuple[str, str]]:
    """Each outcome's share of all answers, from the shown totals of outcomes by first help."""
    by_id = {t.id: t for t in items}
    if "outcomes_by_help" not in by_id:
        return []
    table = by_id["outcomes_by_help"]
    grid = table.grid
    last_row, last_col = len(grid.values) - 1, len(grid.values[0]) - 1
    total = grid.shown(last_row, last_col)
    out = []
    for c, name in enumerate(table.columns):
        count = grid.shown(last_row, c)
        value = f"{round(100 * count / total)}%" if count is not None and total else HIDDEN
        out.append((name, value))
    return out


def _outcomes_only(*extra: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    return [InsightEvent.kind == "outcome", InsightEvent.outcome.is_not(None), *extra]


def _answered(counts: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Per row: check-ins answered, and those sent without an answer in the same period."""
    out: Counter[tuple[str, str]] = Counter()
    for row in {r for r, _ in counts}:
        sent, answered = counts[(row, "checkin")], counts[(row, "outcome")]
        out[(row, "answered")] = answered
        # An answer can land in the period after its check-in: never a negative count.
        out[(row, "no_answer")] = max(sent - answered, 0)
    return out


def _checkins(session: Session, filters: Filters, k: int) -> Table:
    """Check-ins sent by month: answered or not, with the share answered."""
    day = func.date(InsightEvent.hour)
    by_day = grouped_counts(
        session, filters, day, InsightEvent.kind, InsightEvent.kind.in_(("checkin", "outcome"))
    )
    by_month: Counter[tuple[str, str]] = Counter()
    for (d, kind), n in by_day.items():
        by_month[(d[:7], kind)] += n
    table = suppressed_table(
        id="checkins",
        title="Check-ins sent and answered, by month",
        row_header="Month",
        counts=_answered(by_month),
        rows=sorted({m for m, _ in by_month}),
        columns=ANSWER_COLUMNS,
        k=k,
        chart="stacked",
        note="Total: check-ins sent. The share is shown only where both of its counts are.",
    )
    shares = [share(table.grid, r) for r in range(len(table.rows))]
    return dataclasses.replace(table, extra={SHARE: shares}, section="outcomes")


def _help_row(first_help: str | None, topic: str | None) -> str:
    if first_help == "article":
        return f"article:{topic or 'other'}"
    return first_help if first_help in ("service", "case") else "unknown"


def _help_name(row: str) -> str:
    if row.startswith("article:"):
        return "Article: " + row.split(":", 1)[1].replace("-", " ").capitalize()
    return {"service": "A local service", "case": "An adviser (case)"}.get(row, "Not recorded")


def _by_help(session: Session, filters: Filters, k: int) -> Table:
    """Outcomes by the first help given: each article topic, a local service, an adviser."""
    statement = (
        select(InsightEvent.first_help, InsightEvent.topic, InsightEvent.outcome, func.count())
        .where(*filters.where(), *_outcomes_only())
        .group_by(InsightEvent.first_help, InsightEvent.topic, InsightEvent.outcome)
    )
    counts: Counter[tuple[str, str]] = Counter()
    for first_help, topic, outcome, n in session.execute(statement):
        counts[(_help_row(first_help, topic), str(outcome))] += int(n)
    articles = [r for r in ranked(counts) if r.startswith("article:")]
    others = [r for r in ("service", "case", "unknown") if any(key[0] == r for key in counts)]
    rows = articles + others
    table = suppressed_table(
        id="outcomes_by_help",
        title="Outcomes by first help",
        row_header="First help",
        counts=counts,
        rows=rows,
        columns=OUTCOME_COLUMNS,
        k=k,
        chart="hstacked",
        row_names={r: _help_name(r) for r in rows},
        note="What help came first: an article (by topic), a local service or an adviser.",
    )
    return dataclasses.replace(table, section="outcomes")


def _by_area(session: Session, filters: Filters, k: int) -> Table:
    """Outcomes by council area, ranked, with the share of that area's check-ins answered."""
    in_area = InsightEvent.council_area.is_not(None)
    counts = grouped_counts(
        session, filters, InsightEvent.council_area, InsightEvent.outcome, *_outcomes_only(in_area)
    )
    rows = ranked(counts)
    table = suppressed_table(
        id="outcomes_by_area",
        title="Outcomes by council area",
        row_header="Council area",
        counts=counts,
        rows=rows,
        columns=OUTCOME_COLUMNS,
        k=k,
        chart="hstacked",
        row_names={slug: names[0] for slug, names in COUNCILS.items()},
        note="Answered share: answers per check-in sent in the area, where both pass suppression.",
    )
    sent = grouped_counts(
        session,
        filters,
        InsightEvent.council_area,
        InsightEvent.kind,
        in_area,
        InsightEvent.kind.in_(("checkin", "outcome")),
    )
    # The answered/unanswered split per area is suppressed on its own; only a share whose two
    # counts both survive that is published.
    split = _answered(sent)
    answers = suppress(
        [[split[(row, key)] for key, _ in ANSWER_COLUMNS] for row in rows] or [[0, 0]], k
    )
    shares = [share(answers, r) for r in range(len(rows))]
    return dataclasses.replace(table, extra={SHARE: shares}, section="outcomes")


def _time_to_outcome(session: Session, filters: Filters, k: int) -> Table:
    """How long after the first help each outcome came, in bands."""
    counts = grouped_counts(
        session,
        filters,
        InsightEvent.time_to_outcome,
        InsightEvent.outcome,
        *_outcomes_only(InsightEvent.time_to_outcome.is_not(None)),
    )
    seen = {r for r, _ in counts}
    table = suppressed_table(
        id="time_to_outcome",
        title="Time from first help to outcome",
        row_header="Time to outcome",
        counts=counts,
        rows=[band for band in TIME_TO_OUTCOME if band in seen],
        columns=OUTCOME_COLUMNS,
        k=k,
        chart="stacked",
    )
    return dataclasses.replace(table, section="outcomes")
