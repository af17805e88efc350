"""The insight store: one anonymised event per turn, no free text and no identifiers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cairn.db import InsightBase


class InsightEvent(InsightBase):
    """What was asked, where and how it went, at hour precision, never who."""

    __tablename__ = "insight_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    topic: Mapped[str | None] = mapped_column(String(64))
    article_ids: Mapped[str | None] = mapped_column(String(512))
    answered: Mapped[bool | None] = mapped_column(Boolean)
    triage_level: Mapped[str] = mapped_column(String(16), default="none")
    escalation_reason: Mapped[str | None] = mapped_column(String(64))
    council_area: Mapped[str | None] = mapped_column(String(64))
    age_band: Mapped[str | None] = mapped_column(String(16))
