"""'You said, we did' notes: two people to publish, plain text of bounded length, escaped."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cairn.app import create_app
from cairn.db import Database
from cairn.errors import Forbidden, InvalidInput
from cairn.migrations import upgrade
from escalation.models import AuditEvent, User
from insight import notes
from insight.models import PublishedNote
from tests.conftest import make_settings


@pytest.fixture
def db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'main.db'}"
    upgrade("main", url)
    return Database(url)


def make_user(session: Session, role: str = "analyst") -> User:
    user = User(email=f"{role}-{uuid.uuid4().hex[:8]}@cairn.test", password_hash="x", role=role)
    session.add(user)
    session.flush()
    return user


def make_published(session: Session, title: str = "New article", body: str = "We wrote it.") -> int:
    note = notes.draft(session=session, title=title, body=body, author=make_user(session))
    notes.publish(session=session, note_id=note.id, reviewer=make_user(session, "supervisor"))
    return note.id


def test_the_author_cannot_publish_their_own_note(db: Database) -> None:
    with db.session() as session:
        author = make_user(session)
        note = notes.draft(session=session, title="Driving lessons", body="New.", author=author)
        with pytest.raises(Forbidden, match="second person"):
            notes.publish(session=session, note_id=note.id, reviewer=author)
        assert note.status == "draft" and note.published_at is None
        assert notes.published(session=session) == []


def test_only_analysts_and_supervisors_write_and_publish(db: Database) -> None:
    with db.session() as session:
        adviser = make_user(session, "adviser")
        with pytest.raises(Forbidden):
            notes.draft(session=session, title="t", body="b", author=adviser)
        note = notes.draft(session=session, title="t", body="b", author=make_user(session))
        with pytest.raises(Forbidden):
            notes.publish(session=session, note_id=note.id, reviewer=adviser)
        assert notes.published(session=session) == []


def test_a_second_person_publishes_and_it_is_audited(db: Database) -> None:
    with db.session() as session:
        author, reviewer = make_user(session), make_user(session, "supervisor")
        note = notes.draft(session=session, title="  Apprenticeships  ", body="Added.\r\n",
                           author=author)  # fmt: skip
        notes.publish(session=session, note_id=note.id, reviewer=reviewer)
        shown = notes.published(session=session)
        assert [(n.title, n.body, n.reviewer) for n in shown] == [
            ("Apprenticeships", "Added.", reviewer.email)
        ]
        assert shown[0].published_iso == datetime.now(notes.UK).date().isoformat()
        actions = session.execute(select(AuditEvent.action, AuditEvent.user_id)).all()
        assert ("note_drafted", author.id) in actions
        assert ("note_published", reviewer.id) in actions
        with pytest.raises(InvalidInput, match="not a draft"):
            notes.publish(session=session, note_id=note.id, reviewer=make_user(session))


@pytest.mark.parametrize(
    ("title", "body", "ok"),
    [
        ("x" * 120, "y" * 600, True),
        ("x" * 121, "body", False),
        ("title", "y" * 601, False),
        ("", "body", False),
        ("   ", "body", False),
        ("title", " \n ", False),
        ("title", "bell\x07", False),
    ],
)
def test_title_and_body_lengths(db: Database, title: str, body: str, ok: bool) -> None:
    with db.session() as session:
        author = make_user(session)
        if ok:
            note = notes.draft(session=session, title=title, body=body, author=author)
            assert (len(note.title), len(note.body)) == (120, 600)
        else:
            with pytest.raises(InvalidInput):
                notes.draft(session=session, title=title, body=body, author=author)
            assert session.scalars(select(PublishedNote)).all() == []


def test_withdrawn_notes_leave_the_front_page(db: Database) -> None:
    with db.session() as session:
        kept, gone = make_published(session, "Kept"), make_published(session, "Gone")
        assert [n.id for n in notes.published(session=session)] == [gone, kept]
        notes.withdraw(session=session, note_id=gone, user=make_user(session))
        assert [n.title for n in notes.published(session=session)] == ["Kept"]
        with pytest.raises(InvalidInput):
            notes.publish(session=session, note_id=gone, reviewer=make_user(session))
        with pytest.raises(InvalidInput, match="no note"):
            notes.withdraw(session=session, note_id=9999, user=make_user(session))


def test_the_front_page_shows_the_latest_three_newest_first(db: Database) -> None:
    with db.session() as session:
        ids = [make_published(session, f"Note {i}") for i in range(5)]
        base = datetime(2026, 11, 1, 12, tzinfo=UTC)
        for i, note_id in enumerate(ids):
            row = session.get(PublishedNote, note_id)
            assert row is not None
            row.published_at = base + timedelta(days=i)
        session.flush()
        shown = notes.published(session=session)
    assert [n.title for n in shown] == ["Note 4", "Note 3", "Note 2"]
    assert [n.published for n in shown] == ["5 November 2026", "4 November 2026", "3 November 2026"]
    assert shown[0].published_iso == "2026-11-05"


def front_page(tmp_path: Path, db: Database) -> str:
    app = create_app(make_settings(tmp_path))
    app.state.db = db  # no lifespan: only the page and its notes
    response = TestClient(app).get("/")
    assert response.status_code == 200
    return response.text


def test_the_chat_page_shows_nothing_without_notes(tmp_path: Path, db: Database) -> None:
    page = front_page(tmp_path, db)
    assert "You said, we did" not in page
    assert 'role="log"' in page and ">Message</label>" in page


def test_markup_in_a_note_is_shown_as_text(tmp_path: Path, db: Database) -> None:
    with db.session() as session:
        make_published(session, "<script>alert(1)</script>", 'Read <a href="x">this</a> & more')
    page = front_page(tmp_path, db)
    assert "You said, we did" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Read &lt;a href=&#34;x&#34;&gt;this&lt;/a&gt; &amp; more" in page
    assert "<script>alert" not in page and '<a href="x">' not in page
    for hook in ('role="log"', ">Message</label>", 'id="send"', "Talk to a person", "Quick exit"):
        assert hook in page
