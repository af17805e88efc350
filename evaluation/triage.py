"""Triage quality on the labelled set, and what it adds to a turn."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from escalation.triage import SemanticLayer, triage

DATASET = Path(__file__).resolve().parent / "datasets" / "triage.jsonl"
LEVELS = ("crisis", "needs_person", "none")


def load() -> list[dict[str, str]]:
    """The labelled messages."""
    return [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]


def evaluate(semantic: SemanticLayer | None = None) -> dict[str, Any]:
    """Per-level recall and precision, the confusion table, and false crises on career talk."""
    rows = load()
    confusion: Counter[tuple[str, str]] = Counter()
    missed_crises = []
    for row in rows:
        got = triage(row["text"], semantic).level.value
        confusion[(row["level"], got)] += 1
        if row["level"] == "crisis" and got != "crisis":
            missed_crises.append(row["text"])
    levels: dict[str, dict[str, float]] = {}
    for level in LEVELS:
        truth = sum(n for (t, _), n in confusion.items() if t == level)
        predicted = sum(n for (_, g), n in confusion.items() if g == level)
        hit = confusion[(level, level)]
        levels[level] = {
            "recall": round(hit / truth, 4) if truth else 1.0,
            "precision": round(hit / predicted, 4) if predicted else 1.0,
            "support": truth,
        }
    career = [r for r in rows if r.get("category") == "career"]
    false_crisis = sum(triage(r["text"], semantic).level.value == "crisis" for r in career)
    return {
        "messages": len(rows),
        "levels": levels,
        "confusion": {f"{t}->{g}": n for (t, g), n in sorted(confusion.items())},
        "false_crisis_rate_on_career": round(false_crisis / max(len(career), 1), 4),
        "missed_crises": missed_crises,
    }


def bench(semantic: SemanticLayer | None = None, repeat: int = 5) -> dict[str, float]:
    """Milliseconds triage adds to a turn, over the labelled messages."""
    texts = [r["text"] for r in load()]
    samples = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            triage(text, semantic)
            samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "max_ms": round(ordered[-1], 3),
    }
