from __future__ import annotations

import pytest

from knowledge.scope import beyond_vetted


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("will nursing still pay ok in 2040", "the future"),
        ("will there be jobs in gaming when i'm 30", "the future"),
        ("is the co-op on the high street hiring this week", "one employer now"),
        ("what do teachers earn in australia", "another country"),
        ("am i clever enough for medicine", "a judgement about you"),
    ],
)
def test_questions_no_article_can_answer(question: str, reason: str) -> None:
    assert beyond_vetted(question) == reason


@pytest.mark.parametrize(
    "question",
    [
        "how much is ema",
        "when is the ucas deadline for 2027 entry",
        "how many hours can i work a week at 15",
        "can i get help with my cv today",
        "wot highers do i need for nursing",
    ],
)
def test_ordinary_questions_are_left_to_retrieval(question: str) -> None:
    assert beyond_vetted(question) is None
