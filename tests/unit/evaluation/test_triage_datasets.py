"""The triage splits: the test split is frozen, and nothing trains on what it measures."""

from __future__ import annotations

import json
import re

from escalation.risk_stamp import training_files
from evaluation.triage import DATASETS, FROZEN, SPLITS, fingerprint, load


def test_the_test_splits_are_the_ones_written_blind() -> None:
    readme = (DATASETS / "README.md").read_text()
    frozen = re.findall(r"sha256(?: is)?\s+`([0-9a-f]{64})`", readme)
    assert frozen == [fingerprint(split) for split in FROZEN]


def test_no_training_or_dev_message_is_a_test_message() -> None:
    test = {r["text"].strip().lower() for split in FROZEN for r in load(split)}
    dev = {r["text"].strip().lower() for r in load("dev")}
    trained = {
        json.loads(line)["text"].strip().lower()
        for path in training_files()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert not test & dev and not test & trained and not dev & trained


def test_every_row_has_a_known_level_and_a_category() -> None:
    for split in SPLITS:
        for row in load(split):
            assert row["level"] in ("crisis", "needs_person", "none") and row["category"]
