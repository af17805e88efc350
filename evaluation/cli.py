"""`cairn eval ...` and `cairn bench ...`: numbers, not tests."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cairn.settings import get_settings

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
