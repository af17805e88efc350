"""Move queued insight events from the main database to the insight database, exactly once.

The outbox row was committed with the turn. The relay writes the event under its random
`event_id` (unique in the insight database), then deletes the row. A crash between the two
leaves the row; the next pass finds the event already there and only deletes it. Replicas may
run a relay each: a second writer of the same event hits the unique key and moves on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from anyio import to_thread
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cairn.db import Database
from insight.models import InsightEvent, InsightOutbox, PhraseSighting, ThemePhrase
from insight.service import to_event
from insight.themes import phrases

log = logging.getLogger(__name__)


class InsightRelay:
    """Relays events in batches; `run` forever in the service, `relay_all` from tests and CLI."""

    def __init__(
        self,
        *,
        db: Database,
        insight_db: Database,
        theme: Callable[[str], str] | None,
        min_conversations: int,
        interval_s: float = 1.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._insight_db = insight_db
        self._theme = theme
        self._k = min_conversations
        self._interval_s = interval_s
        self._clock = clock
        self._batch = 200

    async def run(self) -> None:
        """Relay forever (cancel to stop); a failing pass is logged and retried."""
        while True:
            try:
                moved = await to_thread.run_sync(self.relay_batch)
            except Exception:
                log.exception("insight relay pass failed")
                moved = 0
            if moved < self._batch:  # caught up: wait, then take what queued meanwhile in one go
                await asyncio.sleep(self._interval_s)

    def relay_all(self) -> int:
        """Relay until the outbox is empty; return how many events moved."""
        total = 0
        while moved := self.relay_batch():
            total += moved
        return total

    def relay_batch(self, limit: int | None = None) -> int:
        """Relay up to `limit` queued events (a batch)."""
        limit = limit or self._batch
        with self._db.session() as session:
            rows = session.scalars(select(InsightOutbox).order_by(InsightOutbox.id).limit(limit))
            batch = [(r.id, json.loads(r.event), r.question, r.conversation_id) for r in rows]
        if not batch:
            return 0
        themed: list[tuple[int, dict[str, object], str | None]] = []
        with self._db.session() as session:  # one transaction for the batch's phrase counts
            for row_id, payload, question, conv_id in batch:
                theme = None
                if question and self._theme is not None:
                    theme = self._theme(question)
                    self._count_phrases(session, theme, question, conv_id)
                themed.append((row_id, payload, theme))
        self._write_events(themed)
        with self._db.session() as session:
            session.execute(
                delete(InsightOutbox).where(InsightOutbox.id.in_([r[0] for r in batch]))
            )
        return len(batch)

    def _write_events(self, themed: list[tuple[int, dict[str, object], str | None]]) -> None:
        ids = [str(payload["event_id"]) for _, payload, _ in themed]
        with self._insight_db.session() as session:
            done = set(session.scalars(select(InsightEvent.event_id).where(
                InsightEvent.event_id.in_(ids))))  # fmt: skip
            session.add_all(
                to_event(payload, theme)
                for _, payload, theme in themed
                if str(payload["event_id"]) not in done
            )
            try:
                session.flush()
            except IntegrityError:  # another replica wrote some of them meanwhile: go one by one
                session.rollback()
                self._write_one_by_one(themed)

    def _write_one_by_one(self, themed: list[tuple[int, dict[str, object], str | None]]) -> None:
        for _, payload, theme in themed:
            try:
                with self._insight_db.session() as session:
                    session.add(to_event(payload, theme))
            except IntegrityError:
                continue

    def _count_phrases(
        self, session: Session, theme: str, question: str, conversation_id: str | None
    ) -> None:
        """Record which conversation used which phrase; publish phrases k conversations used."""
        if conversation_id is None:
            return
        found = phrases(question)
        if not found:
            return
        seen = set(session.scalars(select(PhraseSighting.phrase).where(
            PhraseSighting.theme == theme, PhraseSighting.conversation_id == conversation_id,
            PhraseSighting.phrase.in_(found))))  # fmt: skip
        session.add_all(
            PhraseSighting(
                theme=theme, phrase=p, conversation_id=conversation_id, seen_at=self._clock()
            )
            for p in found - seen
        )
        session.flush()
        counts = session.execute(
            select(PhraseSighting.phrase, func.count(PhraseSighting.conversation_id.distinct()))
            .where(PhraseSighting.theme == theme, PhraseSighting.phrase.in_(found))
            .group_by(PhraseSighting.phrase)
        ).all()
        common = {phrase: n for phrase, n in counts if n >= self._k}
        if common:
            self._publish(theme, common)

    def _publish(self, theme: str, common: dict[str, int]) -> None:
        with self._insight_db.session() as session:
            existing = {
                p.phrase: p
                for p in session.scalars(
                    select(ThemePhrase).where(
                        ThemePhrase.theme == theme, ThemePhrase.phrase.in_(common)
                    )
                )
            }
            for phrase, n in common.items():
                row = existing.get(phrase)
                if row is None:
                    session.add(ThemePhrase(theme=theme, phrase=phrase, conversations=n,
                                            updated=self._clock()))  # fmt: skip
                else:
                    row.conversations, row.updated = max(row.conversations, n), self._clock()
