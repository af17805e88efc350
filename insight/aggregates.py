"""The published tables: counts of insight events, grouped and suppressed.

Every table an analyst sees (dashboard, API, CSV, report) comes from `tables()`, and every count
in it has been through `insight.suppression`: nothing under the threshold leaves this module.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from insight.models import InsightEvent, ThemePhrase
from insight.suppression import Grid, suppress
from insight.themes import OTHER, load_taxonomy
from knowledge.location import COUNCILS

CHANNELS = ("web", "sms", "telegram")
CHANNEL_NAMES = {"web": "Web chat", "sms": "SMS", "telegram": "Telegram"}
POPULATION = Path(__file__).resolve().parent.parent / "knowledge/places/population.csv"
REASONS = {
    "suicide": "Suicide risk",
    "self_harm": "Self-harm",
    "abuse": "Abuse",
    "exploitation": "Exploitation",
    "domestic_violence": "Domestic violence",
    "homeless": "Homelessness",
    "unsafe_home": "Unsafe at home",
    "violence": "Violence",
    "medical": "Medical emergency",
    "asked_for_person": "Asked for a person",
    "distress": "Distress",
    "complaint": "Complaint",
    "frustration": "Frustration",
    "failed_answers": "Answers did not help",
}
OUTCOMES = {
    "advice_given": "Advice given",
    "referred_locally": "Referred to a local service",
    "safeguarding_referral": "Safeguarding referral",
    "emergency_services": "Emergency services",
    "no_response": "No response",
    "other": "Other",
}


@dataclass(frozen=True)
class Filters:
    """What the analyst chose: a date range (inclusive), a channel and a council area."""

    start: date | None = None
    end: date | None = None
    channel: str | None = None
    area: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        """The SQL conditions for these filters."""
        conditions: list[ColumnElement[bool]] = []
        if self.start is not None:
            conditions.append(InsightEvent.hour >= datetime.combine(self.start, time(), UTC))
        if self.end is not None:
            end = datetime.combine(self.end + timedelta(days=1), time(), UTC)
            conditions.append(InsightEvent.hour < end)
        if self.channel:
            conditions.append(InsightEvent.channel == self.channel)
        if self.area:
            conditions.append(InsightEvent.council_area == self.area)
        return conditions


@dataclass(frozen=True)
class Table:
    """One published table: labelled rows and columns of suppressed counts, with totals."""

    id: str
    title: str
    row_header: str
    rows: list[str]
    columns: list[str]
    grid: Grid
    chart: str = "bar"  # how the dashboard draws it: line | bar | hbar | stacked | hstacked
    note: str = ""
    extra: dict[str, list[str]] = field(default_factory=dict)  # further text columns
    section: str = "demand"  # where the dashboard puts it: demand | outcomes

    def header(self) -> list[str]:
        """Column headings, totals and extra columns included."""
        totals = ["Total"] if len(self.columns) > 1 else []
        return [self.row_header, *self.columns, *totals, *self.extra]

    def records(self) -> list[list[str]]:
        """Rows as a reader sees them ("<10" and "*" for hidden cells), then the totals row."""
        width = len(self.columns) + (1 if len(self.columns) > 1 else 0)
        out = []
        for r, label in enumerate([*self.rows, "Total"]):
            cells = [self.grid.label(r, c) for c in range(width)]
            extras = [values[r] if r < len(self.rows) else "" for values in self.extra.values()]
            out.append([label, *cells, *extras])
        return out

    def series(self) -> dict[str, Any]:
        """The data a chart needs: shown numbers only, None where a cell is hidden."""
        return {
            "id": self.id,
            "title": self.title,
            "chart": self.chart,
            "section": self.section,
            "labels": self.rows,
            "datasets": [
                {"label": name, "data": [self.grid.shown(r, c) for r in range(len(self.rows))]}
                for c, name in enumerate(self.columns)
            ],
            "hidden": sum(
                1
                for r in range(len(self.rows))
                for c in range(len(self.columns))
                if self.grid.shown(r, c) is None and self.grid.values[r][c] > 0
            ),
        }


def suppressed_table(
    *,
    id: str,
    title: str,
    row_header: str,
    counts: Counter[tuple[str, str]],
    rows: Iterable[str],
    columns: Iterable[tuple[str, str]],
    k: int,
    row_names: dict[str, str] | None = None,
    chart: str = "bar",
    note: str = "",
) -> Table:
    """Lay `counts` out as rows by columns and suppress the grid: the only way to a Table."""
    rows, columns = list(rows), list(columns)
    matrix = [[counts[(row, key)] for key, _ in columns] for row in rows] or [[0] * len(columns)]
    names = row_names or {}
    return Table(
        id=id,
        title=title,
        row_header=row_header,
        rows=[names.get(row, row) for row in rows],
        columns=[label for _, label in columns],
        grid=suppress(matrix, k),
        chart=chart,
        note=note,
    )


def grouped_counts(
    session: Session, filters: Filters, row: Any, col: Any, *extra: ColumnElement[bool]
) -> Counter[tuple[str, str]]:
    """Count the filtered events by two columns."""
    statement: Select[Any] = (
        select(row, col, func.count()).where(*filters.where(), *extra).group_by(row, col)
    )
    counts: Counter[tuple[str, str]] = Counter()
    for r, c, n in session.execute(statement):
        counts[(str(r), str(c))] += int(n)
    return counts


def ranked(counts: Counter[tuple[str, str]]) -> list[str]:
    """Row keys, largest total first."""
    totals: Counter[str] = Counter()
    for (row, _), n in counts.items():
        totals[row] += n
    return [row for row, _ in totals.most_common()]


@cache
def population() -> dict[str, int]:
    """Young people aged 16-24 by council area (NRS mid-2022), where the file has a figure."""
    if not POPULATION.exists():
        return {}
    with POPULATION.open(encoding="utf-8") as handle:
        return {r["council_area"]: int(r["population_16_24"]) for r in csv.DictReader(handle)}


@cache
def theme_names() -> dict[str, str]:
    """Taxonomy topic id to label."""
    return {t.id: t.label for t in load_taxonomy()} | {OTHER: "Other"}


def tables(session: Session, filters: Filters, k: int) -> list[Table]:
    """Every published table, in dashboard order."""
    turns = InsightEvent.kind == "turn"
    channels = [
        (c, CHANNEL_NAMES[c]) for c in CHANNELS if not filters.channel or filters.channel == c
    ]
    day = func.date(InsightEvent.hour)
    demand = grouped_counts(session, filters, day, InsightEvent.channel, turns)
    days = _days(filters, demand)
    out = [
        suppressed_table(
            id="demand",
            title="Messages by day and channel",
            row_header="Day",
            counts=demand,
            rows=days,
            columns=channels,
            k=k,
            chart="line",
        ),
        _areas(session, filters, k),
    ]
    topics = grouped_counts(
        session,
        filters,
        InsightEvent.topic,
        InsightEvent.answered,
        turns,
        InsightEvent.topic.is_not(None),
    )
    out.append(
        suppressed_table(
            id="topics",
            title="Topics answered from the knowledge base",
            row_header="Topic",
            counts=Counter(
                {
                    (t, "answered" if a == "True" or a == "1" else "not"): n
                    for (t, a), n in topics.items()
                }
            ),
            rows=ranked(topics),
            columns=[("answered", "Answered"), ("not", "No good answer")],
            k=k,
            chart="hbar",
        )
    )
    themes = grouped_counts(
        session,
        filters,
        InsightEvent.theme,
        InsightEvent.channel,
        turns,
        InsightEvent.answered.is_(False),
        InsightEvent.theme.is_not(None),
    )
    out.append(
        suppressed_table(
            id="unanswered",
            title="Questions without a good answer, by theme",
            row_header="Theme",
            counts=themes,
            rows=ranked(themes),
            columns=channels,
            k=k,
            chart="hbar",
            row_names=theme_names(),
            note="Themes come from a written taxonomy; no question text is stored.",
        )
    )
    escalations = grouped_counts(
        session,
        filters,
        InsightEvent.escalation_reason,
        InsightEvent.triage_level,
        turns,
        InsightEvent.escalation_reason.is_not(None),
    )
    out.append(
        suppressed_table(
            id="escalations",
            title="Why people were passed to a person",
            row_header="Reason",
            counts=escalations,
            rows=ranked(escalations),
            columns=[("crisis", "Crisis"), ("needs_person", "Needs a person"), ("none", "Other")],
            k=k,
            chart="stacked",
            row_names=REASONS,
        )
    )
    outcomes = grouped_counts(
        session, filters, InsightEvent.outcome, InsightEvent.channel, InsightEvent.kind == "case"
    )
    out.append(
        suppressed_table(
            id="outcomes",
            title="How adviser cases ended",
            row_header="Outcome",
            counts=outcomes,
            rows=ranked(outcomes),
            columns=channels,
            k=k,
            chart="stacked",
            row_names=OUTCOMES,
        )
    )
    feedback = grouped_counts(
        session,
        filters,
        InsightEvent.feedback,
        InsightEvent.channel,
        turns,
        InsightEvent.feedback.is_not(None),
    )
    out.append(
        suppressed_table(
            id="feedback",
            title="Was the answer helpful?",
            row_header="Feedback",
            counts=feedback,
            rows=[r for r in ("positive", "negative") if any(key[0] == r for key in feedback)],
            columns=channels,
            k=k,
            chart="stacked",
            row_names={"positive": "Helpful", "negative": "Not helpful"},
        )
    )
    ages = grouped_counts(
        session,
        filters,
        InsightEvent.age_band,
        InsightEvent.channel,
        turns,
        InsightEvent.age_band.is_not(None),
    )
    out.append(
        suppressed_table(
            id="ages",
            title="Stated age band",
            row_header="Age band",
            counts=ages,
            rows=sorted({r for r, _ in ages}),
            columns=channels,
            k=k,
        )
    )
    # Imported here: insight.outcomes builds on this module's Table and counting helpers.
    from insight.outcomes import outcome_tables

    return [*out, *outcome_tables(session, filters, k)]


def _days(filters: Filters, counts: Counter[tuple[str, str]]) -> list[str]:
    """Every day in the range (days without messages count as 0), or the days seen."""
    seen = sorted({row for row, _ in counts})
    if not seen:
        return []
    first = filters.start or date.fromisoformat(seen[0][:10])
    last = filters.end or date.fromisoformat(seen[-1][:10])
    if (last - first).days > 366:
        return seen
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _areas(session: Session, filters: Filters, k: int) -> Table:
    """Messages by council area, with a rate per 1,000 young people where it can be shown."""
    counts = grouped_counts(
        session,
        filters,
        InsightEvent.council_area,
        InsightEvent.kind,
        InsightEvent.kind == "turn",
        InsightEvent.council_area.is_not(None),
    )
    rows = ranked(counts)
    table = suppressed_table(
        id="areas",
        title="Messages by council area",
        row_header="Council area",
        counts=counts,
        rows=rows,
        columns=[("turn", "Messages")],
        k=k,
        chart="hbar",
        row_names={slug: names[0] for slug, names in COUNCILS.items()},
        note="Rate: messages per 1,000 people aged 16-24 (NRS mid-2022 estimates).",
    )
    people = population()
    rates = []
    for r, slug in enumerate(rows):
        shown = table.grid.shown(r, 0)
        rates.append(f"{1000 * shown / people[slug]:.1f}" if shown and slug in people else "")
    return Table(**{**table.__dict__, "extra": {"Per 1,000 aged 16-24": rates}})


def phrases(session: Session, k: int) -> list[tuple[str, str, int]]:
    """Published phrases of unanswered questions: (theme label, phrase, conversations)."""
    rows = session.execute(
        select(ThemePhrase.theme, ThemePhrase.phrase, ThemePhrase.conversations)
        .where(ThemePhrase.conversations >= k)
        .order_by(ThemePhrase.conversations.desc(), ThemePhrase.phrase)
        .limit(50)
    )
    names = theme_names()
    return [(names.get(theme, theme), phrase, n) for theme, phrase, n in rows]


def to_csv(items: list[Table], phrase_rows: list[tuple[str, str, int]] | None = None) -> str:
    """Every table as one CSV: `table, row, column, value`, values as readers see them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["table", "row", "column", "value"])
    for table in items:
        header = table.header()
        for record in table.records():
            for column, value in zip(header[1:], record[1:], strict=True):
                writer.writerow([table.id, record[0], column, value])
    for theme, phrase, n in phrase_rows or []:
        writer.writerow(["phrases", theme, phrase, n])
    return buffer.getvalue()


def table_csv(table: Table) -> str:
    """One table as a CSV in its own shape (as on screen)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header())
    writer.writerows(table.records())
    return buffer.getvalue()
