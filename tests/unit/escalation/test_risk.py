"""The risk model reads every span: a disclosure counts wherever it sits in a long message."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from escalation.lexicon import Lexicon
from escalation.risk import RiskModel
from escalation.windows import WINDOW_WORDS, spans, words_of
from knowledge.embedding import Embedder
from knowledge.text import plain

CAREERS = (
    "I have been looking at college courses for next year and my guidance teacher thinks I "
    "should apply for the engineering one because I liked physics. My mum would rather I "
    "stayed on for sixth year. The bus to the college takes an hour each way. "
)
LONG_CAREERS = (
    "So I have been looking at college courses for next year. My guidance teacher thinks I "
    "should apply for the engineering one because I liked physics and I did ok in maths. My "
    "mum would rather I stayed on for sixth year and did my highers first, she says college "
    "will still be there. The bus to the college takes an hour each way which is a pain. My "
    "pal is doing a foundation apprenticeship in joinery and he loves it, he gets paid and "
    "everything. What do you think I should do? Also is there money for the bus?"
)
DISCLOSURE = "I have stopped eating and I keep hurting myself because I deserve it. "


def test_every_word_is_inside_a_span_and_long_messages_are_windowed() -> None:
    message = words_of(CAREERS * 8)
    covered = {i for start, end in spans(message) for i in range(start, end)}
    assert covered == set(range(len(message.words)))
    assert all(end - start <= WINDOW_WORDS for start, end in spans(message))


def test_sentences_and_lines_are_split_and_emoji_kept() -> None:
    message = words_of("Hi there.\nI cant cope 😭 anymore!! anyway, how do I apply")
    assert "😭" in message.words
    assert message.sentence_starts == (0, 2, 7)


def test_lexicon_finds_constructs_as_whole_phrases() -> None:
    lexicon = Lexicon()
    found = {
        lexicon.constructs[c] for _, _, c in lexicon.matches(words_of("i feel so hopeless").words)
    }
    assert "hopelessness" in found


def test_a_disclosure_scores_alike_alone_and_in_the_middle_of_careers_talk(
    risk_model: RiskModel, embedder: Embedder
) -> None:
    alone = risk_model.assess(DISCLOSURE, embedder.embed_one(plain(DISCLOSURE)))
    long = LONG_CAREERS + " " + DISCLOSURE + LONG_CAREERS
    buried = risk_model.assess(long, embedder.embed_one(plain(long)))
    calm = embedder.embed_one(plain(LONG_CAREERS))
    assert buried.crisis > 0.5 and alone.crisis > 0.5
    # Alone, the careers talk scores far lower. (Triage may still flag it: long careers
    # messages are where the false alarms are, see docs/decisions/0005-triage-risk-model.md.)
    assert risk_model.assess(LONG_CAREERS, calm).crisis < buried.crisis / 3
    assert buried.category in ("self_harm", "suicide")


def test_the_model_survives_a_save_and_a_load(risk_model: RiskModel, tmp_path: Path) -> None:
    risk_model.save(tmp_path / "model.npz")
    again = RiskModel.load(tmp_path / "model.npz")
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    assert again.assess(DISCLOSURE, vector) == risk_model.assess(DISCLOSURE, vector)
