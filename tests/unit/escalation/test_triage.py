from __future__ import annotations

import json
from pathlib import Path

import pytest

from escalation.replies import crisis_text
from escalation.semantic import SemanticTriage
from escalation.triage import Level, triage
from knowledge.embedding import Embedder
from knowledge.text import plain

DATASET = Path(__file__).resolve().parents[3] / "evaluation" / "datasets" / "triage.jsonl"


def _rows(level: str) -> list[str]:
    rows = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    return [r["text"] for r in rows if r["level"] == level]


def test_crisis_recall_is_total_on_the_labelled_set() -> None:
    missed = [t for t in _rows("crisis") if triage(t).level is not Level.CRISIS]
    assert missed == []


@pytest.mark.parametrize(
    "text",
    [
        "this homework is killing me",
        "I'd die for a job at Rockstar",
        "my mate was kicked out of the band",
        "how do i become a suicide prevention worker",
        "i'm not suicidal just bored of school",
        "how do I apply to college",
    ],
)
def test_idioms_negations_and_careers_are_not_crises(text: str) -> None:
    assert triage(text).level is not Level.CRISIS


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("i dont want to be here anymore", "crisis:suicide"),
        ("i want to be a nurse but i want to kill myself", "crisis:suicide"),
        ("scared to go home tonight", "crisis:unsafe_home"),
        ("i've been sleeping in the stairwell", "crisis:homeless"),
        ("the older guys give me money to hold stuff for them", "crisis:exploitation"),
    ],
)
def test_crises_carry_their_reason(text: str, reason: str) -> None:
    decision = triage(text)
    assert decision.level is Level.CRISIS
    assert reason in decision.reasons


def test_asking_for_a_person_needs_a_person() -> None:
    decision = triage("can I speak to a real person")
    assert decision.level is Level.NEEDS_PERSON
    assert decision.reasons == ["needs_person:asked_for_person"]


def test_crisis_reply_has_support_lines_and_no_career_content() -> None:
    text = crisis_text(triage("i want to kill myself"))
    assert "116 123" in text and "999" in text and "85258" in text
    assert "apprentice" not in text.lower() and "http" not in text


@pytest.mark.parametrize(
    "text",
    ["i want to kill myself", "my dad batters me", "i took a load of pills", "scared to go home"],
)
def test_the_sms_crisis_reply_fits_two_segments(text: str) -> None:
    from channels.render import is_gsm, sms_segments
    from escalation.replies import crisis_sms

    reply = crisis_sms(triage(text))
    assert sms_segments(reply) <= 2 and is_gsm(reply)
    assert "999" in reply or "111" in reply


def test_a_shared_vector_gives_the_same_decisions(embedder: Embedder) -> None:
    semantic = SemanticTriage(embedder)
    rows = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    for row in rows[::4]:
        shared = embedder.embed_one(plain(row["text"]))
        assert triage(row["text"], semantic, shared) == triage(row["text"], semantic), row["text"]
