"""CLI contracts that need no running stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def cairn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cairn.cli", *args], capture_output=True, text=True, check=False
    )


def test_triage_json_contract() -> None:
    result = cairn("triage", "i want to kill myself", "--json")
    assert result.returncode == 0
    body = json.loads(result.stdout)
    assert body["level"] == "crisis" and body["reasons"]


def test_triage_batch_reads_json_lines(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"text": "hello"}\n{"text": "can i talk to a person"}\nnot json\n')
    lines = [
        json.loads(line)
        for line in cairn("triage", "--batch", str(batch)).stdout.split("\n")
        if line
    ]
    assert [line.get("level") for line in lines[:2]] == ["none", "needs_person"]
    assert "error" in lines[2]


def test_knowledge_check_reports_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "broken.md").write_text("---\nid: broken\n---\nbody\n")
    result = subprocess.run(
        [sys.executable, "-m", "cairn.cli", "knowledge", "check"],
        capture_output=True, text=True, check=False,
        env={"KNOWLEDGE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "broken.md: title:" in result.stdout
    assert "broken.md: source_url:" in result.stdout
