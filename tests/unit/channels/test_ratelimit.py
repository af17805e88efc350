"""Over the limit, a message is held back unless the full triage reads it as risky."""

from __future__ import annotations

from channels.ratelimit import RateLimits
from escalation.triage import Level, Triage


def limits_reading(level: Level) -> RateLimits:
    async def assess(text: str) -> Triage:
        return Triage(level, [f"{level.value}:suicide"] if level is not Level.NONE else [])

    return RateLimits("1/minute", assess=assess)


async def test_over_the_limit_an_ordinary_message_is_held_back() -> None:
    limits = limits_reading(Level.NONE)
    assert not await limits.held_back("conv-1", "how do i apply")
    assert await limits.held_back("conv-1", "and for college?")


async def test_over_the_limit_a_crisis_or_a_concern_the_model_reads_still_gets_through() -> None:
    for level in (Level.CRISIS, Level.CONCERN):
        limits = limits_reading(level)
        assert not await limits.held_back("conv-2", "first")
        assert not await limits.held_back("conv-2", "words no pattern knows")


async def test_without_a_model_the_pattern_floor_still_lets_a_crisis_through() -> None:
    limits = RateLimits("1/minute")
    assert not await limits.held_back("conv-3", "hello")
    assert not await limits.held_back("conv-3", "i want to kill myself")
    assert await limits.held_back("conv-3", "hello again")
