"""Hybrid retrieval: BM25 and dense search fused by reciprocal rank."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import fuzz, process

from knowledge.embedding import Embedder, Vectors
from knowledge.ingest import searchable_text
from knowledge.nearest import InMemoryLayer
from knowledge.store import Chunk, VectorStore
from knowledge.text import normalise_query, plain

RRF_K = 60
_WORDS = re.compile(r"[a-z]+")
_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk, ready to cite."""

    doc_id: str
    chunk_id: str
    title: str
    section: str
    text: str
    score: float
    similarity: float
    source_url: str
    source_org: str
    last_reviewed: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class QuickMatch:
    """A vetted quick answer, and how close the question came to one way of asking it."""

    doc_id: str
    number: int
    answer: str
    ask: str
    similarity: float
    title: str
    source_url: str
    last_reviewed: str
    topics: tuple[str, ...]

    @property
    def key(self) -> str:
        """Its id in a conversation's slots: article and number, never the text."""
        return f"{self.doc_id}#{self.number}"


@dataclass(frozen=True)
class SearchResult:
    """Passages best first, and whether the best one is good enough to answer from.

    `quick`: the closest quick answers (one per answer, best first); `vector`: the query's
    embedding, which the composer reuses to pick sentences by meaning.
    """

    query: str
    passages: list[Passage]
    confident: bool
    best_similarity: float
    quick: tuple[QuickMatch, ...] = ()
    vector: Vectors | None = None


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-case, drop stop words, stem: the BM25 vocabulary."""
    tokens = bm25s.tokenize(
        texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )
    return [list(t) for t in tokens]


class Retriever:
    """Loads the index once per process and answers queries from memory."""

    def __init__(
        self,
        *,
        store: VectorStore,
        embedder: Embedder,
        min_score: float,
        today: Callable[[], date] = date.today,
        quick: VectorStore | None = None,
        sentences: VectorStore | None = None,
    ) -> None:
        self._store = store
        self._quick_store = quick
        self._sentence_store = sentences
        self.embedder = embedder
        self.min_score = min_score
        self._today = today
        self._lock = threading.Lock()
        self._chunks: dict[str, Chunk] = {}
        self._order: list[str] = []
        self._bm25: bm25s.BM25 | None = None
        self._vocabulary: frozenset[str] = frozenset()
        self._respellings: tuple[str, ...] = ()  # the vocabulary in a fixed order, so ties agree
        self._quick = InMemoryLayer.empty(group_by="article_id")
        self._sentences = InMemoryLayer.empty(group_by="passage")
        self._by_article: dict[str, list[str]] = {}
        self.reload()

    def reload(self) -> None:
        """Read every chunk from the store and rebuild the BM25 index."""
        chunks = list(self._store.all_chunks())
        bm25 = None
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index(tokenize([searchable_text(c) for c in chunks]), show_progress=False)
        vocabulary = frozenset(
            w for c in chunks for w in _WORDS.findall(searchable_text(c).lower()) if len(w) > 2
        )
        by_article: dict[str, list[str]] = {}
        for chunk in chunks:
            by_article.setdefault(str(chunk.metadata["article_id"]), []).append(chunk.id)
        quick = InMemoryLayer.load(self._quick_store, group_by="article_id")
        sentence_layer = InMemoryLayer.load(self._sentence_store, group_by="passage")
        with self._lock:
            self._chunks = {c.id: c for c in chunks}
            self._order = [c.id for c in chunks]
            self._bm25 = bm25
            self._vocabulary = vocabulary
            self._respellings = tuple(sorted(vocabulary))
            self._quick = quick
            self._sentences = sentence_layer
            self._by_article = by_article

    @property
    def size(self) -> int:
        """Number of chunks loaded."""
        return len(self._order)

    def chunks(self) -> Iterator[Chunk]:
        """Every loaded chunk, in index order."""
        return (self._chunks[i] for i in self._order)

    def warm(self) -> None:
        """Load the embedding model now rather than on the first question."""
        self.embedder.embed_one("warm up")

    def correct(self, query: str) -> str:
        """Normalise the query and respell words the corpus never uses ("aprentices")."""
        words = normalise_query(query).split()
        for i, word in enumerate(words):
            if len(word) < 5 or not word.isalpha() or word in self._vocabulary:
                continue
            match = process.extractOne(word, self._respellings, scorer=fuzz.ratio, score_cutoff=80)
            if match is not None:
                words[i] = match[0]
        return " ".join(words)

    def lexical(self, query: str, k: int) -> list[tuple[str, float]]:
        """BM25 ranking of an already corrected query: (chunk id, score), best first."""
        if self._bm25 is None:
            return []
        tokens = tokenize([query])
        if not tokens[0]:
            return []
        k = min(k, len(self._order))
        docs, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [
            (self._order[int(i)], float(s))
            for i, s in zip(docs[0], scores[0], strict=True)
            if s > 0
        ]

    def dense(self, query: str, k: int) -> list[tuple[str, float]]:
        """Vector ranking of an already corrected query: (chunk id, similarity), best first."""
        if not self._order:
            return []
        vector = self.embedder.embed_one(plain(query))
        return self._store.query(vector, min(k, len(self._order)))

    def quick_answers(
        self,
        vector: Vectors,
        *,
        article: str | None = None,
        audience: str | None = None,
        region: str | None = None,
        k: int = 3,
    ) -> tuple[QuickMatch, ...]:
        """The quick answers closest to `vector` (of one article, if given), best first."""
        layer = self._quick
        rows = layer.rows(article) if article else None
        today = self._today().isoformat()
        scores = layer.similarities(vector, rows)
        best: dict[tuple[str, int], QuickMatch] = {}
        for index in np.argsort(-scores):
            chunk = layer.chunks[int(index) if rows is None else rows[int(index)]]
            key = (str(chunk.metadata["article_id"]), int(chunk.metadata.get("quick", 0)))
            if key in best or not _allowed(chunk, today=today, audience=audience, region=region):
                continue
            best[key] = _quick(chunk, float(scores[index]))
            if len(best) == k:
                break
        return tuple(best.values())

    def quick_answer(self, key: str) -> QuickMatch | None:
        """A quick answer by its slot key ("ema#0"), as first written."""
        doc_id, _, number = key.partition("#")
        for row in self._quick.rows(doc_id):
            chunk = self._quick.chunks[row]
            if str(chunk.metadata.get("quick")) == number:
                return _quick(chunk, 1.0)
        return None

    def quick_vector(self, key: str) -> Vectors | None:
        """The embedding of a quick answer's first way of asking."""
        doc_id, _, number = key.partition("#")
        for row in self._quick.rows(doc_id):
            if str(self._quick.chunks[row].metadata.get("quick")) == number:
                vector: Vectors = self._quick.matrix[row]
                return vector
        return None

    def sentences_of(self, chunk_id: str, vector: Vectors) -> list[tuple[str, float]]:
        """A passage's sentences in order, each with its similarity to `vector`."""
        rows = sorted(
            self._sentences.rows(chunk_id),
            key=lambda r: int(self._sentences.chunks[r].id.rpartition("#")[2]),
        )
        sims = self._sentences.similarities(vector, rows)
        return [(self._sentences.chunks[r].text, float(s)) for r, s in zip(rows, sims, strict=True)]

    def article_passages(self, doc_id: str) -> list[Passage]:
        """Every passage of one article, in order (for "tell me more")."""
        return [
            _passage(c, 0.0, None) for c in self.chunks() if c.metadata.get("article_id") == doc_id
        ]

    def title_of(self, doc_id: str) -> str | None:
        """An indexed article's title."""
        for chunk in self.chunks():
            if chunk.metadata.get("article_id") == doc_id:
                return str(chunk.metadata["title"])
        return None

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        audience: str | None = None,
        region: str | None = None,
        per_article: int = 2,
        vector: Vectors | None = None,
    ) -> SearchResult:
        """Fuse both rankings, filter, keep at most `per_article` chunks per article.

        `vector`, the embedding of `plain(query)` already computed for this turn, is used when
        no word needed respelling (the corrected query is then the same text).
        """
        pool = max(k * 6, 30)
        corrected = self.correct(query)
        if vector is None or plain(corrected) != plain(query):
            vector = self.embedder.embed_one(plain(corrected))
        dense = self._store.query(vector, min(pool, len(self._order))) if self._order else []
        lexical = self.lexical(corrected, pool)
        similarity = dict(dense)
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (chunk_id, _) in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        today = self._today().isoformat()
        passages: list[Passage] = []
        per_doc: dict[str, int] = {}
        for chunk_id in sorted(fused, key=fused.__getitem__, reverse=True):
            chunk = self._chunks.get(chunk_id)
            if chunk is None or not _allowed(chunk, today=today, audience=audience, region=region):
                continue
            doc_id = str(chunk.metadata["article_id"])
            if per_doc.get(doc_id, 0) >= per_article:
                continue
            per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
            passages.append(_passage(chunk, fused[chunk_id], similarity.get(chunk_id)))
            if len(passages) >= k:
                break
        best = max((p.similarity for p in passages[:3]), default=0.0)
        return SearchResult(
            query=query,
            passages=passages,
            confident=best >= self.min_score,
            best_similarity=best,
            quick=self.quick_answers(vector, audience=audience, region=region),
            vector=vector,
        )


def _allowed(chunk: Chunk, *, today: str, audience: str | None, region: str | None) -> bool:
    meta = chunk.metadata
    if str(meta.get("review_due", "")) < today:
        return False
    if audience and audience not in str(meta.get("audience", "")).split(","):
        return False
    return not (region and meta.get("region") not in ("scotland", "uk", region))


def _passage(chunk: Chunk, score: float, similarity: float | None) -> Passage:
    meta = chunk.metadata
    return Passage(
        doc_id=str(meta["article_id"]),
        chunk_id=chunk.id,
        title=str(meta["title"]),
        section=str(meta.get("section", "")),
        text=chunk.text,
        score=round(score, 6),
        similarity=round(similarity, 4) if similarity is not None else 0.0,
        source_url=str(meta["source_url"]),
        source_org=str(meta.get("source_org", "")),
        last_reviewed=str(meta["last_reviewed"]),
        topics=tuple(str(meta.get("topics", "")).split(",")),
    )


def _quick(chunk: Chunk, similarity: float) -> QuickMatch:
    meta = chunk.metadata
    return QuickMatch(
        doc_id=str(meta["article_id"]),
        number=int(meta.get("quick", 0)),
        answer=chunk.text,
        ask=str(meta.get("ask", "")),
        similarity=round(similarity, 4),
        title=str(meta["title"]),
        source_url=str(meta["source_url"]),
        last_reviewed=str(meta["last_reviewed"]),
        topics=tuple(str(meta.get("topics", "")).split(",")),
    )
