"""Throwaway PostgreSQL and Redis servers on loopback, started and stopped by the tests.

pytest-postgresql cannot be used here: PostgreSQL refuses to run as root, and CI runs as root,
so the cluster is initialised and run as the `postgres` system user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluation.loopback import free_port


def require(binary: str) -> str:
    """The binary's path; fail under CI (never skip there), skip elsewhere."""
    path = shutil.which(binary)
    if path is None:
        message = f"{binary} is not installed (make test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _as_postgres() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid}


@dataclass
class Postgres:
    """A running throwaway cluster: its URL, and how to take it away and bring it back."""

    url: str
    data: Path
    options: str
    log: Path
    run_as: dict[str, object]

    def stop(self) -> None:
        """Stop the server abruptly, as a crash would: every connection is cut."""
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def start(self) -> None:
        """Start the server again on the same port and data."""
        self._pg_ctl("-o", self.options, "-l", str(self.log), "-w", "start")

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [require("pg_ctl"), "-D", str(self.data), *args],
            check=True, capture_output=True, **self.run_as,  # type: ignore[call-overload]
        )  # fmt: skip


@contextmanager
def postgres_cluster(databases: tuple[str, ...] = ("cairn", "insight")) -> Iterator[Postgres]:
    """Start a fresh cluster with `databases`; yield it (its URL names database `cairn`)."""
    initdb, pg_ctl = require("initdb"), require("pg_ctl")
    base = Path(tempfile.mkdtemp(prefix="cairn-pg-"))
    base.chmod(0o755)
    run_as = _as_postgres()
    if run_as:
        os.chown(base, int(run_as["user"]), int(run_as["group"]))  # type: ignore[call-overload]
    data, port = base / "data", free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [initdb, "-D", str(data), "-U", "cairn", "--auth=trust", "-E", "UTF8"],
        check=True, capture_output=True, **run_as,  # type: ignore[call-overload]
    )  # fmt: skip
    cluster = Postgres(
        f"postgresql://cairn@127.0.0.1:{port}/cairn", data, options, base / "log", run_as
    )
    cluster.start()
    try:
        for name in databases:
            subprocess.run(
                [require("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "cairn",
                 "-d", "postgres", "-c", f"CREATE DATABASE {name}"],
                check=True, capture_output=True,
            )  # fmt: skip
        yield cluster
    finally:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True, **run_as,  # type: ignore[call-overload]
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def postgres_server(databases: tuple[str, ...] = ("cairn", "insight")) -> Iterator[str]:
    """Start a fresh cluster with `databases`; yield a SQLAlchemy URL for database `cairn`."""
    with postgres_cluster(databases) as cluster:
        yield cluster.url


@contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start redis-server with no persistence; yield its URL and process."""
    port = free_port()
    process = subprocess.Popen(
        [require("redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.terminate()
        process.wait(timeout=10)
