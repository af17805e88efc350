"""When advisers are on, and what a young person waiting for one is told."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_hours(spec: str) -> dict[int, tuple[time, time]]:
    """'mon-fri 09:00-17:00, sat 10:00-14:00' -> weekday -> (open, close)."""
    short = [d[:3].lower() for d in DAYS]
    hours: dict[int, tuple[time, time]] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        days, span = part.split()
        start, end = (time.fromisoformat(t) for t in span.split("-"))
        first, _, last = days.lower().partition("-")
        a, b = short.index(first), short.index(last or first)
        for day in range(a, b + 1):
            hours[day] = (start, end)
    return hours


def next_opening(hours: dict[int, tuple[time, time]], now: datetime) -> datetime | None:
    """The next time advisers come on (None if they are on now, or never)."""
    local = now.astimezone(UK)
    for offset in range(8):
        day = local + timedelta(days=offset)
        if day.weekday() not in hours:
            continue
        start, end = hours[day.weekday()]
        opens = day.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        closes = day.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if offset == 0 and opens <= local < closes:
            return None
        if opens > local:
            return opens
    return None


def waiting_message(now: datetime, *, hours_spec: str, typical_wait_minutes: int) -> str:
    """Where the young person is in the queue, in or out of hours."""
    hours = parse_hours(hours_spec)
    opening = next_opening(hours, now)
    if opening is None and hours:
        return (
            f"An adviser will reply here, usually within {typical_wait_minutes} minutes. "
            "You can keep chatting with me while you wait."
        )
    when = f"{DAYS[opening.weekday()]} at {opening:%H:%M}" if opening else "soon"
    return (
        f"Our advisers are not on right now. The next one is on {when}, and will reply here. "
        "If you need help now, call the My World of Work helpline on 0800 917 8000 "
        "(weekdays), or if you are in danger, call 999."
    )
