"""The whole stack as the soak runs it: the real `cairn run` in a throwaway data directory.

`cairn run` restarts nothing (a crashed api stops the stack, by design), so `restart()` plays
the operator's process manager: it starts `cairn run` again on the same ports and data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cairn import rasa_model
from evaluation.loopback import free_port

READY = "Press Ctrl-C to stop."


class StackError(RuntimeError):
    """`cairn run` did not start, or a process the soak needs is missing."""


class SoakStack:
    """One `cairn run`, restartable, with its processes found through /proc."""

    def __init__(self, *, data_dir: Path, models_dir: Path, chroma_path: Path | None,
                 env: dict[str, str]) -> None:  # fmt: skip
        if not rasa_model.is_current(models_dir):
            raise StackError(f"the Rasa model in {models_dir} is stale: run `cairn bot train`")
        self.data_dir = data_dir
        api_port, rasa_port = free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.env = {
            **os.environ,
            **env,
            "PUBLIC_BASE_URL": self.api_url,
            "CAIRN_DATA_DIR": str(data_dir),
            "MODELS_DIR": str(models_dir),
            "API_PORT": str(api_port),
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        }
        if chroma_path is not None:
            self.env["CHROMA_PATH"] = str(chroma_path)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        """The current run's output."""
        return self.data_dir / f"cairn-run-{self.starts}.log"

    def start(self, timeout_s: float = 300) -> float:
        """Start `cairn run` and wait until it is ready; return the seconds it took."""
        self.starts += 1
        began = time.monotonic()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cairn.cli", "run"],
                cwd=self.data_dir,  # no .env from a checkout
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        while READY not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() - began > timeout_s:
                self.stop()
                raise StackError(f"cairn run did not start; see {self.log}")
            time.sleep(0.2)
        return time.monotonic() - began

    def stop(self) -> int | None:
        """Ctrl-C, as an operator would; SIGKILL after a minute. Return the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def wait_exit(self, timeout_s: float = 60) -> int | None:
        """Wait for `cairn run` to end on its own (after a crash); its exit code."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def service_pid(self, marker: str) -> int:
        """The pid of the service whose command line contains `marker`."""
        root = self.process.pid if self.process is not None else -1
        for pid in descendants(root):
            if marker in cmdline(pid):
                return pid
        raise StackError(f"no process matching {marker!r} under cairn run")

    def rss_mb(self) -> float:
        """Resident memory of every process `cairn run` started (api, Rasa), in MB."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        return round(sum(rss_kb(pid) for pid in descendants(self.process.pid)) / 1024, 1)


API_MARKER = "cairn.cli serve"
RASA_MARKER = " run --model "


def descendants(pid: int) -> set[int]:
    """Every descendant of `pid`, found by walking /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def cmdline(pid: int) -> str:
    """A process's command line, space-separated ("" once it has gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def rss_kb(pid: int) -> int:
    """A process's resident memory in kB (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1])
