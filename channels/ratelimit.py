"""Per-sender rate limits: a flood from one session, number or chat cannot crowd out others.

Keys are conversation ids (keyed hashes), never addresses. With `REDIS_URL` set the counts are
shared by every replica; otherwise they live in the process. A message that the full triage
(patterns and the risk model) reads as a crisis or a concern is never held back by a limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from limits import parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from escalation.replies import CHILDLINE, SAMARITANS
from escalation.triage import Triage, triage

SLOW_DOWN = (
    "You're sending messages faster than I can answer. Please wait a minute and try again. "
    f"If you need help now: {SAMARITANS} {CHILDLINE}"
)


class RateLimits:
    """`allow(key)`: whether one more message from `key` fits every window of the policy."""

    def __init__(
        self,
        policy: str,
        redis_url: str = "",
        assess: Callable[[str], Awaitable[Triage]] | None = None,
    ) -> None:
        self._limits = parse_many(policy)
        self._assess = assess
        if redis_url:  # redis-py, which the service already uses, not limits' default (coredis)
            storage = storage_from_string(
                redis_url.replace("redis://", "async+redis://", 1), implementation="redispy"
            )
        else:
            storage = storage_from_string("async+memory://")
        self._limiter = MovingWindowRateLimiter(storage)
        # A reminder to slow down is itself limited: at most one a minute per sender.
        self._notice = parse_many("1/minute")[0]

    async def held_back(self, key: str, text: str) -> bool:
        """Whether to refuse this message: over the limit, and no sign of risk in it."""
        if await self.allow(key):
            return False
        decision = await self._assess(text) if self._assess is not None else triage(text)
        return not decision.risky

    async def allow(self, key: str) -> bool:
        """Count one message from `key`; False once any window is full."""
        for limit in self._limits:
            if not await self._limiter.hit(limit, "msg", key):
                return False
        return True

    async def should_notice(self, key: str) -> bool:
        """Whether to tell this sender to slow down (once per minute at most)."""
        return bool(await self._limiter.hit(self._notice, "notice", key))

    def retry_after_s(self) -> int:
        """A polite Retry-After: the shortest window."""
        return min(int(limit.get_expiry()) for limit in self._limits)
