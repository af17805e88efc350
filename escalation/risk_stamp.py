"""Whether the trained risk model is current: a hash of its data and the code that reads it.

Kept apart from training (escalation/risk_training.py) so the check needs no machine-learning
imports: `cairn run` and `make test` skip a current model in a fraction of a second.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from knowledge import text

DATA = Path(__file__).resolve().parent / "data" / "triage"
MODEL_FILE = "risk-model.npz"
STAMP_FILE = "risk-model.sha256"


def training_files(data: Path = DATA) -> list[Path]:
    """The training set's files."""
    return sorted(data.glob("*.jsonl"))


def model_path(models: Path) -> Path:
    """Where the trained risk model lives (beside the Rasa model)."""
    return models / MODEL_FILE


def is_current(models: Path) -> bool:
    """Whether the model on disk was trained from today's data and code."""
    stamp = models / STAMP_FILE
    return (
        model_path(models).exists()
        and stamp.exists()
        and stamp.read_text().strip() == inputs_hash(training_files())
    )


def inputs_hash(files: list[Path]) -> str:
    """What a trained model depends on: its data and the code that reads it."""
    code = Path(__file__).resolve().parent
    # Not risk.py: its blend is tuned without retraining, and a changed file format fails to load.
    names = ["features.py", "windows.py", "lexicon.py", "risk_training.py"]
    parts = [
        *files,
        *(code / n for n in names),
        code / "data" / "lexicons" / "suicide_risk_lexicon.json",
        Path(text.__file__),  # how every message is normalised
    ]
    digest = hashlib.sha256()
    for path in parts:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
