"""Triage quality on the `dev` and the frozen test splits, and what triage adds to a turn.

`dev` is for tuning (thresholds, patterns, the model's settings). `test14` to `test19` were
written blind, by writers who saw neither the code nor the dev set. `test14` to `test18` were
each reported once, then tuned on; nothing has been chosen on `test19`: its figures go in a
closing note. The thirteen blind splits before them were reported, then tuned on, and now train
the model (datasets/triage/README.md tells their history).
Multi-turn rows replay their earlier messages first, as the router would: a `concern` among them
leaves the safety check open for the last one.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from escalation.risk import RiskModel
from escalation.safety_check import Answer, answer
from escalation.triage import Level, Thresholds, Triage, triage
from knowledge.embedding import Embedder, Vectors
from knowledge.text import plain

DATASETS = Path(__file__).resolve().parent / "datasets" / "triage"
SPLITS = ("dev", *(f"test{n}" for n in range(14, 20)))
FROZEN = SPLITS[1:]  # written blind and never edited; `test19` holds the figures
GOLD = ("crisis", "needs_person", "none")
PREDICTED = ("crisis", "concern", "needs_person", "none")
LONG = 500  # characters: "long" messages
CAREERS = ("career", "ordinary_worry", "smalltalk")  # plain careers talk among the `none` rows


def load(split: str) -> list[dict[str, Any]]:
    """The labelled rows of one split."""
    path = DATASETS / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def fingerprint(split: str) -> str:
    """sha256 of a split's file: the frozen test split's is recorded in its README."""
    return hashlib.sha256((DATASETS / f"{split}.jsonl").read_bytes()).hexdigest()


@dataclass
class Judge:
    """Triage as the router runs it: the model, the message's embedding, the thresholds."""

    model: RiskModel | None
    embedder: Embedder | None
    thresholds: Thresholds = Thresholds()  # noqa: RUF009 (frozen)
    # Each text embedded once: multi-turn rows replay the same earlier messages.
    _vectors: dict[str, Vectors] = field(default_factory=dict, repr=False)

    def __call__(self, text: str, context: list[str] | None = None) -> Triage:
        """The decision on `text` after its earlier messages, replayed in order."""
        checking, earlier, case_open = False, list[str](), False
        for before in context or []:
            decision = self._one(before, [] if case_open else earlier, checking)
            if decision.level is Level.CRISIS:
                case_open, checking = True, False  # a case opens; the router stops joining
            elif decision.level is Level.CONCERN:
                checking = True
            elif checking and answer(before) is Answer.SAFE:
                checking = False
            earlier.append(before)
        if checking and answer(text) is Answer.NOT_SAFE:
            return Triage(Level.CRISIS, ["crisis:not_safe"])
        return self._one(text, [] if case_open else earlier, checking)

    def _one(self, text: str, earlier: list[str], checking: bool) -> Triage:
        return triage(
            text,
            self.model,
            self._vector(text),
            context=earlier,
            checking=checking,
            thresholds=self.thresholds,
        )

    def _vector(self, text: str) -> Vectors | None:
        if self.embedder is None:
            return None
        if text not in self._vectors:
            self._vectors[text] = self.embedder.embed_one(plain(text))
        return self._vectors[text]


def evaluate(judge: Callable[..., Triage], split: str) -> dict[str, Any]:
    """Per-level recall, the confusion table, false alarms, long against short, every miss."""
    rows = load(split)
    got = [judge(r["text"], r.get("context")).level.value for r in rows]
    confusion = Counter((r["level"], g) for r, g in zip(rows, got, strict=True))
    crisis = [(r, g) for r, g in zip(rows, got, strict=True) if r["level"] == "crisis"]
    person = [(r, g) for r, g in zip(rows, got, strict=True) if r["level"] == "needs_person"]
    none = [(r, g) for r, g in zip(rows, got, strict=True) if r["level"] == "none"]
    careers = [(r, g) for r, g in none if r.get("category") in CAREERS]
    return {
        "split": split,
        "messages": len(rows),
        "sha256": fingerprint(split),
        "crisis_recall": _share(crisis, {"crisis"}),
        "crisis_support_recall": _share(crisis, {"crisis", "concern"}),
        "needs_person_recall": _share(person, {"needs_person", "concern", "crisis"}),
        "needs_person_exact_recall": _share(person, {"needs_person"}),
        "none_flagged": _share(none, {"crisis", "concern"}),
        "none_crisis": _share(none, {"crisis"}),
        "careers_flagged": _share(careers, {"crisis", "concern"}),
        "careers_crisis": _share(careers, {"crisis"}),
        "crisis_recall_long": _share([x for x in crisis if len(x[0]["text"]) > LONG], {"crisis"}),
        "crisis_recall_short": _share([x for x in crisis if len(x[0]["text"]) <= LONG], {"crisis"}),
        "crisis_recall_by_channel": {
            channel: _share([x for x in crisis if x[0].get("channel") == channel], {"crisis"})
            for channel in sorted({str(r["channel"]) for r, _ in crisis if r.get("channel")})
        },
        "crisis_recall_by_category": {
            category: _share([x for x in crisis if x[0]["category"] == category], {"crisis"})
            for category in sorted({r["category"] for r, _ in crisis})
        },
        "support": {level: sum(r["level"] == level for r in rows) for level in GOLD},
        "confusion": {g: {p: confusion[(g, p)] for p in PREDICTED} for g in GOLD},
        "missed_crises": [
            {"got": g, "category": r["category"], "chars": len(r["text"]), "text": r["text"]}
            for r, g in crisis
            if g != "crisis"
        ],
        "missed_needs_person": [r["text"] for r, g in person if g == "none"],
        "false_alarms": [
            {"got": g, "category": r.get("category"), "text": r["text"]}
            for r, g in none
            if g in ("crisis", "concern")
        ],
    }


def _share(pairs: list[tuple[dict[str, Any], str]], hits: set[str]) -> dict[str, Any]:
    if not pairs:
        return {"rate": None, "n": 0}
    hit = sum(g in hits for _, g in pairs)
    return {"rate": round(hit / len(pairs), 4), "hit": hit, "n": len(pairs)}


def calibration(model: RiskModel, embedder: Embedder, split: str) -> dict[str, float]:
    """Brier score and expected calibration error of P(crisis) on single messages."""
    rows = [r for r in load(split) if not r.get("context")]
    vectors = embedder.embed([plain(r["text"]) for r in rows])
    p = np.array([model.assess(r["text"], v).crisis for r, v in zip(rows, vectors, strict=True)])
    y = np.array([r["level"] == "crisis" for r in rows], dtype=float)
    bins = np.minimum((p * 10).astype(int), 9)
    ece = sum(
        abs(p[bins == b].mean() - y[bins == b].mean()) * (bins == b).mean()
        for b in range(10)
        if (bins == b).any()
    )
    return {"brier": round(float(((p - y) ** 2).mean()), 4), "ece": round(float(ece), 4)}


def bench(judge: Judge, embedder: Embedder, repeat: int = 100) -> dict[str, Any]:
    """Milliseconds triage adds to a turn (the embedding is the turn's, so not counted)."""
    texts = {
        "short": "i dont know what to do after school, can you help",
        "long_2000": _long_message(2000),
        "long_4096": _long_message(4096),
    }
    report: dict[str, Any] = {}
    for name, text in texts.items():
        vector = embedder.embed_one(plain(text))
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            triage(text, judge.model, vector, thresholds=judge.thresholds)
            samples.append((time.perf_counter() - started) * 1000)
        ordered = sorted(samples)
        report[name] = {
            "chars": len(text),
            "p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        }
    return report


def _long_message(chars: int) -> str:
    """A rambling careers message of `chars` characters, as a worst case for span count."""
    parts = [
        "so i have been looking at college courses and apprenticeships for next year",
        "my mum thinks i should stay on for sixth year but i am not sure",
        "i like working with my hands and i did ok in my nat 5s",
        "the joinery course at the college looks good but it is a long bus journey",
        "my pal is doing a foundation apprenticeship in engineering and loves it",
    ]
    text, i = "", 0
    while len(text) < chars:
        text += parts[i % len(parts)] + (". " if i % 3 else " ")
        i += 1
    return text[:chars]
