"""Start, watch and stop the stack's processes: none is restarted silently."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# glibc gives each thread that allocates its own malloc arena; the api's thread pool (database,
# embedding) then grows its memory for minutes under load (the soak: ~10 MB a minute). Two
# arenas keep it flat at no measurable cost in speed.
LEAN_MALLOC = {"MALLOC_ARENA_MAX": "2"}


@dataclass
class Service:
    """One long-running process and how to tell it is ready."""

    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self, cwd: Path) -> None:
        """Start in its own process group, output to its log file."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=cwd,
            env=self.env or None,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def exited(self) -> int | None:
        """The exit code if the process has ended."""
        return None if self.process is None else self.process.poll()

    def rss_mb(self) -> float:
        """Resident memory of the process, in MB (0 once it has ended)."""
        if self.process is None:
            return 0.0
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0.0
        line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
        return int(line.split()[1]) / 1024

    def healthy(self) -> bool:
        """Whether the health URL answers 200."""
        try:
            return httpx.get(self.health_url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False


class StackFailed(RuntimeError):
    """A process died or never became healthy."""


class Supervisor:
    """Runs services together and stops all of them together."""

    def __init__(self, services: list[Service], cwd: Path) -> None:
        self.services = services
        self.cwd = cwd

    def start(self, *, timeout_s: float = 180.0) -> None:
        """Start every service and wait until all are healthy."""
        for service in self.services:
            service.start(self.cwd)
        deadline = time.monotonic() + timeout_s
        pending = list(self.services)
        while pending:
            for service in list(pending):
                code = service.exited()
                if code is not None:
                    raise StackFailed(f"{service.name} exited with {code}; see {service.log_path}")
                if service.healthy():
                    pending.remove(service)
            if time.monotonic() > deadline:
                names = ", ".join(s.name for s in pending)
                raise StackFailed(f"not healthy after {timeout_s:.0f}s: {names}")
            if pending:
                time.sleep(0.5)

    def watch(self) -> str:
        """Block until a service exits; return its name."""
        while True:
            for service in self.services:
                if service.exited() is not None:
                    return service.name
            time.sleep(0.5)

    def stop(self, *, grace_s: float = 15.0) -> None:
        """SIGTERM every process group, then SIGKILL what is left after the grace period."""
        for service in self.services:
            _signal_group(service, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for service in self.services:
            if service.process is None:
                continue
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(service, signal.SIGKILL)
                service.process.wait()
            # Children of the group (e.g. Rasa's workers) may outlive the leader.
            _signal_group(service, signal.SIGKILL)


def _signal_group(service: Service, sig: signal.Signals) -> None:
    if service.process is None:
        return
    try:
        os.killpg(service.process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
