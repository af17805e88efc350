"""GET /adviser/cases/{id}/suggestions: the adviser assist panel's data."""

from __future__ import annotations

import time
from dataclasses import asdict

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from cairn.db import Database
from cairn.errors import Forbidden
from escalation import assist
from escalation.console import console_user

router = APIRouter(include_in_schema=False)


@router.get("/adviser/cases/{case_id}/suggestions", dependencies=[Depends(console_user)])
async def case_suggestions(request: Request, case_id: int) -> JSONResponse:
    """Articles and services matching the young person's recent messages; shared outcomes."""
    state = request.app.state
    db: Database = state.db

    def compute() -> dict[str, object]:
        started = time.perf_counter()
        with db.session() as session:  # closed before retrieval: no connection held for it
            try:
                context = assist.read_context(session=session, case_id=case_id)
            except assist.NoSuchCase as exc:
                raise Forbidden("no such case") from exc
        found = assist.suggest(
            context=context, searcher=state.knowledge.retriever, directory=state.directory
        )
        return {**asdict(found), "took_ms": round((time.perf_counter() - started) * 1000, 1)}

    body = await to_thread.run_sync(compute)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
