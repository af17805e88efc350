"""`cairn run` (what `make run` calls): reuse what is built, print URLs, leave nothing behind."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from evaluation.soak_stack import descendants
from tests.e2e.conftest import alive, start_stack, stop_stack

pytestmark = pytest.mark.e2e


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def test_run_reuses_model_and_index_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "run")
    try:
        output = stack.output()
        assert "not retraining" in output
        for layer in ("passages", "quick answers", "sentences"):
            assert f"{layer}: 0 chunks embedded" in output
        assert f"{stack.api_url}/" in output and f"{stack.api_url}/healthz" in output
        for step in ("database migrations", "rasa model", "knowledge index", "start rasa and api"):
            assert step in output
        assert "output in" in output  # where each process logs
        assert httpx.get(f"{stack.api_url}/healthz", timeout=10).status_code == 200
        spawned = descendants(stack.process.pid)
        assert len(spawned) >= 2
    finally:
        code = stop_stack(stack)
    assert code == 0
    assert [pid for pid in spawned if alive(pid)] == []
    assert not _port_open(stack.api_url) and not _port_open(stack.rasa_url)
    assert "all processes stopped" in stack.output()
