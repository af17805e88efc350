"""NLU cross-validation with the Rasa server's own tooling, in its Python 3.10 environment."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from cairn.rasa_model import BOT_DIR, rasa_env, rasa_executable

_SUMMARY_ROWS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def cross_validate(*, config: Path, folds: int, log: Path) -> dict[str, Any]:
    """Run `rasa test nlu --cross-validation`; return per-intent scores and confusions."""
    with tempfile.TemporaryDirectory(prefix="cairn-nlu-") as out:
        started = time.perf_counter()
        with log.open("w") as handle:
            subprocess.run(
                [
                    str(rasa_executable()), "test", "nlu",
                    "--nlu", str(BOT_DIR / "data"),
                    "--config", str(config),
                    "--cross-validation", "--folds", str(folds),
                    "--out", out, "--no-plot",
                ],
                check=True, stdout=handle, stderr=subprocess.STDOUT, env=rasa_env(),
            )  # fmt: skip
        seconds = time.perf_counter() - started
        report = json.loads((Path(out) / "intent_report.json").read_text())
    return summarise(report, seconds=seconds, folds=folds, config=config)


def summarise(
    report: dict[str, Any], *, seconds: float, folds: int, config: Path
) -> dict[str, Any]:
    """Per-intent precision, recall, F1; macro F1; the most frequent confusion pairs."""
    intents = {
        name: {
            "precision": round(row["precision"], 3),
            "recall": round(row["recall"], 3),
            "f1": round(row["f1-score"], 3),
            "support": row["support"],
        }
        for name, row in report.items()
        if name not in _SUMMARY_ROWS and isinstance(row, dict) and "precision" in row
    }
    pairs = []
    for name, row in report.items():
        if name in _SUMMARY_ROWS or not isinstance(row, dict):
            continue
        for other, count in (row.get("confused_with") or {}).items():
            pairs.append({"intent": name, "predicted": other, "count": count})
    pairs.sort(key=lambda p: -int(p["count"]))
    real = {k: v for k, v in intents.items() if k != "nlu_fallback"}
    return {
        "config": str(config),
        "folds": folds,
        "macro_f1": round(sum(v["f1"] for v in real.values()) / max(len(real), 1), 4),
        "accuracy": round(float(report.get("accuracy", 0.0)), 4),
        "intents": intents,
        "confusions": pairs[:15],
        "seconds": round(seconds, 1),
    }
