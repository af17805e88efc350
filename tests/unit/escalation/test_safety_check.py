"""Answers to "are you safe right now?"."""

from __future__ import annotations

import pytest

from escalation.replies import NOT_SAFE, SAFE
from escalation.safety_check import Answer, answer


@pytest.mark.parametrize("text", [SAFE, "yes", "aye am fine", "yeah im safe thanks", "im ok"])
def test_a_clear_yes_is_safe(text: str) -> None:
    assert answer(text) is Answer.SAFE


@pytest.mark.parametrize("text", [NOT_SAFE, "no", "naw", "not really", "im not safe", "idk"])
def test_a_no_or_a_doubt_is_not_safe(text: str) -> None:
    assert answer(text) is Answer.NOT_SAFE


@pytest.mark.parametrize("text", ["yes but not really", "ok but im not safe at home"])
def test_a_yes_taken_back_is_not_read_as_safe(text: str) -> None:
    assert answer(text) is not Answer.SAFE


def test_a_new_question_is_no_answer() -> None:
    assert answer("how do i apply for an apprenticeship") is None
