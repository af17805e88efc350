"""`cairn eval ...` and `cairn bench ...`: numbers, not tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cairn.settings import get_settings

if TYPE_CHECKING:
    from evaluation.triage import Judge

eval_app = typer.Typer(help="Quality evaluations on the labelled sets.", no_args_is_help=True)
bench_app = typer.Typer(help="Speed and memory benchmarks.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@eval_app.command("retrieval")
def eval_retrieval(
    as_json: JsonFlag = False,
    sweep: Annotated[bool, typer.Option(help="Also sweep the no-answer threshold.")] = False,
) -> None:
    """recall@1/3/5, MRR, nDCG@5 for BM25, dense and hybrid; the no-answer decision."""
    from evaluation.retrieval import evaluate, load_questions, threshold_sweep
    from knowledge.factory import open_retriever

    retriever = open_retriever(get_settings())
    questions = load_questions()
    report = evaluate(retriever, questions)
    if sweep:
        report["sweep"] = threshold_sweep(retriever, questions)
    if as_json:
        out.print(json.dumps(report))
        return
    table = Table(title=f"Retrieval on {report['questions']}")
    names = ["recall@1", "recall@3", "recall@5", "hit@1", "hit@5", "mrr", "ndcg@5"]
    table.add_column("retriever")
    for name in names:
        table.add_column(name, justify="right")
    for system in ("bm25", "dense", "hybrid"):
        scores = report[system]
        assert isinstance(scores, dict)
        table.add_row(system, *(f"{scores[n]:.3f}" for n in names))
    out.print(table)
    out.print(f"no good answer: {report['no_answer']}")
    for row in report.get("sweep", []):  # type: ignore[attr-defined]
        out.print(f"  {row}")


@eval_app.command("answers")
def eval_answers(
    split: Annotated[
        str, typer.Option("--set", help="dev (tune on it), test or test2 (frozen).")
    ] = "test",
    url: Annotated[str, typer.Option(help="The running api.")] = "",
    concurrency: Annotated[int, typer.Option(min=1, max=32)] = 4,
    as_json: JsonFlag = False,
) -> None:
    """Questions through the web contract: the fact in the reply, wrong topics, honest
    "I don't know", follow-ups in context, informal against standard wording, SMS length."""
    from evaluation.answers import SETS, evaluate

    if split not in SETS:
        raise typer.BadParameter(f"use one of {', '.join(SETS)}", param_hint="--set")
    settings = get_settings()
    report = evaluate(
        url or f"http://{settings.api_host}:{settings.api_port}", split, concurrency=concurrency
    )
    if as_json:
        out.print(json.dumps(report))
        return
    misses = report.pop("misses")
    out.print(json.dumps(report, indent=2))
    for kind, ids in misses.items():
        out.print(f"{kind} ({len(ids)}): {' '.join(ids)}")


@bench_app.command("retrieval")
def bench_retrieval(
    chunks: Annotated[
        int, typer.Option(help="Size of the generated collection (0: skip).")
    ] = 100_000,
    as_json: JsonFlag = False,
) -> None:
    """p50/p95 query latency on the real corpus and a generated collection; build throughput."""
    from evaluation.bench_retrieval import run
    from knowledge.factory import open_retriever

    retriever = open_retriever(get_settings())
    retriever.warm()
    report = run(retriever, retriever.embedder, generated=chunks)
    out.print(json.dumps(report) if as_json else json.dumps(report, indent=2))


@bench_app.command("assist")
def bench_assist(
    cases: Annotated[int, typer.Option(min=20, max=100_000)] = 500, as_json: JsonFlag = False
) -> None:
    """p50/p95 of the adviser assist panel's suggestions over synthetic live cases."""
    from evaluation.bench_assist import run
    from knowledge.factory import open_directory, open_retriever

    settings = get_settings()
    retriever = open_retriever(settings)
    retriever.warm()
    report = run(retriever, open_directory(settings), cases=cases)
    out.print(json.dumps(report) if as_json else json.dumps(report, indent=2))


@eval_app.command("services")
def eval_services(as_json: JsonFlag = False) -> None:
    """Location resolution accuracy and careers-advice coverage per council area."""
    from evaluation.services import evaluate
    from knowledge.factory import open_directory, open_resolver

    settings = get_settings()
    report = evaluate(open_resolver(settings), open_directory(settings))
    if as_json:
        out.print(json.dumps(report))
        return
    misses = report.pop("misses")
    out.print(json.dumps(report, indent=2))
    for miss in misses:  # type: ignore[attr-defined]
        out.print(f"  miss: {miss}")


@eval_app.command("nlu")
def eval_nlu(
    as_json: JsonFlag = False,
    config: Annotated[str, typer.Option(help="A Rasa config to compare.")] = "bot/config.yml",
    folds: Annotated[int, typer.Option(min=2, max=10)] = 5,
) -> None:
    """Cross-validated intent precision, recall and F1, and the confusion pairs."""
    from pathlib import Path

    from evaluation.nlu import cross_validate

    settings = get_settings()
    log = settings.data_dir / "log" / "eval-nlu.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    report = cross_validate(config=Path(config).resolve(), folds=folds, log=log)
    if as_json:
        out.print(json.dumps(report))
        return
    table = Table(title=f"Intents, {folds}-fold cross-validation ({report['config']})")
    for column in ("intent", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    for name, row in sorted(report["intents"].items()):
        table.add_row(name, *(str(row[c]) for c in ("precision", "recall", "f1", "support")))
    out.print(table)
    out.print(f"macro F1 {report['macro_f1']}, accuracy {report['accuracy']}, {report['seconds']}s")
    for pair in report["confusions"]:
        out.print(f"  {pair['intent']} -> {pair['predicted']}: {pair['count']}")


@bench_app.command("chat")
def bench_chat(
    users: Annotated[int, typer.Option(min=1, max=200)] = 20,
    seconds: Annotated[float, typer.Option(min=1, max=900)] = 30,
    mix: Annotated[str, typer.Option(help="realistic | smalltalk")] = "realistic",
    url: Annotated[str, typer.Option(help="The running api.")] = "",
    rate: Annotated[
        float, typer.Option(min=0, help="Messages per second, open loop (0: closed loop).")
    ] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Drive the running stack through the web contract and Rasa directly (the floor)."""
    from evaluation.bench_chat import run

    settings = get_settings()
    api_url = url or f"http://{settings.api_host}:{settings.api_port}"
    report = run(
        api_url=api_url,
        rasa_url=settings.rasa_url,
        users=users,
        seconds=seconds,
        mix=mix,
        rate=rate,
    )
    out.print(json.dumps(report) if as_json else json.dumps(report, indent=2))


@bench_app.command("channels")
def bench_channels(
    n: Annotated[int, typer.Option(min=100, max=100_000)] = 2000, as_json: JsonFlag = False
) -> None:
    """Each channel adapter's own cost per message (in and out), without the Rasa turn."""
    from evaluation.bench_channels import run

    report = run(n)
    out.print(json.dumps(report) if as_json else json.dumps(report, indent=2))


@bench_app.command("soak")
def bench_soak(
    rate: Annotated[float, typer.Option(min=0.1, max=200, help="SMS per second.")] = 30,
    minutes: Annotated[float, typer.Option(min=0.5, max=240)] = 10,
    fault: Annotated[str, typer.Option(help="kill-api | stop-rasa | provider-down | none")] = (
        "kill-api"
    ),
    fault_seconds: Annotated[
        float, typer.Option(min=0, help="How long the fault lasts (0: 30 s Rasa, 60 s provider).")
    ] = 0,
    recovery_seconds: Annotated[
        float, typer.Option(min=0, help="After the fault, still counted as 'during'.")
    ] = 60,
    drain_seconds: Annotated[float, typer.Option(min=0, help="Wait for late replies.")] = 120,
    keep: Annotated[bool, typer.Option(help="Keep the data directory and logs.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Start the whole stack, send SMS at a steady rate, inject one fault midway."""
    from evaluation.bench_soak import run

    settings = get_settings()
    err = Console(stderr=True, highlight=False)
    report = run(
        rate=rate, minutes=minutes, fault=fault, models_dir=settings.models,
        chroma_path=settings.chroma_path, fault_s=fault_seconds, recovery_s=recovery_seconds,
        drain_s=drain_seconds, keep=keep, say=lambda line: err.print(f"soak: {line}"),
    )  # fmt: skip
    if as_json:
        out.print(json.dumps(report))
        return
    table = Table(title=f"Soak: {rate:g} SMS/s for {minutes:g} min, fault {fault}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in report.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    out.print(table)


@eval_app.command("triage")
def eval_triage(
    split: Annotated[str, typer.Option(help="a triage split, or all")] = "all",
    as_json: JsonFlag = False,
) -> None:
    """Recall per level, false alarms, long against short, confusion and every miss, with
    `dev` (tuned on) and the frozen splits (written blind) reported apart."""
    from evaluation.triage import SPLITS, calibration, evaluate

    splits = SPLITS if split == "all" else (split,)
    if any(name not in SPLITS for name in splits):
        raise typer.BadParameter(f"split is one of {', '.join(SPLITS)} or all")
    judge = _judge()
    assert judge.model is not None and judge.embedder is not None
    report = {
        name: {
            **evaluate(judge, name),
            "calibration": calibration(judge.model, judge.embedder, name),
        }
        for name in splits
    }
    if as_json:
        out.print(json.dumps(report))
        return
    for name, figures in report.items():
        _triage_tables(name, figures)


def _triage_tables(name: str, figures: dict[str, Any]) -> None:
    table = Table(title=f"Triage on {name} ({figures['messages']} messages)")
    table.add_column("figure")
    table.add_column("rate", justify="right")
    table.add_column("of", justify="right")
    for key, value in figures.items():
        if isinstance(value, dict) and "rate" in value:
            table.add_row(key, str(value["rate"]), f"{value.get('hit', 0)}/{value['n']}")
    table.add_row("calibration", json.dumps(figures["calibration"]), "")
    out.print(table)
    confusion = Table(title=f"{name}: gold level (rows) against decision (columns)")
    confusion.add_column("gold")
    decisions = list(next(iter(figures["confusion"].values())))
    for decision in decisions:
        confusion.add_column(decision, justify="right")
    for gold, row in figures["confusion"].items():
        confusion.add_row(gold, *[str(row[d]) for d in decisions])
    out.print(confusion)
    for miss in figures["missed_crises"]:
        label = f"missed crisis ({miss['category']}, got {miss['got']})"
        out.print(f"  {label}: {miss['text'][:160]!r}")


@bench_app.command("triage")
def bench_triage(as_json: JsonFlag = False) -> None:
    """What triage adds to a turn (p50, p95), short and up to the channels' longest."""
    from evaluation.triage import bench

    judge = _judge()
    assert judge.embedder is not None
    report = bench(judge, judge.embedder)
    out.print(json.dumps(report) if as_json else json.dumps(report, indent=2))


def _judge() -> Judge:
    from escalation.risk_training import ensure_model
    from evaluation.triage import Judge
    from knowledge.factory import open_embedder

    settings = get_settings()
    embedder = open_embedder(settings)
    return Judge(ensure_model(settings.models, embedder), embedder)


@eval_app.command("redaction")
def eval_redaction(as_json: JsonFlag = False) -> None:
    """Recall of personal-data redaction by kind, on its labelled set."""
    from evaluation.insight import evaluate_redaction

    report = evaluate_redaction()
    if as_json:
        out.print(json.dumps(report))
        return
    out.print(
        f"{report['with_personal_data']} messages with personal data: recall "
        f"{report['recall']:.3f}; ordinary words kept {report['ordinary_words_kept']:.3f}"
    )
    for kind, recall in report["recall_by_kind"].items():
        out.print(f"  {kind:18} {recall:.3f}")
    for text in report["missed"]:
        out.print(f"  missed: {text}")


@bench_app.command("insight")
def bench_insight(
    events: Annotated[int, typer.Option(help="Events in the dashboard's database.")] = 100_000,
    as_json: JsonFlag = False,
) -> None:
    """What recording an insight event adds to a turn; relay and dashboard speed."""
    from evaluation.insight import bench
    from insight.themes import ThemeMapper
    from knowledge.factory import open_embedder

    report = bench(events=events, theme=ThemeMapper(open_embedder(get_settings())).theme)
    if as_json:
        out.print(json.dumps(report))
        return
    for key, value in report.items():
        out.print(f"{key}: {value}")
