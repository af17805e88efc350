"""The crisis and concern replies: support first, the right lines, SMS within two segments."""

from __future__ import annotations

import pytest

from channels.render import is_gsm, sms_segments
from escalation.replies import (
    BREATHING_SPACE,
    DA_FM_HELPLINE,
    concern_sms,
    concern_text,
    crisis_sms,
    crisis_text,
    support_lines,
)
from escalation.triage import Level, Triage

CATEGORIES = [
    "suicide", "self_harm", "medical", "abuse", "exploitation", "forced_marriage",
    "domestic_violence", "homeless", "unsafe_home", "violence", "friend_at_risk", "not_safe",
]  # fmt: skip


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_crisis_sms_fits_two_gsm_segments(category: str) -> None:
    decision = Triage(Level.CRISIS, [f"crisis:{category}", "model"])
    reply = crisis_sms(decision)
    assert is_gsm(reply) and sms_segments(reply) <= 2, reply
    assert "999" in reply or "111" in reply
    assert "116 123" in crisis_text(decision) or "0800 1111" in crisis_text(decision)


def test_two_kinds_of_crisis_still_fit() -> None:
    decision = Triage(Level.CRISIS, ["crisis:forced_marriage", "crisis:self_harm"])
    assert sms_segments(crisis_sms(decision)) <= 2 and is_gsm(crisis_sms(decision))


def test_breathing_space_is_offered_where_it_fits() -> None:
    assert BREATHING_SPACE in support_lines(Triage(Level.CRISIS, ["crisis:suicide"]))
    assert "83 85 87" in concern_text() and "83 85 87" in concern_sms()
    assert BREATHING_SPACE not in support_lines(Triage(Level.CRISIS, ["crisis:medical"]))
    assert DA_FM_HELPLINE in support_lines(Triage(Level.CRISIS, ["crisis:forced_marriage"]))


def test_the_concern_reply_asks_and_offers_a_person() -> None:
    text = concern_text()
    assert "are you safe right now?" in text and "999" in text and "person" in text
    assert is_gsm(concern_sms()) and sms_segments(concern_sms()) <= 2
    assert "apprentice" not in text.lower()
