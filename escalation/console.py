"""The adviser console: login, the queue, a case (transcript, reply, notes, close)."""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from cairn.db import Database, as_utc
from cairn.errors import Forbidden
from channels.live import event_stream
from channels.render import render_sms_messages, render_telegram
from channels.schemas import Reply
from escalation import addresses, service
from escalation.auth import CONSOLE_ROLES, AuthError, authenticate
from escalation.models import Case, Note, User
from escalation.replies import EMERGENCY, SAMARITANS, SHOUT

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
CANNED = [
    "Hi, I'm a careers adviser. I've read your messages and I'm here to help.",
    " ".join((EMERGENCY, SAMARITANS, SHOUT)),
    "I'm still here. Take your time.",
]


class NotSignedIn(Exception):
    """No console session: send the browser to the login page."""


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str) -> None:
    """Refuse a form whose token is not this session's."""
    expected = str(request.session.get("csrf") or "")
    if not expected or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise Forbidden("invalid or missing CSRF token")


def current_user(request: Request) -> User:
    """The signed-in person, or NotSignedIn."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        raise NotSignedIn
    with _db(request).session() as session:
        user = session.get(User, user_id)
        if user is None:
            request.session.clear()
            raise NotSignedIn
        session.expunge(user)
        return user


def console_user(user: Annotated[User, Depends(current_user)]) -> User:
    """An adviser or supervisor: analysts never see transcripts."""
    if user.role not in CONSOLE_ROLES:
        raise Forbidden("this page is for advisers")
    return user


def checked_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """Every console form posts the session's CSRF token."""
    check_csrf(request, csrf)


Adviser = Annotated[User, Depends(console_user)]
CsrfChecked = [Depends(checked_csrf)]


@router.get("/adviser/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    """The login form."""
    return templates.TemplateResponse(
        request, "login.html", {"csrf": csrf_token(request), "error": ""}
    )


@router.post("/adviser/login", dependencies=CsrfChecked)
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Sign in; the session is renewed so a planted cookie cannot ride along."""

    def attempt() -> tuple[int, str] | None:
        with _db(request).session() as session:
            try:
                user = authenticate(session=session, email=email, password=password)
            except AuthError:
                return None
            return user.id, user.role

    found = await to_thread.run_sync(attempt)
    if found is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"csrf": csrf_token(request), "error": "Wrong email or password."},
            status_code=401,
        )
    request.session.clear()
    request.session["user_id"], request.session["role"] = found
    csrf_token(request)
    target = "/insight" if found[1] == "analyst" else "/adviser"
    return RedirectResponse(target, status_code=303)


@router.post("/adviser/logout", dependencies=CsrfChecked)
async def logout(request: Request) -> Response:
    """Sign out."""
    request.session.clear()
    return RedirectResponse("/adviser/login", status_code=303)


@router.get("/adviser", response_class=HTMLResponse)
async def queue_page(request: Request, user: Adviser) -> HTMLResponse:
    """Open cases, urgent first, then oldest first."""

    def load() -> list[dict[str, Any]]:
        with _db(request).session() as session:
            return [_summary(c) for c in service.queue(session=session)]

    return templates.TemplateResponse(
        request,
        "queue.html",
        {"user": user, "cases": await to_thread.run_sync(load), "csrf": csrf_token(request)},
    )


@router.get("/adviser/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: int, user: Adviser) -> HTMLResponse:
    """The transcript since consent, the triage reasons, reply, notes and close."""

    def load() -> dict[str, Any]:
        with _db(request).session() as session:
            case = session.get(Case, case_id)
            if case is None:
                raise Forbidden("no such case")
            service.audit(session=session, user_id=user.id, action="view", case_id=case_id)
            messages = service.transcript(session=session, case=case)
            notes = session.scalars(
                select(Note).where(Note.case_id == case_id).order_by(Note.id)
            ).all()
            return {
                "case": _summary(case),
                "messages": [{"author": m.author, "text": m.text} for m in messages],
                "notes": [n.text for n in notes],
            }

    context = await to_thread.run_sync(load)
    context.update(user=user, csrf=csrf_token(request), canned=CANNED, outcomes=service.OUTCOMES)
    return templates.TemplateResponse(request, "case.html", context)


@router.post("/adviser/cases/{case_id}/claim", dependencies=CsrfChecked)
async def claim(request: Request, case_id: int, user: Adviser) -> Response:
    """Take the case (or take it over: a transfer)."""
    await _in_session(request, lambda s: service.claim(session=s, case_id=case_id,
                                                       adviser_id=user.id))  # fmt: skip
    await request.app.state.hub.publish("queue", {"case_id": case_id})
    return RedirectResponse(f"/adviser/cases/{case_id}", status_code=303)


@router.post("/adviser/cases/{case_id}/reply", dependencies=CsrfChecked)
async def reply(
    request: Request,
    case_id: int,
    user: Adviser,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Send a message to the young person on their own channel."""

    def store(session: Any) -> tuple[str, str, str | None]:
        case = service.reply(session=session, case_id=case_id, adviser_id=user.id, text=text)
        address = addresses.address_of(session=session, conversation_id=case.conversation_id)
        return case.conversation_id, case.channel, address

    conv_id, channel, address = await _in_session(request, store)
    await _deliver(request, conv_id, channel, address, text, author="adviser")
    return RedirectResponse(f"/adviser/cases/{case_id}", status_code=303)


@router.post("/adviser/cases/{case_id}/notes", dependencies=CsrfChecked)
async def add_note(
    request: Request,
    case_id: int,
    user: Adviser,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """A private note, never shown to the young person."""

    def store(session: Any) -> None:
        session.add(Note(case_id=case_id, user_id=user.id, text=text))
        service.audit(session=session, user_id=user.id, action="note", case_id=case_id)

    await _in_session(request, store)
    return RedirectResponse(f"/adviser/cases/{case_id}", status_code=303)


@router.post("/adviser/cases/{case_id}/close", dependencies=CsrfChecked)
async def close(
    request: Request,
    case_id: int,
    user: Adviser,
    outcome: Annotated[str, Form(max_length=32)],
) -> Response:
    """Close with an outcome; the bot takes the conversation back and says so."""

    def store(session: Any) -> tuple[str, str, str | None, str]:
        case, address, handback = service.close(
            session=session, case_id=case_id, adviser_id=user.id, outcome=outcome
        )
        return case.conversation_id, case.channel, address, handback

    conv_id, channel, address, handback = await _in_session(request, store)
    await _deliver(request, conv_id, channel, address, handback, author="bot")
    await request.app.state.hub.publish("queue", {"case_id": case_id})
    return RedirectResponse("/adviser", status_code=303)


@router.get("/adviser/events", dependencies=[Depends(console_user)])
async def queue_events(request: Request) -> StreamingResponse:
    """Server-sent events: the queue changed."""
    return _stream(request, "queue")


@router.get("/adviser/cases/{case_id}/events", dependencies=[Depends(console_user)])
async def case_events(request: Request, case_id: int) -> StreamingResponse:
    """Server-sent events: the young person wrote."""
    return _stream(request, f"case:{case_id}")


def _summary(case: Case) -> dict[str, Any]:
    waited = datetime.now(UTC) - as_utc(case.created_at)
    return {
        "id": case.id,
        "urgent": case.priority == 0,
        "status": case.status,
        "channel": case.channel,
        "reason": case.reason,
        "triage_reasons": [r for r in case.triage_reasons.split(",") if r],
        "council_area": case.council_area or "unknown",
        "waiting_minutes": int(waited.total_seconds() // 60),
        "shared": bool(case.share_consent),
    }


async def _in_session(request: Request, work: Any) -> Any:
    def run() -> Any:
        with _db(request).session() as session:
            try:
                return work(session)
            except service.CaseError as exc:
                raise Forbidden(str(exc)) from exc

    return await to_thread.run_sync(run)


async def _deliver(
    request: Request, conv_id: str, channel: str, address: str | None, text: str, author: str
) -> None:
    """Web: live over the hub; SMS and Telegram: through the outbox."""
    state = request.app.state
    if channel == "web":
        await state.hub.publish(f"conv:{conv_id}", {"author": author, "text": text})
    elif address is not None:
        reply = Reply(text=text)
        texts = render_sms_messages(reply) if channel == "sms" else [render_telegram(reply)]
        await state.delivery.send_texts(channel, address, conv_id, texts)


def _stream(request: Request, topic: str) -> StreamingResponse:
    return event_stream(request, topic)
