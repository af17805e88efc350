"""The notes page at /insight/notes: write a 'you said, we did' note, publish or withdraw one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from cairn.db import Database
from cairn.errors import Forbidden, InvalidInput
from escalation.console import CsrfChecked, csrf_token
from escalation.models import User
from insight import notes
from insight.dashboard import Analyst

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
PAGE = "/insight/notes"


@router.get(PAGE, response_class=HTMLResponse)
async def notes_page(request: Request, user: Analyst) -> HTMLResponse:
    """Drafts waiting for a second person, and what the chat page shows now."""
    return await _page(request, user)


@router.post(PAGE, dependencies=CsrfChecked)
async def write_draft(
    request: Request,
    user: Analyst,
    title: Annotated[str, Form(max_length=1000)] = "",
    body: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Save a draft."""
    return await _act(
        request,
        user,
        lambda s, u: notes.draft(session=s, title=title, body=body, author=u),
        {"title": title, "body": body},
    )


@router.post(PAGE + "/{note_id}/publish", dependencies=CsrfChecked)
async def publish_note(request: Request, user: Analyst, note_id: int) -> Response:
    """Publish someone else's draft on the chat page."""
    return await _act(
        request, user, lambda s, u: notes.publish(session=s, note_id=note_id, reviewer=u)
    )


@router.post(PAGE + "/{note_id}/withdraw", dependencies=CsrfChecked)
async def withdraw_note(request: Request, user: Analyst, note_id: int) -> Response:
    """Withdraw a draft or a published note."""
    return await _act(
        request, user, lambda s, u: notes.withdraw(session=s, note_id=note_id, user=u)
    )


async def _act(
    request: Request,
    user: User,
    action: Callable[[Session, User], object],
    typed: dict[str, str] | None = None,
) -> Response:
    """Run one action; on success go back to the page, on a broken rule show it there."""
    db: Database = request.app.state.db

    def run() -> None:
        with db.session() as session:
            action(session, user)

    try:
        await to_thread.run_sync(run)
    except (Forbidden, InvalidInput) as exc:
        return await _page(request, user, error=exc.detail, status=exc.status_code, typed=typed)
    return RedirectResponse(PAGE, status_code=303)


async def _page(
    request: Request,
    user: User,
    *,
    error: str = "",
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    db: Database = request.app.state.db

    def load() -> list[notes.NoteView]:
        with db.session() as session:
            return notes.for_review(session=session)

    listed = await to_thread.run_sync(load)
    return templates.TemplateResponse(
        request,
        "notes.html",
        {
            "user": user,
            "csrf": csrf_token(request),
            "drafts": [n for n in listed if n.status == "draft"],
            "published": [n for n in listed if n.status == "published"],
            "error": error,
            "typed": typed or {"title": "", "body": ""},
            "title_max": notes.TITLE_MAX,
            "body_max": notes.BODY_MAX,
            "front_page": notes.FRONT_PAGE,
        },
        status_code=status,
    )
