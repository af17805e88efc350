"""The follow-up table: one check-in a young person agreed to, from offer to outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cairn.db import Base
from channels.models import utcnow

# A follow-up in these states still has a message to send, so keeps the person's address.
NEEDS_ADDRESS = ("scheduled", "sent")


class FollowUp(Base):
    """offered -> scheduled (consent recorded) -> sent -> reminded? -> answered | expired.

    An offer that is refused or ignored ends as declined; STOP or "delete my data" ends it as
    cancelled. Only a row with `consent_at` set is ever sent.
    """

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="offered", index=True)
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Consent: when, and the exact words the person agreed to.
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_wording: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # A send in flight holds a lease, so two replicas never send the same check-in.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(32))
    # What help came first (categories only): article | service | case, and its topic.
    first_help: Mapped[str | None] = mapped_column(String(16))
    help_topic: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(Integer)
