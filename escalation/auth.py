"""People: argon2 password hashes, lockout after repeated failures, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from cairn.db import as_utc
from escalation.models import User
from escalation.service import audit

ROLES = ("adviser", "supervisor", "analyst")
CONSOLE_ROLES = frozenset({"adviser", "supervisor"})
MAX_FAILURES = 5
MIN_PASSWORD, MAX_PASSWORD = 12, 128  # ASVS 2.1.1 and 2.1.2
LOCKOUT = timedelta(minutes=15)
_hasher = PasswordHash.recommended()  # argon2id
# Verified against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")


class AuthError(Exception):
    """Login refused; the message never says whether the email exists."""


def add_user(*, session: Session, email: str, password: str, role: str) -> User:
    """Create an account."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    user = User(email=email.strip().lower(), password_hash=_hasher.hash(password), role=role)
    session.add(user)
    session.flush()
    audit(session=session, user_id=user.id, action="user_created", detail=role)
    return user


def authenticate(*, session: Session, email: str, password: str) -> User:
    """Return the user, or raise AuthError; repeated failures lock the account."""
    now = datetime.now(UTC)
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        raise AuthError("wrong email or password")
    locked = user.locked_until is not None and as_utc(user.locked_until) > now
    # Verified even while locked: a locked account must not answer faster than the rest, or
    # five wrong guesses and a stopwatch would tell whether an email has an account.
    correct = _hasher.verify(password, user.password_hash)
    if locked or not correct:
        if not locked:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until, user.failed_logins = now + LOCKOUT, 0
        audit(session=session, user_id=user.id, action="login_failed")
        raise AuthError("wrong email or password")
    user.failed_logins, user.locked_until = 0, None
    audit(session=session, user_id=user.id, action="login")
    return user
