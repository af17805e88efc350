"""Which reply answers which message, and the soak's figures by phase (pure, no I/O).

Matching rule: a sender never has two messages waiting (the load generator gives a sender its
next message only a while after the first reply to the last one), so every SMS that reaches a
number belongs to that number's latest message sent before it arrived. A message is answered
when at least one SMS reached its sender; it is duplicated when the same body reached its
sender twice for it (a reply split over several SMS has different bodies). Lost = sent -
answered. Latency is from the first webhook attempt to the first reply at the provider.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

PHASES = ("before", "during", "after")


@dataclass
class Sent:
    """One inbound SMS and the replies it got."""

    sid: str
    sender: str
    at: float
    replies: list[tuple[float, str]] = field(default_factory=list)

    @property
    def latency_s(self) -> float | None:
        """Seconds from the first webhook attempt to the first reply, if answered."""
        return self.replies[0][0] - self.at if self.replies else None

    @property
    def duplicates(self) -> int:
        """Replies whose body this message had already received."""
        bodies = [body for _, body in self.replies]
        return len(bodies) - len(set(bodies))


@dataclass(frozen=True)
class Phases:
    """The fault window: `before` it, `during` it and its recovery, `after` that."""

    fault_start: float
    fault_end: float
    recovery_s: float = 60.0

    def of(self, at: float) -> str:
        """The phase a message sent at `at` belongs to."""
        if at < self.fault_start:
            return "before"
        if at < self.fault_end + self.recovery_s:
            return "during"
        return "after"


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank `q` quantile (0-1) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


class Ledger:
    """Messages sent and replies received, matched per sender."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._by_sender: dict[str, list[Sent]] = {}
        self.unmatched = 0

    def send(self, *, sid: str, sender: str, at: float) -> Sent:
        """Record a message at its first webhook attempt (sends per sender come in time order)."""
        message = Sent(sid, sender, at)
        self.sent.append(message)
        self._by_sender.setdefault(sender, []).append(message)
        return message

    def reply(self, *, to: str, body: str, at: float) -> Sent | None:
        """Attribute one SMS to the sender's latest message sent before it; None if none."""
        messages = self._by_sender.get(to, [])
        index = bisect.bisect_right([m.at for m in messages], at) - 1
        if index < 0:
            self.unmatched += 1
            return None
        messages[index].replies.append((at, body))
        return messages[index]

    def unanswered(self) -> int:
        """Messages with no reply yet."""
        return sum(1 for m in self.sent if not m.replies)

    def summary(self, phases: Phases, *, trouble_prefix: str = "") -> dict[str, Any]:
        """Sent, answered, duplicated, lost; p50/p95 overall and p95 per phase (ms)."""
        answered = [m for m in self.sent if m.replies]
        report: dict[str, Any] = {
            "sent": len(self.sent),
            "answered": len(answered),
            "duplicated": sum(1 for m in answered if m.duplicates),
            "duplicate_sms": sum(m.duplicates for m in answered),
            "lost": len(self.sent) - len(answered),
            "unmatched_sms": self.unmatched,
            "reply_sms": sum(len(m.replies) for m in answered),
        }
        if trouble_prefix:
            report["trouble_replies"] = sum(
                1 for m in answered if m.replies[0][1].startswith(trouble_prefix)
            )
        latencies = [_ms(m) for m in answered]
        report["p50_ms"] = _round(percentile(latencies, 0.50))
        report["p95_ms"] = _round(percentile(latencies, 0.95))
        for phase in PHASES:
            inside = [m for m in self.sent if phases.of(m.at) == phase]
            report[f"sent_{phase}"] = len(inside)
            report[f"p95_{phase}_ms"] = _round(
                percentile([_ms(m) for m in inside if m.replies], 0.95)
            )
        return report


def _ms(message: Sent) -> float:
    return (message.latency_s or 0.0) * 1000


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
