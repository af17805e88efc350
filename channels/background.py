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


async def resume_forever(
    router: Router, *, after: timedelta, every_s: float, concurrency: int = 8
) -> None:
    """Answer received messages left unanswered for longer than `after` (crash, restart).

    A backlog (hundreds of messages after a restart) is answered several at a time and pass
    after pass without pausing, as long as passes make progress; while nothing can be answered
    (Rasa still starting) it waits `every_s` between passes.
    """
    slots = asyncio.Semaphore(concurrency)

    async def resume(message_id: int) -> bool:
        async with slots:
            return await router.process(message_id)

    while True:
        answered = 0
        try:
            pending = await router.pending(after)
            answered = sum(await asyncio.gather(*(resume(m) for m in pending)))
            if answered:
                log.info("resumed %d messages after an interruption", answered)
        except Exception:  # a database outage must not end the loop
            log.exception("resume pass failed")
        if not answered:
            await asyncio.sleep(every_s)
