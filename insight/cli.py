"""`cairn insight ...`: export the suppressed aggregates, write the monthly report, relay now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cairn.db import Database
from cairn.settings import get_settings
from insight.aggregates import Filters, phrases, tables, to_csv

insight_app = typer.Typer(help="Anonymised demand insight.", no_args_is_help=True)


@insight_app.command("export")
def export(
    csv: Annotated[bool, typer.Option("--csv/--json", help="CSV (default) or JSON.")] = True,
) -> None:
    """Print every suppressed aggregate: CSV rows `table,row,column,value`, or JSON tables."""
    settings = get_settings()
    with Database(settings.insight_database_url).session() as session:
        items = tables(session, Filters(), settings.insight_min_count)
        phrase_rows = phrases(session, settings.insight_phrase_min_conversations)
    if csv:
        typer.echo(to_csv(items, phrase_rows), nl=False)
        return
    payload = {"tables": [{"id": t.id, "header": t.header(), "rows": t.records()} for t in items]}
    typer.echo(json.dumps(payload))


@insight_app.command("report")
def report(
    month: Annotated[str, typer.Option(help="YYYY-MM; default: this month.")] = "",
    out: Annotated[Path, typer.Option(help="Where to write: .pdf or .html.")] = Path(
        "insight-report.pdf"
    ),
) -> None:
    """Write the month's summary with charts: demand, then check-in outcomes."""
    from datetime import UTC, datetime

    from insight.report import month_filters, write_report

    settings = get_settings()
    month = month or datetime.now(UTC).strftime("%Y-%m")
    try:
        filters = month_filters(month)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM, e.g. 2026-11", param_hint="--month") from exc
    with Database(settings.insight_database_url).session() as session:
        items = tables(session, filters, settings.insight_min_count)
    path = write_report(month, items, out, settings.insight_min_count)
    typer.echo(f"wrote {path}")


@insight_app.command("relay")
def relay() -> None:
    """Move queued events to the insight database now (the service does this continuously)."""
    from insight.relay import InsightRelay
    from insight.themes import ThemeMapper
    from knowledge.factory import open_embedder

    settings = get_settings()
    moved = InsightRelay(
        db=Database(settings.database_url),
        insight_db=Database(settings.insight_database_url),
        theme=ThemeMapper(open_embedder(settings)).theme,
        min_conversations=settings.insight_phrase_min_conversations,
    ).relay_all()
    typer.echo(f"relayed {moved} events")
