"""The resume loop answers a backlog several at a time, and waits only when it is stuck."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any, cast

from channels.background import resume_forever
from channels.router import Router


class _Backlog:
    """A router stand-in with 20 messages left over from a restart."""

    def __init__(self, answerable: bool) -> None:
        self.left = list(range(20))
        self.answerable = answerable
        self.passes = 0
        self.in_flight = self.most_in_flight = 0

    async def pending(self, _older_than: timedelta) -> list[int]:
        self.passes += 1
        return self.left[:8]  # a page of the backlog at a time

    async def process(self, message_id: int) -> bool:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        if self.answerable:
            self.left.remove(message_id)
        return self.answerable


async def _run(backlog: _Backlog, seconds: float) -> None:
    task = asyncio.create_task(
        resume_forever(cast(Router, backlog), after=timedelta(0), every_s=60, concurrency=4)
    )
    await asyncio.sleep(seconds)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_a_backlog_is_answered_in_parallel_pass_after_pass() -> None:
    backlog = _Backlog(answerable=True)
    await _run(backlog, 0.5)
    assert backlog.left == []  # three passes, no 60 s pause between them
    assert backlog.most_in_flight == 4


async def test_while_nothing_can_be_answered_it_waits_between_passes() -> None:
    backlog: Any = _Backlog(answerable=False)
    await _run(backlog, 0.5)
    assert backlog.passes == 1 and len(backlog.left) == 20
