from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from escalation.availability import next_opening, parse_hours, waiting_message

UK = ZoneInfo("Europe/London")
HOURS = "mon-fri 09:00-17:00, sat 10:00-14:00"


def test_hours_parse_into_weekdays() -> None:
    hours = parse_hours(HOURS)
    assert sorted(hours) == [0, 1, 2, 3, 4, 5]
    assert hours[5][0].hour == 10


def test_in_hours_says_how_long_a_wait_usually_is() -> None:
    tuesday_noon = datetime(2026, 11, 24, 12, 0, tzinfo=UK)
    assert next_opening(parse_hours(HOURS), tuesday_noon) is None
    text = waiting_message(tuesday_noon, hours_spec=HOURS, typical_wait_minutes=10)
    assert "usually within 10 minutes" in text


def test_out_of_hours_says_when_advisers_are_next_on_and_what_to_do_now() -> None:
    tuesday_11pm = datetime(2026, 11, 24, 23, 0, tzinfo=UK)
    text = waiting_message(tuesday_11pm, hours_spec=HOURS, typical_wait_minutes=10)
    assert "Wednesday at 09:00" in text
    assert "0800 917 8000" in text and "999" in text
    saturday_3pm = datetime(2026, 11, 28, 15, 0, tzinfo=UK)
    assert "Monday at 09:00" in waiting_message(
        saturday_3pm, hours_spec=HOURS, typical_wait_minutes=10
    )
