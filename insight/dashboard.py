"""The analyst dashboard at /insight: charts and tables of suppressed aggregates, and exports.

Only analysts and supervisors sign in here. Nothing on these routes reads the main database
beyond the signed-in user: no transcript, no conversation id, no free text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from cairn.db import Database
from cairn.errors import Forbidden, InvalidInput
from escalation.console import csrf_token, current_user
from escalation.models import User
from insight.aggregates import CHANNEL_NAMES, Filters, Table, phrases, table_csv, tables, to_csv
from insight.outcomes import headline, outcome_mix
from knowledge.location import COUNCILS

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
INSIGHT_ROLES = frozenset({"analyst", "supervisor"})


def insight_user(user: Annotated[User, Depends(current_user)]) -> User:
    """An analyst or supervisor; advisers work in the console instead."""
    if user.role not in INSIGHT_ROLES:
        raise Forbidden("this page is for analysts")
    return user


Analyst = Annotated[User, Depends(insight_user)]
AnalystOnly = [Depends(insight_user)]


def filters(
    start: Annotated[str, Query(max_length=10)] = "",
    end: Annotated[str, Query(max_length=10)] = "",
    channel: Annotated[Literal["", "web", "sms", "telegram"], Query()] = "",
    area: Annotated[str, Query(max_length=64)] = "",
) -> Filters:
    """The filters from the query string, checked (an empty field means no filter)."""
    if area and area not in COUNCILS:
        raise InvalidInput(f"unknown council area {area!r}")
    first, last = _date(start, "start"), _date(end, "end")
    if first and last and first > last:
        raise InvalidInput("the start date is after the end date")
    return Filters(start=first, end=last, channel=channel or None, area=area or None)


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a date like 2026-11-24") from exc


Chosen = Annotated[Filters, Depends(filters)]


async def _published(request: Request, chosen: Filters) -> tuple[list[Table], list[Any]]:
    db: Database = request.app.state.insight_db
    k: int = request.app.state.settings.insight_min_count

    def load() -> tuple[list[Table], list[Any]]:
        with db.session() as session:
            return tables(session, chosen, k), phrases(
                session, request.app.state.settings.insight_phrase_min_conversations
            )

    return await to_thread.run_sync(load)


def _payload(items: list[Table], phrase_rows: list[Any], chosen: Filters, k: int) -> dict[str, Any]:
    return {
        "threshold": k,
        "filters": {
            "start": chosen.start.isoformat() if chosen.start else "",
            "end": chosen.end.isoformat() if chosen.end else "",
            "channel": chosen.channel or "",
            "area": chosen.area or "",
        },
        "tables": [
            {**t.series(), "header": t.header(), "records": t.records(), "note": t.note}
            for t in items
        ],
        "phrases": [{"theme": t, "phrase": p, "conversations": n} for t, p, n in phrase_rows],
        "outcome_headline": [{"label": m, "value": v} for m, v in headline(items)],
        "outcome_mix": [{"label": m, "value": v} for m, v in outcome_mix(items)],
    }


@router.get("/insight", response_class=HTMLResponse)
async def dashboard(request: Request, user: Analyst, chosen: Chosen) -> HTMLResponse:
    """Charts and tables for the chosen dates, channel and area."""
    items, phrase_rows = await _published(request, chosen)
    k = request.app.state.settings.insight_min_count
    data = _payload(items, phrase_rows, chosen, k)
    query = str(request.url.query)
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "user": user,
            "csrf": csrf_token(request),
            "data": data,
            "channels": CHANNEL_NAMES,
            "areas": sorted((names[0], slug) for slug, names in COUNCILS.items()),
            "query": f"?{query}" if query else "",
        },
    )


@router.get("/insight/api/tables", dependencies=AnalystOnly)
async def api_tables(request: Request, chosen: Chosen) -> JSONResponse:
    """The same tables as JSON (hidden cells are null in `datasets`, labelled in `records`)."""
    items, phrase_rows = await _published(request, chosen)
    k = request.app.state.settings.insight_min_count
    return JSONResponse(_payload(items, phrase_rows, chosen, k))


@router.get("/insight/export.csv", dependencies=AnalystOnly)
async def export_all(request: Request, chosen: Chosen) -> Response:
    """Every table in one CSV (`table,row,column,value`)."""
    items, phrase_rows = await _published(request, chosen)
    return _csv(to_csv(items, phrase_rows), "cairn-insight.csv")


@router.get("/insight/export/{table_id}.csv", dependencies=AnalystOnly)
async def export_table(request: Request, table_id: str, chosen: Chosen) -> Response:
    """One table as shown on screen."""
    items, _ = await _published(request, chosen)
    for table in items:
        if table.id == table_id:
            return _csv(table_csv(table), f"cairn-insight-{table.id}.csv")
    raise InvalidInput(f"no table {table_id!r}")


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
