"""Triage: the pattern floor, the levels the model's chances become, the safety check.

Behaviour is pinned on the dev split and on messages written here, never on the frozen test
split (evaluation/datasets/triage/README.md).
"""

from __future__ import annotations

import pytest

from escalation.risk import Risk, RiskModel
from escalation.triage import Level, Thresholds, triage
from evaluation.triage import Judge, evaluate
from knowledge.embedding import Embedder, Vectors
from knowledge.text import plain


class FixedRisk:
    """A risk model that reads every message the same way."""

    def __init__(self, crisis: float, person: float = 0.0, joined: float | None = None) -> None:
        self.crisis, self.person, self.joined = crisis, person, joined
        self.seen: list[str] = []

    def assess(self, text: str, vector: Vectors | None = None) -> Risk:  # noqa: ARG002
        self.seen.append(text)
        crisis = self.joined if self.joined is not None and "\n" in text else self.crisis
        return Risk(crisis, self.person, "self_harm", "distress")


THRESHOLDS = Thresholds(crisis=0.5, concern=0.2, person=0.5, context=0.1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("im going to kill myself tonight", "crisis:suicide"),
        ("honestly i just want to die", "crisis:suicide"),
        ("i've been cutting myself again", "crisis:self_harm"),
        ("i took a load of pills an hour ago", "crisis:medical"),
        ("theyre making me marry my cousin in the summer", "crisis:forced_marriage"),
        ("got nowhere to sleep tonight", "crisis:homeless"),
    ],
)
def test_the_floor_catches_unmistakable_phrases_without_a_model(text: str, reason: str) -> None:
    decision = triage(text)
    assert decision.level is Level.CRISIS
    assert reason in decision.reasons and "pattern" in decision.reasons


@pytest.mark.parametrize(
    "text",
    [
        "im not suicidal, just bored of school",
        "how do i get into suicide prevention research",
        "dying to start my apprenticeship",
        "how do I apply to college",
        "i used to self harm in first year but i havent for ages, can i still be a nurse",
        "havent cut myself since s3, will the army medical ask",
    ],
)
def test_negations_causes_idioms_and_the_past_pass_the_floor(text: str) -> None:
    assert triage(text).level is Level.NONE


def test_the_past_lets_go_of_the_floor_only_and_the_model_still_reads_the_rest() -> None:
    again = "used to self harm and started again last week"
    assert triage(again, FixedRisk(0.6), thresholds=THRESHOLDS).reasons == [
        "crisis:self_harm",
        "model",
    ]
    assert triage("used to self harm, cutting myself again now").level is Level.CRISIS


def test_the_models_chance_becomes_a_level() -> None:
    assert triage("x", FixedRisk(0.6), thresholds=THRESHOLDS).level is Level.CRISIS
    assert triage("x", FixedRisk(0.3), thresholds=THRESHOLDS).level is Level.CONCERN
    assert triage("x", FixedRisk(0.1, person=0.7), thresholds=THRESHOLDS).level is (
        Level.NEEDS_PERSON
    )
    assert triage("x", FixedRisk(0.1), thresholds=THRESHOLDS).level is Level.NONE
    concern = triage("x", FixedRisk(0.3), thresholds=THRESHOLDS)
    assert concern.reasons == ["concern:self_harm"] and concern.risky


def test_a_second_sign_of_risk_before_a_yes_is_a_crisis() -> None:
    decision = triage("x", FixedRisk(0.3), checking=True, thresholds=THRESHOLDS)
    assert decision.level is Level.CRISIS and "concern_again" in decision.reasons


def test_the_message_before_counts_only_when_this_one_shows_some_risk() -> None:
    risky = FixedRisk(0.15, joined=0.9)
    decision = triage("and tonight", risky, context=["i have the pills"], thresholds=THRESHOLDS)
    assert decision.level is Level.CRISIS
    assert risky.seen[-1] == "i have the pills\nand tonight"
    calm = FixedRisk(0.01, joined=0.9)
    assert triage("thanks", calm, context=["worrying"], thresholds=THRESHOLDS).level is Level.NONE
    assert calm.seen == ["thanks"]


@pytest.mark.parametrize("text", ["/safe", "/request_human", "4", " 12 "])
def test_button_payloads_and_menu_numbers_are_choices_not_words(text: str) -> None:
    risky = FixedRisk(0.9)
    assert triage(text, risky, thresholds=THRESHOLDS).level is Level.NONE
    assert risky.seen == []


def test_a_goodbye_or_a_ping_is_read_only_with_the_message_before_it() -> None:
    calm = FixedRisk(0.9, joined=0.0)
    for text in ("ok bye x", "u still there?", "hello?"):
        assert triage(text, calm, thresholds=THRESHOLDS).level is Level.NONE
    assert calm.seen == []
    assert triage("im still here", calm, thresholds=THRESHOLDS).level is Level.CRISIS
    worrying = FixedRisk(0.0, joined=0.9)
    after = triage("goodbye", worrying, context=["i have the pills"], thresholds=THRESHOLDS)
    assert after.level is Level.CRISIS
    assert triage("bye forever", FixedRisk(0.9), thresholds=THRESHOLDS).level is Level.CRISIS


def test_asking_for_a_person_needs_a_person() -> None:
    decision = triage("can I speak to a real person")
    assert decision.level is Level.NEEDS_PERSON
    assert decision.reasons == ["needs_person:asked_for_person"]


def test_on_the_dev_split_crises_are_caught_and_careers_talk_is_left_alone(
    risk_model: RiskModel, embedder: Embedder
) -> None:
    report = evaluate(Judge(risk_model, embedder), "dev")  # 0.995, 0.996, 0.069, 0.089, 0.955
    assert report["crisis_recall"]["rate"] >= 0.97
    assert report["crisis_support_recall"]["rate"] >= 0.98
    assert report["crisis_recall_long"]["rate"] >= 0.94
    assert report["careers_crisis"]["rate"] <= 0.08
    assert report["careers_flagged"]["rate"] <= 0.11
    assert report["needs_person_recall"]["rate"] >= 0.93


def test_a_shared_vector_gives_the_same_decision(risk_model: RiskModel, embedder: Embedder) -> None:
    text = "my mum keeps asking what i want to do after school and i honestly have no idea"
    vector = embedder.embed_one(plain(text))
    assert triage(text, risk_model, vector) == triage(text, risk_model, vector.copy())
