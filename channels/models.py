"""Conversation tables: who is talking (pseudonymously) and what was said."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cairn.db import Base


def utcnow() -> datetime:
    """Return the current time, timezone-aware."""
    return datetime.now(UTC)


class Conversation(Base):
    """One young person on one channel, known only by a keyed hash of their address."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    handoff: Mapped[str] = mapped_column(String(16), default="none")
    council_area: Mapped[str | None] = mapped_column(String(64))
    age_band: Mapped[str | None] = mapped_column(String(16))  # only if the person said their age
    # The first help the person got (article | service | case) and its topic or category:
    # what a later check-in's outcome is counted against.
    first_help: Mapped[str | None] = mapped_column(String(16))
    help_topic: Mapped[str | None] = mapped_column(String(64))
    # Set when a `concern` reply asked "are you safe right now?"; cleared by a yes. While it
    # is set, another sign of risk is a crisis (escalation/triage.py).
    safety_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.id"
    )


class Message(Base):
    """One message in or out; the transcript an adviser may see and retention purges."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    author: Mapped[str] = mapped_column(String(16))  # "user" | "bot" | "adviser" | "system"
    text: Mapped[str] = mapped_column(Text)
    # "<channel>:<provider message id>" so a retried webhook is processed once.
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Durable intake (SMS, Telegram): the message is committed before the webhook answers 2xx
    # and answered afterwards. Where to reply is kept only until it has been answered.
    reply_to: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class OutboxMessage(Base):
    """A reply waiting to be delivered through a provider; survives restarts."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    # The phone number or chat id, kept only until the message is delivered.
    address: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)  # JSON: text and channel extras
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OptOut(Base):
    """A number that said STOP, by its keyed hash: nothing is sent to it until START."""

    __tablename__ = "opt_outs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
