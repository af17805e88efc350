"""The web channel: the chat page and POST /api/web/messages."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError

from cairn.db import Database
from cairn.errors import InvalidInput, PayloadTooLarge, RateLimited
from channels.identity import conversation_id
from channels.live import event_stream
from channels.ratelimit import SLOW_DOWN
from channels.router import Router
from channels.schemas import Inbound, Turn
from escalation.replies import OUTAGE_LINES
from insight.notes import NoteView, published

router = APIRouter(tags=["web"])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

SESSION_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class WebMessage(BaseModel):
    """A message typed on the web chat page."""

    session: Annotated[str, Field(pattern=SESSION_PATTERN)]
    text: Annotated[str, Field(min_length=1)]


class SourceOut(BaseModel):
    """A cited article."""

    title: str
    url: str
    last_reviewed: str


class ButtonOut(BaseModel):
    """A quick reply."""

    title: str
    payload: str


class ReplyOut(BaseModel):
    """One reply bubble."""

    text: str
    sources: list[SourceOut]
    buttons: list[ButtonOut]


class WebTurn(BaseModel):
    """The web contract's answer."""

    session: str
    replies: list[ReplyOut]
    handoff: str


def render(session: str, turn: Turn) -> WebTurn:
    """Render a turn for the web: full text, source cards and buttons."""
    return WebTurn(
        session=session,
        handoff=turn.handoff,
        replies=[
            ReplyOut(
                text=r.text,
                sources=[SourceOut(**vars(s)) for s in r.sources],
                buttons=[ButtonOut(**vars(b)) for b in r.buttons],
            )
            for r in turn.replies
        ],
    )


@router.post("/api/web/messages")
async def post_message(message: WebMessage, request: Request, response: Response) -> WebTurn:
    """Answer one message from the web chat.

    `Server-Timing` says how long the turn took in all, how much was Rasa's turn with its
    actions (retrieval included) and the one embedding they share: `cairn bench chat` reports
    the rest, the service's own share.
    """
    started = time.perf_counter()
    limit: int = request.app.state.settings.max_text_chars
    if len(message.text) > limit:
        raise PayloadTooLarge(f"text is longer than {limit} characters")
    text = message.text.strip()
    if not text:
        raise InvalidInput("text must contain more than spaces")
    state = request.app.state
    key = conversation_id(
        secret=state.settings.secret_key.get_secret_value(), channel="web", address=message.session
    )
    if await state.limits.held_back(key, text):
        raise RateLimited(SLOW_DOWN, state.limits.retry_after_s())
    conversation_router: Router = request.app.state.router
    turn = await conversation_router.handle(
        Inbound(channel="web", address=message.session, text=text)
    )
    total_ms = (time.perf_counter() - started) * 1000
    response.headers["Server-Timing"] = (
        f"embed;dur={turn.embed_ms:.1f}, rasa;dur={turn.rasa_ms:.1f}, total;dur={total_ms:.1f}"
    )
    return render(message.session, turn)


class HistoryItem(BaseModel):
    """One earlier message (a check-in waiting for its answer keeps its buttons)."""

    author: str
    text: str
    buttons: list[ButtonOut] = []


class WebHistory(BaseModel):
    """What the page shows again after a reload."""

    session: str
    handoff: str
    messages: list[HistoryItem]


@router.get("/api/web/history")
async def get_history(
    request: Request, session: Annotated[str, Query(pattern=SESSION_PATTERN)]
) -> WebHistory:
    """The conversation so far, so it resumes after a reload."""
    conversation_router: Router = request.app.state.router
    handoff, rows, check_in = await conversation_router.history("web", session)
    messages = [HistoryItem(author=a, text=t) for a, t in rows]
    if check_in is not None:
        buttons = [ButtonOut(**vars(b)) for b in check_in.buttons]
        last = next((m for m in reversed(messages) if m.text == check_in.text), None)
        if last is not None:
            last.buttons = buttons
        else:
            messages.append(HistoryItem(author="bot", text=check_in.text, buttons=buttons))
    return WebHistory(session=session, handoff=handoff, messages=messages)


@router.get("/api/web/events", include_in_schema=False)
async def live_events(
    request: Request, session: Annotated[str, Query(pattern=SESSION_PATTERN)]
) -> StreamingResponse:
    """Server-sent events: an adviser's messages to this web session, as they are sent."""
    secret = request.app.state.settings.secret_key.get_secret_value()
    conv_id = conversation_id(secret=secret, channel="web", address=session)
    return event_stream(request, f"conv:{conv_id}")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def chat_page(request: Request) -> HTMLResponse:
    """The chat page, with the latest 'you said, we did' notes."""
    db: Database = request.app.state.db

    def load() -> list[NoteView]:
        with db.session() as session:
            return published(session=session)

    try:
        notes = await to_thread.run_sync(load)
    except OperationalError:  # the chat page (and its Quick exit) stays up without its notes
        notes = []
    return templates.TemplateResponse(
        request, "chat.html", {"notes": notes, "support": OUTAGE_LINES}
    )


@router.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
async def privacy_page(request: Request) -> HTMLResponse:
    """The privacy notice."""
    return templates.TemplateResponse(request, "privacy.html", {})
