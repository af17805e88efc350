"""Work that runs after a webhook has answered: answering received messages, and resuming any
that a crash or a restart left unanswered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from channels.router import Router

log = logging.getLogger(__name__)


class Background:
    """Keeps references to running tasks (so none is collected mid-flight) and logs failures."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` soon; a failure is logged and the message stays pending for `resume`."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def close(self) -> None:
        """Cancel what is still running (it is resumed after the restart)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def resume_forever(router: Router, *, after: timedelta, every_s: float) -> None:
    """Answer received messages left unanswered for longer than `after` (crash, restart)."""
    while True:
        try:
            for message_id in await router.pending(after):
                if await router.process(message_id):
                    log.info("resumed message %s after an interruption", message_id)
        except Exception:  # a database outage must not end the loop
            log.exception("resume pass failed")
        await asyncio.sleep(every_s)
