"""'You said, we did' notes: drafted by one analyst, published by a second, shown on the chat page.

A note is reviewed staff text, never generated and never a young person's words. It lives in
the main database (the insight database holds no free text). Notes are plain text: nothing in
them is rendered as markup, and the templates escape every character.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from cairn.db import as_utc
from cairn.errors import Forbidden, InvalidInput
from escalation.models import User
from escalation.service import audit
from insight.models import PublishedNote

TITLE_MAX, BODY_MAX = 120, 600
FRONT_PAGE = 3
NOTE_ROLES = frozenset({"analyst", "supervisor"})
UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class NoteView:
    """A note as a page shows it: plain values, with who wrote and who reviewed it."""

    id: int
    title: str
    body: str
    status: str
    author_id: int
    author: str
    reviewer: str
    created: str
    published: str
    published_iso: str


def draft(*, session: Session, title: str, body: str, author: User) -> PublishedNote:
    """Save a draft note; it shows nowhere until a second person publishes it."""
    _check_role(author, "write")
    note = PublishedNote(
        title=_clean(title, "title", TITLE_MAX, one_line=True),
        body=_clean(body, "body", BODY_MAX, one_line=False),
        status="draft",
        author_id=author.id,
    )
    session.add(note)
    session.flush()
    audit(session=session, user_id=author.id, action="note_drafted", detail=f"note {note.id}")
    return note


def publish(*, session: Session, note_id: int, reviewer: User) -> PublishedNote:
    """Publish a draft: the reviewer must be another analyst or supervisor than its author."""
    _check_role(reviewer, "publish")
    note = _get(session, note_id)
    if note.status != "draft":
        raise InvalidInput(f"note {note_id} is {note.status}, not a draft")
    if note.author_id == reviewer.id:
        raise Forbidden("a note is published by a second person, not by its author")
    note.status, note.reviewer_id, note.published_at = "published", reviewer.id, datetime.now(UTC)
    audit(session=session, user_id=reviewer.id, action="note_published", detail=f"note {note.id}")
    return note


def withdraw(*, session: Session, note_id: int, user: User) -> PublishedNote:
    """Take a draft or a published note down; any analyst or supervisor may, at once."""
    _check_role(user, "withdraw")
    note = _get(session, note_id)
    if note.status == "withdrawn":
        raise InvalidInput(f"note {note_id} is already withdrawn")
    note.status = "withdrawn"
    audit(session=session, user_id=user.id, action="note_withdrawn", detail=f"note {note.id}")
    return note


def published(*, session: Session, limit: int = FRONT_PAGE) -> list[NoteView]:
    """The latest published notes, newest first, for the chat's front page."""
    return _views(session, ("published",), limit)


def for_review(*, session: Session, limit: int = 50) -> list[NoteView]:
    """Drafts and published notes, newest first, for the notes page."""
    return _views(session, ("draft", "published"), limit)


def _views(session: Session, statuses: tuple[str, ...], limit: int) -> list[NoteView]:
    author, reviewer = aliased(User), aliased(User)
    rows = session.execute(
        select(PublishedNote, author.email, reviewer.email)
        .join(author, PublishedNote.author_id == author.id)
        .outerjoin(reviewer, PublishedNote.reviewer_id == reviewer.id)
        .where(PublishedNote.status.in_(statuses))
        .order_by(
            PublishedNote.published_at.desc().nulls_first(),
            PublishedNote.created_at.desc(),
            PublishedNote.id.desc(),
        )
        .limit(limit)
    ).all()
    return [
        NoteView(
            id=note.id,
            title=note.title,
            body=note.body,
            status=note.status,
            author_id=note.author_id,
            author=author_email,
            reviewer=reviewer_email or "",
            created=_day(note.created_at),
            published=_day(note.published_at),
            published_iso=_uk(note.published_at).date().isoformat() if note.published_at else "",
        )
        for note, author_email, reviewer_email in rows
    ]


def _check_role(user: User, verb: str) -> None:
    if user.role not in NOTE_ROLES:
        raise Forbidden(f"only an analyst or supervisor can {verb} a note")


def _get(session: Session, note_id: int) -> PublishedNote:
    note = session.get(PublishedNote, note_id)
    if note is None:
        raise InvalidInput(f"no note {note_id}")
    return note


def _clean(value: str, name: str, most: int, *, one_line: bool) -> str:
    """Trim the text, refuse control characters, and check its length in characters."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    text = " ".join(" ".join(lines).split()) if one_line else "\n".join(s.rstrip() for s in lines)
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise InvalidInput(f"the {name} must be plain text")
    if not 1 <= len(text) <= most:
        raise InvalidInput(f"the {name} must be 1 to {most} characters")
    return text


def _uk(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(UK)


def _day(moment: datetime | None) -> str:
    if moment is None:
        return ""
    day = _uk(moment)
    return f"{day.day} {day:%B %Y}"
