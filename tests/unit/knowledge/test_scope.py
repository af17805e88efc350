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
        ("will i pass my higher biology", "a prediction about you"),
        ("is ma wee brother gonnae get intae the police", "a prediction about you"),
        ("which career would make me the happiest", "a prediction about you"),
        ("whit grade did a get in nat 5 english", "your own record"),
        ("can you check whether my application to perth college went through", "your own record"),
        ("how many jobs are available in perth right now", "live figures"),
        ("will the living wage go up next april", "live figures"),
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
        "will i get paid for overtime",
        "what grades do i need to get into vet school",
        "how much is the minimum wage when im 21",
    ],
)
def test_ordinary_questions_are_left_to_retrieval(question: str) -> None:
    assert beyond_vetted(question) is None
