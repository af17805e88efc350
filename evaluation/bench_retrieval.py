"""Retrieval speed: the real corpus and a generated 100,000-chunk collection.

The generated chunks mix real corpus sentences, and their vectors are noisy means of the real
sentence embeddings, so the collection is as clustered as real text (random vectors would be
an unfairly hard case for HNSW) without embedding 100,000 passages for every run.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.retrieval import load_questions
from knowledge.embedding import Embedder, Vectors
from knowledge.ingest import searchable_text
from knowledge.retrieval import Retriever
from knowledge.store import Chunk, VectorStore

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def rss_mb() -> float:
    """Resident memory of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50 and p95 of a list of milliseconds."""
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
    }


def time_queries(run: Callable[[str], object], queries: list[str], repeat: int = 2) -> list[float]:
    """Milliseconds per query, after one warm-up pass."""
    for query in queries[:20]:
        run(query)
    samples = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            run(query)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_corpus(retriever: Retriever, queries: list[str]) -> dict[str, Any]:
    """Latency of each stage and of the whole hybrid search on the real index."""
    corrected = [retriever.correct(q) for q in queries]
    return {
        "chunks": retriever.size,
        "hybrid": percentiles(time_queries(lambda q: retriever.search(q, 5), queries)),
        "correct": percentiles(time_queries(retriever.correct, queries)),
        "dense": percentiles(time_queries(lambda q: retriever.dense(q, 30), corrected)),
        "bm25": percentiles(time_queries(lambda q: retriever.lexical(q, 30), corrected)),
    }


def embedding_throughput(embedder: Embedder, texts: list[str]) -> float:
    """Passages embedded per second (the cost of indexing real content)."""
    started = time.perf_counter()
    embedder.embed(texts)
    return round(len(texts) / (time.perf_counter() - started), 1)


def generate(
    source: Retriever, embedder: Embedder, count: int, seed: int = 7
) -> tuple[list[Chunk], Vectors]:
    """`count` synthetic chunks built from the real corpus's sentences and their embeddings."""
    rng = random.Random(seed)
    chunks = list(source.chunks())
    sentences = sorted({s for c in chunks for s in _SENTENCE.split(c.text) if len(s) > 20})
    sentence_vectors = embedder.embed(sentences)
    noise = np.random.default_rng(seed)
    made: list[Chunk] = []
    vectors = np.empty((count, sentence_vectors.shape[1]), dtype=np.float32)
    for i in range(count):
        template = chunks[rng.randrange(len(chunks))]
        picks = rng.sample(range(len(sentences)), rng.randint(2, 4))
        mean = sentence_vectors[picks].mean(axis=0) + noise.normal(0, 0.02, vectors.shape[1])
        vectors[i] = mean / np.linalg.norm(mean)
        metadata = {**template.metadata, "article_id": f"gen-{i // 4}"}
        made.append(
            Chunk(f"gen-{i // 4}::{i % 4}", " ".join(sentences[p] for p in picks), metadata)
        )
    return made, vectors


def bench_generated(
    source: Retriever, embedder: Embedder, queries: list[str], count: int
) -> dict[str, Any]:
    """Build a `count`-chunk Chroma collection; time inserts, queries and dense recall."""
    chunks, vectors = generate(source, embedder, count)
    with tempfile.TemporaryDirectory(prefix="cairn-bench-") as directory:
        store = VectorStore.open(path=directory, url="", name="bench-generated")
        started = time.perf_counter()
        for start in range(0, count, 5000):
            store.add(chunks[start : start + 5000], vectors[start : start + 5000])
        insert_s = time.perf_counter() - started
        started = time.perf_counter()
        retriever = Retriever(store=store, embedder=embedder, min_score=source.min_score)
        load_s = time.perf_counter() - started
        hybrid = percentiles(time_queries(lambda q: retriever.search(q, 5), queries))
        recall = dense_recall(store, chunks, vectors, embedder, queries[:200])
        return {
            "chunks": count,
            "insert_per_s": round(count / insert_s, 1),
            "load_s": round(load_s, 2),
            "hybrid": hybrid,
            "dense_recall@10_vs_exact": recall,
            "rss_mb": round(rss_mb(), 1),
        }


def dense_recall(
    store: VectorStore,
    chunks: list[Chunk],
    vectors: Vectors,
    embedder: Embedder,
    queries: list[str],
) -> float:
    """Share of the exact top-10 (brute force) that the HNSW index returns."""
    query_vectors = embedder.embed(queries)
    exact = np.argsort(-(query_vectors @ vectors.T), axis=1)[:, :10]
    hits = 0
    for row, vector in enumerate(query_vectors):
        got = {chunk_id for chunk_id, _ in store.query(vector, 10)}
        hits += sum(chunks[i].id in got for i in exact[row])
    return round(hits / (10 * len(queries)), 4)


def run(retriever: Retriever, embedder: Embedder, *, generated: int) -> dict[str, Any]:
    """The whole benchmark."""
    queries = [q.text for q in load_questions()]
    texts = [searchable_text(c) for c in list(retriever.chunks())[:256]]
    report: dict[str, Any] = {
        "corpus": bench_corpus(retriever, queries),
        "embed_passages_per_s": embedding_throughput(embedder, texts),
    }
    if generated:
        report["generated"] = bench_generated(retriever, embedder, queries, generated)
    report["rss_mb"] = round(rss_mb(), 1)
    return report
