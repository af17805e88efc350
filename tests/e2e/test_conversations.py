"""Rasa's own conversation tests (bot/tests/) against the trained model."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cairn import rasa_model
from tests.conftest import REPO

pytestmark = pytest.mark.e2e


def test_every_story_path_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(rasa_model.rasa_executable()), "test", "core",
            "--model", str(rasa_model.model_path(REPO / "var" / "models")),
            "--stories", str(REPO / "bot" / "tests"),
            "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot",
        ],
        capture_output=True, text=True, env=rasa_model.rasa_env(), cwd=REPO, check=False,
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details
