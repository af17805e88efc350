"""Sign-in: argon2id hashes, password length, lockout, and no way to tell which emails exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cairn.db import Database
from cairn.migrations import upgrade
from escalation import auth
from escalation.auth import MAX_FAILURES, AuthError, add_user, authenticate
from escalation.models import AuditEvent, User

PASSWORD = "correct horse battery staple"
EMAIL = "sam@cairn.test"


def make_db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'main.db'}"
    upgrade("main", url)
    db = Database(url)
    with db.session() as session:
        add_user(session=session, email=EMAIL, password=PASSWORD, role="adviser")
    return db


def refused(db: Database, email: str, password: str) -> str:
    with db.session() as session, pytest.raises(AuthError) as raised:
        authenticate(session=session, email=email, password=password)
    return str(raised.value)


def test_passwords_are_stored_as_argon2id(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    with db.session() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize("length", [11, 129])
def test_password_length_is_12_to_128(tmp_path: Path, length: int) -> None:
    db = make_db(tmp_path)
    with db.session() as session, pytest.raises(ValueError, match="12 to 128"):
        add_user(session=session, email="x@cairn.test", password="p" * length, role="adviser")


def test_a_128_character_passphrase_signs_in(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    long = "ünïcödé passphrase " * 6 + "x" * 14
    assert len(long) == 128
    with db.session() as session:
        add_user(session=session, email="long@cairn.test", password=long, role="analyst")
    with db.session() as session:
        assert authenticate(session=session, email=" LONG@cairn.test", password=long).role == (
            "analyst"
        )


def test_unknown_email_and_wrong_password_get_the_same_words(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    assert refused(db, "nobody@cairn.test", PASSWORD) == refused(db, EMAIL, "wrong password!")


def test_repeated_failures_lock_even_the_right_password_out_then_expire(tmp_path: Path) -> None:
    db = make_db(tmp_path)
    for _ in range(MAX_FAILURES):
        refused(db, EMAIL, "wrong password!")
    refused(db, EMAIL, PASSWORD)
    with db.session() as session:
        user = session.scalars(select(User)).one()
        user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    with db.session() as session:
        authenticate(session=session, email=EMAIL, password=PASSWORD)
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("login_failed") == MAX_FAILURES + 1 and actions[-1] == "login"


def test_a_locked_account_checks_a_hash_like_an_unknown_email(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Skipping the argon2 check for a locked account made it answer measurably faster: five
    # wrong guesses, then the timing, told an attacker whether the email has an account.
    db = make_db(tmp_path)
    for _ in range(MAX_FAILURES):
        refused(db, EMAIL, "wrong password!")
    checked: list[str] = []
    real = auth._hasher.verify

    def counting(password: str, hashed: str) -> bool:
        checked.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(auth._hasher, "verify", counting)
    refused(db, EMAIL, PASSWORD)
    refused(db, "nobody@cairn.test", PASSWORD)
    assert len(checked) == 2
