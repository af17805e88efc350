"""Train the risk model from the labelled messages in escalation/data/triage/.

A long message is labelled as a whole, but its risk may sit in one sentence. Training is
therefore multiple-instance: short messages are one span each; every span of a long message
labelled `none` is a `none` example; a long message that needs help first trains nothing, then,
once a model exists, lends its label to the span that model finds most like it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from escalation.features import Featurizer
from escalation.risk import CATEGORIES, LEVELS, RiskModel
from escalation.risk_stamp import STAMP_FILE, inputs_hash, is_current, model_path, training_files
from escalation.windows import WINDOW_WORDS, Words, words_of
from knowledge.embedding import Embedder, VectorCache

C = 16.0  # inverse regularisation, chosen on the dev split
ROUNDS = 2
HIDDEN = 256
SVM_C, SVM_GAMMA = 10.0, 1.0  # chosen on dev and `test6` to `test13` (0005)
# Labels of older files, in the classes' words.
ALIASES = {"human_request": "asked_for_person"}


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    text: str
    level: str  # one of LEVELS
    category: str  # one of CATEGORIES, or "none"


def example(text: str, level: str, category: str) -> Example:
    """A labelled message, its category in the model's words."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    if level == "none":
        return Example(text, level, "none")
    category = ALIASES.get(category, category)
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r} for level {level!r}")
    return Example(text, level, category)


def load_examples(paths: Iterable[Path]) -> list[Example]:
    """The labelled messages of JSON-lines files (rows with `context` train on their text
    only when it stands on its own: they are skipped), in an order fixed by their content.

    The folds that calibrate the SVM and the network's batches follow this order: in file
    order, merely renaming a file moved the careers false alarms by 0.6 points."""
    examples = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("context"):
                continue
            examples.append(example(row["text"], row["level"], row["category"]))
    return sorted(examples, key=_shuffled)


def _shuffled(labelled: Example) -> tuple[str, str, str]:
    """A sort key that mixes files and levels yet depends only on the example itself."""
    digest = hashlib.sha256(labelled.text.encode("utf-8")).hexdigest()
    return digest, labelled.level, labelled.category


def train(
    examples: list[Example],
    vectors: NDArray[np.float32],
    *,
    featurizer: Featurizer | None = None,
    c: float = C,
    rounds: int = ROUNDS,
) -> RiskModel:
    """Fit the model on `examples` (with their message vectors)."""
    featurizer = featurizer or Featurizer()
    messages = [words_of(e.text) for e in examples]
    balance = length_balanced([e.level for e in examples], messages)
    weights = _meaning_reader(vectors, [e.level for e in examples], balance)
    weights.update(_crisis_svm(vectors, [e.level == "crisis" for e in examples], balance))
    every_span = [featurizer.rows(m) for m in messages]  # featurised once, for every round
    model: RiskModel | None = None
    for _ in range(rounds):  # multiple-instance: each round picks the spans that carry a label
        rows, chosen = _instances(examples, every_span, model)
        helped = [i for i, e in enumerate(chosen) if e.level != "none"]
        weights["span_coef"], weights["span_bias"] = _fit(
            rows, [e.level for e in chosen], LEVELS, c
        )
        weights["category_coef"], weights["category_bias"] = _fit(
            rows[helped], [chosen[i].category for i in helped], CATEGORIES, c
        )
        model = RiskModel(dict(weights), featurizer)
    assert model is not None
    return model


def length_balanced(levels: list[str], messages: list[Words]) -> NDArray[np.float64]:
    """Sample weights that give short and long messages each the overall mix of levels.

    The long messages written for training are mostly disclosures; unweighted, the meaning
    readers learn that length itself is a risk, and flag long careers questions.
    """
    long = np.array([len(m.words) > WINDOW_WORDS for m in messages])
    level = np.array(levels)
    weights = np.ones(len(levels))
    for bucket in (False, True):
        inside = long == bucket
        for name in set(levels):
            chosen = inside & (level == name)
            if chosen.any():
                overall = (level == name).mean()
                weights[chosen] = overall / (chosen.sum() / inside.sum())
    return weights


def _meaning_reader(
    vectors: NDArray[np.float32], levels: list[str], balance: NDArray[np.float64]
) -> dict[str, NDArray[Any]]:
    """A one-hidden-layer network from message embedding to level, as plain arrays."""
    network = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=300, early_stopping=True, random_state=0
    )
    network.fit(vectors, levels, sample_weight=balance)
    order = [list(network.classes_).index(level) for level in LEVELS]
    return {
        "mlp_w1": network.coefs_[0].astype(np.float32),
        "mlp_b1": network.intercepts_[0].astype(np.float32),
        "mlp_w2": network.coefs_[1][:, order].astype(np.float32),
        "mlp_b2": network.intercepts_[1][order].astype(np.float32),
    }


def _crisis_svm(
    vectors: NDArray[np.float32], crisis: list[bool], balance: NDArray[np.float64]
) -> dict[str, NDArray[Any]]:
    """An RBF support vector machine, crisis or not, with Platt scaling fitted by 3-fold
    cross-validation; kept as its support vectors, their weights and the sigmoid."""
    calibrated = CalibratedClassifierCV(
        SVC(C=SVM_C, gamma=SVM_GAMMA), method="sigmoid", ensemble=False, cv=3, n_jobs=2
    )
    calibrated.fit(vectors, crisis, sample_weight=balance)
    inner = calibrated.calibrated_classifiers_[0]
    machine, sigmoid = inner.estimator, inner.calibrators[0]
    return {
        "svm_vectors": machine.support_vectors_.astype(np.float32),
        "svm_coef": machine.dual_coef_[0].astype(np.float32),
        "svm_bias": machine.intercept_.astype(np.float32),
        "svm_gamma": np.array([SVM_GAMMA], dtype=np.float32),
        "svm_platt": np.array([sigmoid.a_, sigmoid.b_], dtype=np.float32),
    }


def _fit(
    rows: sparse.csr_matrix, labels: list[str], classes: tuple[str, ...], c: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Multinomial logistic regression; a class with no examples is never predicted."""
    classifier = LogisticRegression(C=c, max_iter=1000, tol=1e-3)
    classifier.fit(rows, labels)
    coef = np.zeros((rows.shape[1], len(classes)), dtype=np.float32)
    bias = np.full(len(classes), -30.0, dtype=np.float32)
    for column, name in enumerate(classifier.classes_):
        coef[:, classes.index(name)] = classifier.coef_[column]
        bias[classes.index(name)] = classifier.intercept_[column]
    return coef, bias


def _instances(
    examples: list[Example], every_span: list[sparse.csr_matrix], model: RiskModel | None
) -> tuple[sparse.csr_matrix, list[Example]]:
    """The training rows of one round, and the example each comes from."""
    blocks, chosen = [], []
    for labelled, rows in zip(examples, every_span, strict=True):
        count = rows.shape[0]
        if count == 0:
            continue
        if count == 1 or labelled.level == "none":
            blocks.append(rows)
            chosen.extend([labelled] * count)
        elif model is not None:
            likeness = model.levels(rows)[:, LEVELS.index(labelled.level)]
            blocks.append(rows[int(np.argmax(likeness))])
            chosen.append(labelled)
    return sparse.vstack(blocks, format="csr"), chosen


def ensure_model(models: Path, embedder: Embedder, *, force: bool = False) -> RiskModel:
    """The trained model: loaded if current, else trained now (about a minute) and saved."""
    if not force and is_current(models):
        try:
            return RiskModel.load(model_path(models))
        except (KeyError, ValueError, OSError):  # written by another version: train again
            pass
    files = training_files()
    examples = load_examples(files)
    vectors = VectorCache(models / "risk-vectors.npz", embedder).get([e.text for e in examples])
    model = train(examples, vectors)
    model.save(model_path(models))
    (models / STAMP_FILE).write_text(inputs_hash(files) + "\n")
    return model
