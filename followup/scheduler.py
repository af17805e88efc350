"""Run the follow-up rules on a schedule: APScheduler calls `send_due` every minute.

The schedule itself is data (each follow-up's `due_at` in the main database), so a restart
loses nothing; the job only looks for what is due. Every replica may run it: the rows are
claimed with a compare-and-set, so a check-in is queued once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from anyio import to_thread
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from cairn.db import Database
from followup.service import send_due

log = logging.getLogger(__name__)


class FollowUpScheduler:
    """Queue due check-ins and reminders in the outbox, once a minute."""

    def __init__(
        self,
        *,
        db: Database,
        opt_out_id: Callable[[str, str], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_outbox: Callable[[], None] | None = None,
        every_s: float = 60.0,
    ) -> None:
        self._db = db
        self._opt_out_id = opt_out_id
        self._clock = clock
        self._on_outbox = on_outbox
        self._every_s = every_s
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        """Start the job on the running event loop (first run at once)."""
        self._scheduler.add_job(
            self.run_once,
            IntervalTrigger(seconds=self._every_s, timezone=UTC),
            id="follow-ups",
            next_run_time=datetime.now(UTC),
            coalesce=True,  # after a pause, one catch-up run, not one per missed minute
            max_instances=1,
            misfire_grace_time=None,
        )
        self._scheduler.start()

    def shutdown(self) -> None:
        """Stop the job (a run in progress finishes its transaction or rolls it back)."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def run_once(self) -> int:
        """One pass: queue what is due now; return how many check-ins were queued."""
        try:
            queued = await to_thread.run_sync(self._pass)
        except Exception:  # a database outage must not stop the schedule
            log.exception("follow-up pass failed")
            return 0
        if queued and self._on_outbox is not None:
            self._on_outbox()
        return queued

    def _pass(self) -> int:
        with self._db.session() as session:
            return send_due(session=session, now=self._clock(), opt_out_id=self._opt_out_id)
