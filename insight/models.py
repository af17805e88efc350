"""Insight tables.

The insight database (`InsightBase`) holds anonymised events and k-anonymous phrases only: no
free text, no conversation id, nothing that joins back to a person.

Two working tables live in the main database (`Base`), beside the transcripts they come from and
under the same retention: the insight outbox, written in the same transaction as the turn so an
event is never lost, and phrase sightings, which count distinct conversations per phrase until a
phrase is common enough (k) to be published.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cairn.db import Base, InsightBase
from channels.models import utcnow


class InsightEvent(InsightBase):
    """What was asked, where and how it went, at hour precision, never who."""

    __tablename__ = "insight_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A random id given when the turn committed: relaying twice cannot write the event twice.
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    # turn | case | checkin (a check-in sent) | outcome (a check-in answered)
    kind: Mapped[str] = mapped_column(String(16), default="turn", index=True)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(64))
    article_ids: Mapped[str | None] = mapped_column(String(512))
    answered: Mapped[bool | None] = mapped_column(Boolean)
    theme: Mapped[str | None] = mapped_column(String(64))  # taxonomy topic of an unanswered ask
    triage_level: Mapped[str] = mapped_column(String(16), default="none")
    escalation_reason: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(32))  # a case's or a check-in's outcome
    # Outcome events: what help came first (article | service | case) and how long it took.
    first_help: Mapped[str | None] = mapped_column(String(16))
    time_to_outcome: Mapped[str | None] = mapped_column(String(16))
    feedback: Mapped[str | None] = mapped_column(String(16))  # positive | negative
    council_area: Mapped[str | None] = mapped_column(String(64))
    age_band: Mapped[str | None] = mapped_column(String(16))


class ThemePhrase(InsightBase):
    """A phrase from unanswered questions that at least k conversations used."""

    __tablename__ = "theme_phrases"
    __table_args__ = (UniqueConstraint("theme", "phrase"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme: Mapped[str] = mapped_column(String(64), index=True)
    phrase: Mapped[str] = mapped_column(String(120))
    conversations: Mapped[int] = mapped_column(Integer)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InsightOutbox(Base):
    """An event waiting to be relayed to the insight database (main database)."""

    __tablename__ = "insight_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(Text)  # JSON of the anonymised event
    # Only for a question without a good answer, to count its phrases; both go at relay time.
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    question: Mapped[str | None] = mapped_column(Text)  # already redacted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PhraseSighting(Base):
    """One conversation used one phrase (main database; purged with the conversation)."""

    __tablename__ = "phrase_sightings"
    __table_args__ = (UniqueConstraint("theme", "phrase", "conversation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme: Mapped[str] = mapped_column(String(64))
    phrase: Mapped[str] = mapped_column(String(120), index=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class PublishedNote(Base):
    """A "you said, we did" note: reviewed staff text, dated, shown on the chat's front page.

    It lives in the main database beside the users who write it: the insight database holds no
    free text at all.
    """

    __tablename__ = "published_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # draft | published | withdrawn
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
