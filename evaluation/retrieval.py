"""Retrieval quality: BM25 alone, dense alone and hybrid, on young people's own questions."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.retrieval import Retriever

DATASETS = Path(__file__).resolve().parent / "datasets"
KS = (1, 3, 5)


@dataclass(frozen=True)
class Question:
    """One labelled question: the article ids that answer it (none if unanswerable)."""

    text: str
    relevant: tuple[str, ...]


def load_questions(directory: Path = DATASETS) -> list[Question]:
    """Every question in `retrieval_*.jsonl`."""
    questions = []
    for path in sorted(directory.glob("retrieval_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                questions.append(Question(row["question"], tuple(row["relevant"])))
    return questions


def article_ranking(chunk_ranking: list[tuple[str, float]], depth: int = 10) -> list[str]:
    """Collapse a chunk ranking into article ids, first occurrence wins."""
    seen: list[str] = []
    for chunk_id, _ in chunk_ranking:
        article = chunk_id.split("::", 1)[0]
        if article not in seen:
            seen.append(article)
        if len(seen) == depth:
            break
    return seen


def metrics(rankings: list[list[str]], relevant: list[tuple[str, ...]]) -> dict[str, float]:
    """recall@k (share of relevant articles found), hit@k, MRR and nDCG@5, averaged."""
    totals: dict[str, float] = {}
    for ranking, rel in zip(rankings, relevant, strict=True):
        found = [i for i, doc in enumerate(ranking) if doc in rel]
        for k in KS:
            top = set(ranking[:k])
            totals[f"recall@{k}"] = totals.get(f"recall@{k}", 0) + len(top & set(rel)) / len(rel)
            totals[f"hit@{k}"] = totals.get(f"hit@{k}", 0) + (1 if top & set(rel) else 0)
        totals["mrr"] = totals.get("mrr", 0) + (1 / (found[0] + 1) if found else 0)
        dcg = sum(1 / math.log2(i + 2) for i in found if i < 5)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(len(rel), 5)))
        totals["ndcg@5"] = totals.get("ndcg@5", 0) + dcg / ideal
    return {name: round(value / len(rankings), 4) for name, value in totals.items()}


def evaluate(retriever: Retriever, questions: list[Question]) -> dict[str, object]:
    """Score the three retrievers and the honest 'no good answer' decision."""
    answerable = [q for q in questions if q.relevant]
    unanswerable = [q for q in questions if not q.relevant]
    systems: dict[str, Callable[[str], list[str]]] = {
        "bm25": lambda q: article_ranking(retriever.lexical(retriever.correct(q), 60)),
        "dense": lambda q: article_ranking(retriever.dense(retriever.correct(q), 60)),
        "hybrid": lambda q: [p.doc_id for p in retriever.search(q, 10, per_article=1).passages],
    }
    report: dict[str, object] = {}
    for name, rank in systems.items():
        rankings = [rank(q.text) for q in answerable]
        report[name] = metrics(rankings, [q.relevant for q in answerable])
    refused_answerable = sum(not retriever.search(q.text).confident for q in answerable)
    refused_unanswerable = sum(not retriever.search(q.text).confident for q in unanswerable)
    flagged = refused_answerable + refused_unanswerable
    report["no_answer"] = {
        "unanswerable_questions": len(unanswerable),
        "unanswerable_caught": round(refused_unanswerable / max(len(unanswerable), 1), 4),
        "precision": round(refused_unanswerable / flagged, 4) if flagged else 1.0,
        "answerable_refused": round(refused_answerable / max(len(answerable), 1), 4),
        "threshold": retriever.min_score,
    }
    report["questions"] = {"answerable": len(answerable), "unanswerable": len(unanswerable)}
    return report


def threshold_sweep(retriever: Retriever, questions: list[Question]) -> list[dict[str, float]]:
    """How the no-answer decision trades off as the similarity threshold moves."""
    best = [(bool(q.relevant), retriever.search(q.text).best_similarity) for q in questions]
    rows = []
    for step in range(25, 56, 3):
        threshold = step / 100
        caught = sum(1 for ok, s in best if not ok and s < threshold)
        refused = sum(1 for ok, s in best if ok and s < threshold)
        unanswerable = sum(1 for ok, _ in best if not ok) or 1
        answerable = sum(1 for ok, _ in best if ok) or 1
        rows.append(
            {
                "threshold": threshold,
                "unanswerable_caught": round(caught / unanswerable, 3),
                "answerable_refused": round(refused / answerable, 3),
            }
        )
    return rows
