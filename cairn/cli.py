"""The `cairn` command line."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, TaskID

from cairn.settings import ROOT, Settings, get_settings
from evaluation.cli import bench_app, eval_app
from followup.cli import followup_app
from insight.cli import insight_app

app = typer.Typer(
    help="Cairn: careers guidance for young people in Scotland.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
bot_app = typer.Typer(help="The Rasa model.", no_args_is_help=True)
knowledge_app = typer.Typer(help="The vetted knowledge corpus and its index.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(bot_app, name="bot")
app.add_typer(knowledge_app, name="knowledge")
risk_app = typer.Typer(help="Triage's risk model.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")
services_app = typer.Typer(help="The local services directory.", no_args_is_help=True)
app.add_typer(services_app, name="services")
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")
app.add_typer(insight_app, name="insight")
app.add_typer(followup_app, name="followup")
console = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)


@contextmanager
def step(name: str, timings: dict[str, float]) -> Iterator[None]:
    """Time one step and report it."""
    console.print(f"[bold]→ {name}[/bold]")
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    console.print(f"  done in {timings[name]:.1f}s")


# --- database ---------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the main and insight databases to the newest revision."""
    _db_upgrade(get_settings())
    console.print("databases are up to date")


def _db_upgrade(settings: Settings) -> None:
    from cairn.migrations import upgrade

    upgrade("main", settings.database_url)
    upgrade("insight", settings.insight_database_url)


# --- bot ---------------------------------------------------------------------------------------


@bot_app.command("train")
def bot_train(
    force: Annotated[bool, typer.Option(help="Train even if nothing changed.")] = False,
) -> None:
    """Train the Rasa model if its inputs changed."""
    _train(get_settings(), force=force)


def _train(settings: Settings, *, force: bool = False) -> None:
    from cairn import rasa_model

    models = settings.models
    if not force and rasa_model.is_current(models):
        console.print("  model is current (bot/ unchanged): not retraining")
        return
    log = settings.data_dir / "log" / "rasa-train.log"
    console.print(f"  training; output in {log}")
    rasa_model.train(models, log_file=log)


# --- risk model --------------------------------------------------------------------------------


@risk_app.command("train")
def risk_train(
    force: Annotated[bool, typer.Option(help="Train even if nothing changed.")] = False,
) -> None:
    """Train triage's risk model if its data or code changed (escalation/data/triage/)."""
    from escalation.risk_stamp import is_current

    settings = get_settings()
    if not force and is_current(settings.models):
        console.print("  risk model is current (data and code unchanged): not retraining")
        return
    from escalation.risk_training import ensure_model
    from knowledge.factory import open_embedder

    started = time.perf_counter()
    ensure_model(settings.models, open_embedder(settings, threads=2), force=True)
    console.print(f"  risk model trained in {time.perf_counter() - started:.0f}s")


# --- knowledge ---------------------------------------------------------------------------------


@knowledge_app.command("check")
def knowledge_check() -> None:
    """List every problem in the articles, with file and field; exit 1 if any."""
    from knowledge.schema import load_corpus

    settings = get_settings()
    servable, problems = load_corpus(settings.knowledge_dir, date.today())
    for problem in problems:
        out.print(str(problem))
    console.print(f"{len(servable)} servable articles, {len(problems)} problems")
    raise typer.Exit(1 if problems else 0)


@knowledge_app.command("index")
def knowledge_index(
    rebuild: Annotated[bool, typer.Option(help="Drop the index and embed everything.")] = False,
) -> None:
    """Bring the index in line with the servable articles (only changes are embedded)."""
    _index(get_settings(), rebuild=rebuild)


def _tick(progress: Progress, task: TaskID, done: int, total: int) -> None:
    progress.update(task, completed=done, total=total)


def _index(settings: Settings, *, rebuild: bool = False) -> None:
    from knowledge.factory import open_embedder, open_store
    from knowledge.ingest import LAYERS, build_index
    from knowledge.schema import load_corpus

    articles, problems = load_corpus(settings.knowledge_dir, date.today())
    for problem in problems:
        console.print(f"  [yellow]refused[/yellow] {problem}")
    embedder = open_embedder(settings, threads=2)
    for layer in LAYERS:
        store = open_store(settings, layer)
        if rebuild:
            store.reset()
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"embedding {layer.name}", total=None)
            report = build_index(
                articles=articles,
                store=store,
                embedder=embedder,
                refused=len({p.path for p in problems}),
                progress=partial(_tick, progress, task),
                layer=layer,
            )
        console.print(
            f"  {layer.name}: {report.chunks_embedded} chunks embedded, {store.count()} held "
            f"(articles added {len(report.added)}, updated {len(report.updated)}, "
            f"removed {len(report.removed)}, unchanged {report.unchanged}, "
            f"refused {report.refused})"
        )


@app.command()
def search(
    query: str,
    k: Annotated[int, typer.Option(min=1, max=20)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Search the knowledge index."""
    from knowledge.api import search_payload
    from knowledge.factory import open_retriever

    result = open_retriever(get_settings()).search(query, k)
    if as_json:
        out.print(search_payload(result).model_dump_json())
        return
    for p in result.passages:
        out.print(f"{p.score:.4f}  sim {p.similarity:.2f}  {p.doc_id}  {p.title} / {p.section}")
    out.print("confident" if result.confident else "no good answer")


# --- services ----------------------------------------------------------------------------------


@services_app.command("check")
def services_check() -> None:
    """List every broken service record, and areas short of careers advice; exit 1 if any."""
    from knowledge.directory import Directory, load_directory
    from knowledge.location import COUNCILS

    settings = get_settings()
    services, problems = load_directory(settings.services_dir, date.today())
    for problem in problems:
        out.print(str(problem))
    directory = Directory(services)
    short = [
        area
        for area in COUNCILS
        if len(directory.find(council_area=area, need="careers-advice", limit=50)) < 4
    ]
    for area in short:
        out.print(f"{area}: fewer than 4 careers advice services")
    console.print(
        f"{len(services)} valid records, {len(problems)} problems, {len(short)} short areas"
    )
    raise typer.Exit(1 if problems or short else 0)


@services_app.command("find")
def services_find(
    near: Annotated[str, typer.Option(help="A postcode, town or council area.")],
    need: Annotated[str | None, typer.Option(help="A category or a few words.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=20)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Find services near a place, as GET /api/services does."""
    from knowledge.api import find_services
    from knowledge.factory import open_directory, open_resolver

    settings = get_settings()
    result = find_services(
        open_resolver(settings), open_directory(settings), near=near, need=need, limit=limit
    )
    if as_json:
        out.print(result.model_dump_json())
        return
    out.print(f"{result.status}: {result.council_area or '-'} {result.message}")
    for service in result.services:
        out.print(f"- {service.name}: {service.phone or ''} {service.url}")


# --- telegram and the outbox ------------------------------------------------------------------

telegram_app = typer.Typer(help="The Telegram channel.", no_args_is_help=True)
app.add_typer(telegram_app, name="telegram")


@telegram_app.command("set-webhook")
def telegram_set_webhook() -> None:
    """Register PUBLIC_BASE_URL/channels/telegram/webhook with the secret token."""
    import asyncio

    from channels.telegram.client import make_bot

    settings = get_settings()
    if not settings.telegram_enabled:
        raise typer.BadParameter("TELEGRAM_BOT_TOKEN is not set")
    bot = make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url)
    url = settings.public_base_url.rstrip("/") + "/channels/telegram/webhook"
    ok = asyncio.run(
        bot.set_webhook(
            url=url,
            secret_token=settings.telegram_webhook_secret.get_secret_value(),
            allowed_updates=["message", "callback_query"],
        )
    )
    out.print(f"webhook {'set' if ok else 'NOT set'}: {url}")


@telegram_app.command("poll")
def telegram_poll(
    api: Annotated[str, typer.Option(help="The local api to forward updates to.")] = "",
    once: Annotated[bool, typer.Option(help="Forward one batch, then stop.")] = False,
) -> None:
    """Local development without a public URL: long-poll getUpdates, forward to the webhook."""
    import asyncio

    import httpx

    from channels.telegram.client import make_bot

    settings = get_settings()
    if not settings.telegram_enabled:
        raise typer.BadParameter("TELEGRAM_BOT_TOKEN is not set")
    bot = make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url)
    target = (
        api or f"http://{settings.api_host}:{settings.api_port}"
    ) + "/channels/telegram/webhook"
    headers = {
        "X-Telegram-Bot-Api-Secret-Token": settings.telegram_webhook_secret.get_secret_value()
    }

    async def forward() -> None:
        await bot.delete_webhook()  # getUpdates and a webhook cannot be used together
        offset = None
        async with httpx.AsyncClient(timeout=30) as client:
            while True:
                updates = await bot.get_updates(offset=offset, timeout=0 if once else 25)
                for update in updates:
                    response = await client.post(target, json=update.to_dict(), headers=headers)
                    out.print(f"update {update.update_id}: {response.status_code}")
                    offset = update.update_id + 1
                if once:
                    return

    asyncio.run(forward())


@app.command()
def outbox(
    retry_dead: Annotated[bool, typer.Option(help="Queue dead-lettered messages again.")] = False,
) -> None:
    """Show queued, sent and dead-lettered replies (no numbers, no text)."""
    from sqlalchemy import func, select, update

    from cairn.db import Database
    from channels.models import OutboxMessage

    db = Database(get_settings().database_url)
    with db.session() as session:
        if retry_dead:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "dead")
                .values(status="pending", attempts=0)
            )
        counts = session.execute(
            select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
                OutboxMessage.channel, OutboxMessage.status
            )
        ).all()
        dead = session.execute(
            select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.last_error).where(
                OutboxMessage.status == "dead"
            )
        ).all()
    for channel, status, count in counts:
        out.print(f"{channel:<10} {status:<11} {count}")
    for row_id, channel, error in dead:
        out.print(f"dead #{row_id} ({channel}): {error}")


@app.command("purge")
def purge_command(
    days: Annotated[int | None, typer.Option(help="Override RETENTION_DAYS.")] = None,
) -> None:
    """Delete conversations past the retention period (transcripts, cases, Rasa trackers)."""
    from datetime import UTC, datetime

    from cairn.db import Database, make_engine
    from channels.retention import purge

    settings = get_settings()
    with Database(settings.database_url).session() as session:
        deleted = purge(
            session=session,
            tracker_engine=make_engine(settings.rasa_tracker_db_url),
            now=datetime.now(UTC),
            retention_days=days if days is not None else settings.retention_days,
        )
    out.print(f"deleted {deleted} conversations older than the retention period")


# --- people --------------------------------------------------------------------------------------

users_app = typer.Typer(help="Console accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="adviser | supervisor | analyst")],
) -> None:
    """Create an account; the password is read from standard input."""
    from cairn.db import Database
    from escalation.auth import add_user

    password = sys.stdin.readline().rstrip("\n")
    try:
        with Database(get_settings().database_url).session() as session:
            add_user(session=session, email=email, password=password, role=role)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    out.print(f"added {email} as {role}")


# --- triage ------------------------------------------------------------------------------------


@app.command()
def triage(
    text: Annotated[str | None, typer.Argument()] = None,
    batch: Annotated[Path | None, typer.Option(help="JSON lines with a 'text' field.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Triage a message (or a file of them): crisis, concern, needs_person or none, with reasons."""
    from escalation.risk_training import ensure_model
    from escalation.triage import triage as decide
    from knowledge.factory import open_embedder
    from knowledge.text import plain

    settings = get_settings()
    embedder = open_embedder(settings)
    model = ensure_model(settings.models, embedder)

    def run_triage(message: str) -> Any:
        return decide(message, model, embedder.embed_one(plain(message)))

    if batch is not None:
        with batch.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    result = run_triage(str(item["text"])).as_dict()
                except (ValueError, KeyError, TypeError) as exc:
                    result = {"error": f"line {number}: {exc}"}
                out.print(json.dumps(result))
        return
    if text is None:
        raise typer.BadParameter("give a text or --batch FILE")
    decision = run_triage(text)
    if as_json:
        out.print(json.dumps(decision.as_dict()))
    else:
        out.print(f"{decision.level.value}  {', '.join(decision.reasons)}")


# --- serving -----------------------------------------------------------------------------------


@app.command()
def serve() -> None:
    """Run the api in this process (what `cairn run` starts; one replica in a deployment)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run("cairn.asgi:app", host=settings.api_host, port=settings.api_port, log_level="info")


@app.command()
def run() -> None:
    """Set up what changed, start Rasa and the api, wait for health, stop all on Ctrl-C."""
    from cairn import rasa_model
    from cairn.supervisor import LEAN_MALLOC, Service, StackFailed, Supervisor

    _ensure_secret()
    get_settings.cache_clear()
    settings = get_settings()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with step("database migrations", timings):
        _db_upgrade(settings)
    with step("rasa model", timings):
        _train(settings)
    with step("knowledge index", timings):
        # A child process, so the supervisor does not keep the embedder's memory.
        subprocess.run([sys.executable, "-m", "cairn.cli", "knowledge", "index"], check=True)
    with step("risk model", timings):
        from escalation.risk_stamp import is_current

        if is_current(settings.models):  # checked here: a child process costs seconds
            console.print("  risk model is current (data and code unchanged): not retraining")
        else:
            subprocess.run([sys.executable, "-m", "cairn.cli", "risk", "train"], check=True)

    logs = settings.data_dir / "log"
    api_url = f"http://{settings.api_host}:{settings.api_port}"
    rasa_host, rasa_port = _host_port(settings.rasa_url)
    services = [
        Service(
            name="rasa",
            command=rasa_model.server_command(
                settings.models, "endpoints.yml", rasa_host, rasa_port
            ),
            health_url=f"{settings.rasa_url}/webhooks/cairn/",
            log_path=logs / "rasa.log",
            env=rasa_model.rasa_env(
                {
                    "ACTION_ENDPOINT_URL": f"{api_url}/actions/webhook",
                    "ACTION_TOKEN": settings.action_secret(),
                    "RASA_TRACKER_DB_URL": settings.rasa_tracker_db_url,
                }
            ),
        ),
        Service(
            name="api",
            command=[sys.executable, "-m", "cairn.cli", "serve"],
            health_url=f"{api_url}/healthz",
            log_path=logs / "api.log",
            env={**os.environ, **LEAN_MALLOC},
        ),
    ]
    supervisor = Supervisor(services, ROOT)
    stop = _on_signals(supervisor)
    try:
        with step("start rasa and api", timings):
            for service in services:
                console.print(f"  {service.name}: output in {service.log_path}")
            supervisor.start()
    except StackFailed as exc:
        console.print(f"[red]{exc}[/red]")
        supervisor.stop()
        raise typer.Exit(1) from exc
    total = time.perf_counter() - started
    console.print(f"\n[green]Cairn is running[/green] (ready in {total:.1f}s)")
    for name, seconds in timings.items():
        console.print(f"  {name:<26} {seconds:6.1f}s")
    for service in services:
        console.print(f"  {service.name + ' memory':<26} {service.rss_mb():6.0f} MB")
    out.print(f"  Web chat:        {api_url}/")
    out.print(f"  Web API:         {api_url}/api/web/messages")
    out.print(f"  Health:          {api_url}/healthz")
    out.print(f"  API docs:        {api_url}/docs")
    out.print(f"  Rasa (REST):     {settings.rasa_url}/webhooks/rest/webhook")
    out.print("Press Ctrl-C to stop.")
    name = supervisor.watch()
    if not stop():
        console.print(f"[red]{name} stopped unexpectedly; stopping everything[/red]")
        supervisor.stop()
        raise typer.Exit(1)


def _on_signals(supervisor: Any) -> Callable[[], bool]:
    stopping = {"yes": False}

    def handler(_signum: int, _frame: Any) -> None:
        stopping["yes"] = True
        console.print("\nstopping…")
        supervisor.stop()
        console.print("all processes stopped")
        raise SystemExit(0)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return lambda: stopping["yes"]


def _host_port(url: str) -> tuple[str, int]:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 80


def _ensure_secret() -> None:
    """Give a fresh checkout its own SECRET_KEY in .env (never committed)."""
    if get_settings().secret_key.get_secret_value():
        return
    env_file = ROOT / ".env"
    with env_file.open("a") as handle:
        handle.write(f"SECRET_KEY={secrets.token_urlsafe(48)}\n")
    env_file.chmod(0o600)
    console.print(f"  created a new SECRET_KEY in {env_file}")


if __name__ == "__main__":
    app()
