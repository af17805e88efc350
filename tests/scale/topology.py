"""The scale-out topology on loopback: what docker-compose.yml describes, as local processes.

PostgreSQL (main, insight and Rasa's trackers), Redis (live adviser messages, Rasa's lock
store), a Chroma server (`chroma run`), two Rasa replicas, two api replicas, and nginx in front
of each pair. Migrations and the index build run once, before any replica starts.

`make scale` runs this module: it starts everything, prints the URLs and waits for Ctrl-C, so
`cairn bench chat --url <nginx>` can measure the replicated stack. `tests/scale/` uses it too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import typer

from cairn import rasa_model
from cairn.supervisor import LEAN_MALLOC, Service, Supervisor
from tests.servers import Postgres, free_port, postgres_cluster, redis_server, require

REPO = Path(__file__).resolve().parents[2]
SECRET = "scale-out-secret-key-for-loopback-only-0123456789"


@dataclass
class Topology:
    """Where everything listens."""

    url: str  # nginx in front of the api replicas: what young people and advisers reach
    rasa_url: str  # nginx in front of the Rasa replicas
    api_urls: list[str]
    rasa_urls: list[str]
    data_dir: Path
    env: dict[str, str]
    services: list[Service] = field(default_factory=list)
    postgres: Postgres | None = None  # stopped and started again by the outage test

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `cairn ...` against this topology's stores."""
        return subprocess.run(
            [sys.executable, "-m", "cairn.cli", *args],
            capture_output=True,
            text=True,
            cwd=self.data_dir,
            env=self.env,
            check=False,
        )


NGINX = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  client_max_body_size 10m;
  # Bodies stay in memory: the workers run as an unprivileged user that cannot write temp
  # files into the test's directory (Rasa's action calls carry the domain, up to ~100 KB).
  client_body_buffer_size 10m;
  upstream api {{ {api} keepalive 64; }}
  upstream rasa {{ {rasa} keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location = /nginx-health {{ return 200 "ok"; }}
    location / {{
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_buffering off;              # server-sent events go straight through
      proxy_read_timeout 3600s;
      add_header X-Cairn-Upstream $upstream_addr always;
    }}
  }}
  server {{
    listen 127.0.0.1:{rasa_port};
    location / {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 60s;
      add_header X-Cairn-Upstream $upstream_addr always;
    }}
  }}
}}
"""


def _wait(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer")
        time.sleep(0.3)


@contextmanager
def scale_out(
    data_dir: Path, extra_env: dict[str, str] | None = None, replicas: int = 2
) -> Iterator[Topology]:
    """Start the whole topology; stop all of it on exit."""
    nginx = require("nginx")
    models = REPO / "var" / "models"
    if not rasa_model.is_current(models):
        raise RuntimeError("the Rasa model is stale or missing: `cairn bot train` first")
    data_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_cluster(("cairn", "insight", "rasa")))
        database = postgres.url
        redis_url, _ = stack.enter_context(redis_server())
        base = database.rsplit("/", 1)[0]
        port, rasa_port = free_port(), free_port()
        url, rasa_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{rasa_port}"
        chroma_port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k != "CHROMA_PATH"},
            **(extra_env or {}),
            "CAIRN_DATA_DIR": str(data_dir),
            "MODELS_DIR": str(models),
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database,
            "INSIGHT_DATABASE_URL": f"{base}/insight",
            "REDIS_URL": redis_url,
            "CHROMA_URL": f"http://127.0.0.1:{chroma_port}",
            "RASA_URL": rasa_url,
            "PUBLIC_BASE_URL": url,
            "ACTION_TOKEN": "scale-out-action-token-0123456789",
        }
        logs = data_dir / "log"
        logs.mkdir(exist_ok=True)
        chroma = Service(
            name="chroma",
            command=[
                str(Path(sys.executable).parent / "chroma"),
                "run",
                "--path",
                str(data_dir / "chroma"),
                "--host",
                "127.0.0.1",
                "--port",
                str(chroma_port),
            ],
            health_url=f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat",
            log_path=logs / "chroma.log",
            env=env,
        )
        supervisor = Supervisor([chroma], data_dir)
        stack.callback(supervisor.stop)
        supervisor.start(timeout_s=60)

        topology = Topology(
            url=url,
            rasa_url=rasa_url,
            api_urls=[],
            rasa_urls=[],
            data_dir=data_dir,
            env=env,
            services=[chroma],
            postgres=postgres,
        )
        for step in (("db", "upgrade"), ("knowledge", "index"), ("risk", "train")):  # once
            done = topology.cli(*step)
            if done.returncode != 0:
                raise RuntimeError(f"cairn {' '.join(step)} failed:\n{done.stderr}")

        rasa_host, redis_port = "127.0.0.1", redis_url.rsplit(":", 1)[1].split("/")[0]
        services = []
        for n in range(replicas):
            rport = free_port()
            topology.rasa_urls.append(f"http://127.0.0.1:{rport}")
            services.append(
                Service(
                    name=f"rasa-{n + 1}",
                    command=rasa_model.server_command(
                        models, "endpoints-scale.yml", rasa_host, rport
                    ),
                    health_url=f"http://127.0.0.1:{rport}/webhooks/cairn/",
                    log_path=logs / f"rasa-{n + 1}.log",
                    env=rasa_model.rasa_env(
                        {
                            "ACTION_ENDPOINT_URL": f"{url}/actions/webhook",
                            "ACTION_TOKEN": env["ACTION_TOKEN"],
                            "RASA_TRACKER_DB_URL": f"{base}/rasa",
                            "RASA_LOCK_REDIS_HOST": rasa_host,
                            "RASA_LOCK_REDIS_PORT": redis_port,
                        }
                    ),
                )
            )
        for n in range(replicas):
            aport = free_port()
            topology.api_urls.append(f"http://127.0.0.1:{aport}")
            services.append(
                Service(
                    name=f"api-{n + 1}",
                    command=[sys.executable, "-m", "cairn.cli", "serve"],
                    health_url=f"http://127.0.0.1:{aport}/healthz",
                    log_path=logs / f"api-{n + 1}.log",
                    env={
                        **env,
                        **rasa_model.SINGLE_THREADED_MATHS,
                        **LEAN_MALLOC,
                        "API_PORT": str(aport),
                    },
                )
            )
        conf = data_dir / "nginx.conf"
        conf.write_text(
            NGINX.format(
                dir=data_dir,
                port=port,
                rasa_port=rasa_port,
                api="".join(f"server {u.removeprefix('http://')};" for u in topology.api_urls),
                rasa="".join(f"server {u.removeprefix('http://')};" for u in topology.rasa_urls),
            )
        )
        services.append(
            Service(
                name="nginx",
                command=[nginx, "-c", str(conf), "-p", str(data_dir)],
                health_url=f"{url}/nginx-health",
                log_path=logs / "nginx.log",
                env=env,
            )
        )
        replicas_supervisor = Supervisor(services, data_dir)
        stack.callback(replicas_supervisor.stop)
        replicas_supervisor.start(timeout_s=240)
        _wait(f"{url}/healthz")
        topology.services += services
        yield topology


def main() -> None:
    """`make scale`: start the topology, print where it listens, wait for Ctrl-C."""
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-scale-"))
    with scale_out(data_dir) as topology:
        typer.echo(f"Cairn scale-out is running (data and logs in {data_dir})")
        typer.echo(
            f"  through nginx:   {topology.url}/  (api replicas {', '.join(topology.api_urls)})"
        )
        typer.echo(f"  Rasa via nginx:  {topology.rasa_url}  ({', '.join(topology.rasa_urls)})")
        for service in topology.services:
            typer.echo(f"  {service.name + ' memory':<20} {service.rss_mb():6.0f} MB")
        typer.echo(
            f"  bench: RASA_URL={topology.rasa_url} uv run cairn bench chat --url {topology.url}"
        )
        typer.echo("Press Ctrl-C to stop.")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
