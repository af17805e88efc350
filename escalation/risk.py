"""The risk model: a trained, calibrated classifier that reads the whole message.

Two readers, each a trained classifier over three levels (none, needs_person, crisis):
- the span reader, a logistic regression over n-grams and lexicon constructs
  (escalation/features.py), scores every span of the message (escalation/windows.py): a
  message is as risky as its riskiest span, so a disclosure in the middle of a long message
  counts as if it stood alone;
- the meaning readers over the MiniLM embedding the turn computes anyway: a kernel SVM gives
  the chance of a crisis, a small neural network the chance of needing a person.
They make different mistakes, so together they beat either (on dev: a third of the false
alarms at the same recall). A third model, trained only on spans that need help, names
the category. Trained by `cairn risk train` (escalation/risk_training.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from escalation.features import Featurizer
from escalation.windows import WINDOW_WORDS, Words, spans, words_of

CRISIS_CLASSES = (
    "suicide", "self_harm", "medical", "abuse", "exploitation", "forced_marriage",
    "domestic_violence", "homeless", "unsafe_home", "violence", "friend_at_risk",
)  # fmt: skip
PERSON_CLASSES = ("asked_for_person", "distress", "complaint", "frustration")
LEVELS = ("none", "needs_person", "crisis")
CATEGORIES = (*PERSON_CLASSES, *CRISIS_CLASSES)


@dataclass(frozen=True)
class Risk:
    """How a message reads: the chance of a crisis and of needing a person, and why."""

    crisis: float
    person: float
    category: str  # the likeliest crisis category, or the likeliest reason for a person
    person_reason: str
    span: tuple[int, int] = (0, 0)  # the words that scored highest (never stored)
    long: bool = False  # more words than one span holds


class RiskModel:
    """The span reader, the meaning reader and the category model, from a trained file.

    Keeping level and category apart keeps the crisis probability honest: a span unlike
    anything seen spreads its chance over three levels, not over eleven kinds of crisis.
    """

    def __init__(
        self, weights: dict[str, NDArray[np.float32]], featurizer: Featurizer | None = None
    ) -> None:
        self.featurizer = featurizer or Featurizer()
        self._w = weights
        self._crisis = np.array([CATEGORIES.index(c) for c in CRISIS_CLASSES])
        self._person = np.array([CATEGORIES.index(c) for c in PERSON_CLASSES])

    @classmethod
    def load(cls, path: Path) -> RiskModel:
        """Read a model `cairn risk train` wrote."""
        with np.load(path) as data:
            if tuple(str(c) for c in data["categories"]) != CATEGORIES:
                raise ValueError(f"{path} was trained for other categories: retrain it")
            return cls({k: data[k].astype(np.float32) for k in WEIGHTS})

    def save(self, path: Path) -> None:
        """Write the weights (numpy arrays only: nothing executable)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.npz")
        arrays: dict[str, Any] = {"categories": np.array(CATEGORIES), **self._w}
        np.savez_compressed(partial, **arrays)
        partial.replace(path)

    def spans(self, message: Words) -> tuple[list[tuple[int, int]], sparse.csr_matrix]:
        """Every span of `message` and its feature rows (escalation/features.py)."""
        windows = spans(message)
        if not windows:
            return [], sparse.csr_matrix((0, self.featurizer.width), dtype=np.float32)
        return windows, self.featurizer.rows(message, windows)

    def kinds(self, rows: sparse.csr_matrix) -> NDArray[np.float32]:
        """The category model's probabilities for feature rows."""
        return _softmax(rows @ self._w["category_coef"] + self._w["category_bias"])

    def levels(self, rows: sparse.csr_matrix) -> NDArray[np.float32]:
        """The span reader's level probabilities for feature rows (escalation/features.py)."""
        return _softmax(rows @ self._w["span_coef"] + self._w["span_bias"])

    def meaning(self, vector: NDArray[np.float32]) -> tuple[float, float]:
        """The meaning readers' chances of a crisis and of needing a person, for one message
        embedding: a kernel SVM (crisis or not) and a small network (the three levels).

        The network's crisis column is not used: averaged with the SVM's, it flagged more
        careers messages at the same recall, on dev and `test6` to `test13` (0005)."""
        hidden = np.maximum(vector @ self._w["mlp_w1"] + self._w["mlp_b1"], 0.0)
        levels = _softmax((hidden @ self._w["mlp_w2"] + self._w["mlp_b2"])[np.newaxis, :])[0]
        # RBF kernel on unit vectors: |a - b|^2 = 2 - 2 a.b
        kernel = np.exp(-self._w["svm_gamma"][0] * (2.0 - 2.0 * (self._w["svm_vectors"] @ vector)))
        decision = float(kernel @ self._w["svm_coef"]) + float(self._w["svm_bias"][0])
        platt_a, platt_b = self._w["svm_platt"]
        svm = 1.0 / (1.0 + np.exp(platt_a * decision + platt_b))
        return float(svm), float(levels[1])

    def assess(self, text: str, vector: NDArray[np.float32] | None = None) -> Risk:
        """The message's risk: its riskiest span, averaged with its meaning when known."""
        message = words_of(text)
        windows, rows = self.spans(message)
        if not windows:
            return Risk(0.0, 0.0, "none", "none")
        levels = self.levels(rows)
        top, top_person = int(np.argmax(levels[:, 2])), int(np.argmax(levels[:, 1]))
        # Only the two spans that decide are named: the category model is 15 columns wide.
        kinds = self.kinds(rows[[top, top_person]])
        crisis, person = float(levels[top, 2]), float(levels[top_person, 1])
        if vector is not None:
            meant_crisis, meant_person = self.meaning(vector)
            # The embedding sums up a short message; of a long one it sees the start, diluted.
            share = SPAN_SHARE if len(message.words) <= WINDOW_WORDS else SPAN_SHARE_LONG
            crisis = _pooled(crisis, meant_crisis, share)
            person = share * person + (1 - share) * meant_person
        return Risk(
            crisis=crisis,
            person=person,
            category=CRISIS_CLASSES[int(np.argmax(kinds[0, self._crisis]))],
            person_reason=PERSON_CLASSES[int(np.argmax(kinds[1, self._person]))],
            span=windows[top],
            long=len(message.words) > WINDOW_WORDS,
        )


# The span reader's weight in the pooled odds, for short and long messages (chosen on dev).
SPAN_SHARE, SPAN_SHARE_LONG = 0.2, 0.4
WEIGHTS = (
    "span_coef", "span_bias", "category_coef", "category_bias",
    "mlp_w1", "mlp_b1", "mlp_w2", "mlp_b2",
    "svm_vectors", "svm_coef", "svm_bias", "svm_gamma", "svm_platt",
)  # fmt: skip


def _pooled(span: float, meaning: float, share: float) -> float:
    """The readers' chances of a crisis pooled in log-odds (a weighted product of experts):
    when one reader is sure there is nothing, the other needs more to outvote it than in a
    plain average. On dev it flagged fewer long careers messages at the same recall
    (docs/decisions/0005-triage-risk-model.md)."""
    logit = share * _log_odds(span) + (1 - share) * _log_odds(meaning)
    return float(1.0 / (1.0 + np.exp(-logit)))


def _log_odds(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def _softmax(logits: NDArray[np.floating]) -> NDArray[np.float32]:
    logits = logits - logits.max(axis=1, keepdims=True)
    odds = np.exp(logits)
    probabilities: NDArray[np.float32] = (odds / odds.sum(axis=1, keepdims=True)).astype(np.float32)
    return probabilities
