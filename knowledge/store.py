"""The vector store: the only module that imports chromadb."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.collection_configuration import CreateHNSWConfiguration
from chromadb.api.models.Collection import Collection
from chromadb.api.types import GetResult

from knowledge.embedding import DIMENSIONS, Vectors

COLLECTION = "cairn-knowledge"
# Chroma's defaults (ef_search 10) gave recall@10 of 0.12 at 100k vectors here; these are set
# at creation because HNSW parameters cannot be raised afterwards.
HNSW: CreateHNSWConfiguration = {
    "space": "cosine",
    "ef_construction": 200,
    "ef_search": 128,
    "max_neighbors": 32,
}


@dataclass(frozen=True)
class Chunk:
    """One indexed passage with its metadata."""

    id: str
    text: str
    metadata: dict[str, Any]


class VectorStore:
    """A Chroma collection holding servable chunks and their article hashes."""

    def __init__(self, client: ClientAPI, name: str = COLLECTION) -> None:
        self._client = client
        self.name = name
        self.collection: Collection = client.get_or_create_collection(
            name,
            configuration={"hnsw": HNSW},
            embedding_function=None,
        )

    @classmethod
    def open(cls, *, path: str | None, url: str, name: str = COLLECTION) -> VectorStore:
        """Open an embedded store at `path`, or a Chroma server at `url`."""
        if url:
            from urllib.parse import urlparse

            parsed = urlparse(url)
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
            )
        else:
            client = chromadb.PersistentClient(path=path or "var/chroma")
        return cls(client, name)

    def count(self) -> int:
        """Number of chunks."""
        return self.collection.count()

    def manifest(self) -> dict[str, tuple[str, list[str]]]:
        """Map article id -> (content hash, chunk ids) for everything indexed."""
        found: dict[str, tuple[str, list[str]]] = {}
        for chunk in self.all_chunks(with_text=False):
            article_id = str(chunk.metadata["article_id"])
            digest, ids = found.get(article_id, (str(chunk.metadata["hash"]), []))
            ids.append(chunk.id)
            found[article_id] = (digest, ids)
        return found

    def all_chunks(self, *, with_text: bool = True) -> Iterable[Chunk]:
        """Yield every chunk, a page at a time."""
        include: list[Any] = ["metadatas", "documents"] if with_text else ["metadatas"]
        for got in self._pages(include):
            yield from _chunks(got)

    def everything(self) -> tuple[list[Chunk], Vectors]:
        """Every chunk with its vector (for the small layers held in memory)."""
        chunks: list[Chunk] = []
        rows: list[Vectors] = []
        for got in self._pages(["metadatas", "documents", "embeddings"]):
            chunks.extend(_chunks(got))
            rows.append(np.asarray(got["embeddings"], dtype=np.float32))
        matrix = np.concatenate(rows) if rows else np.zeros((0, DIMENSIONS), dtype=np.float32)
        return chunks, matrix

    def _pages(self, include: list[Any], page: int = 5000) -> Iterator[GetResult]:
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=page, offset=offset)
            if not got["ids"]:
                return
            yield got
            offset += len(got["ids"])

    def add(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        """Insert or replace chunks with their vectors."""
        if not chunks:
            return
        self.collection.upsert(
            ids=[c.id for c in chunks],
            documents=[c.text for c in chunks],
            metadatas=[c.metadata for c in chunks],
            embeddings=np.asarray(vectors, dtype=np.float32),
        )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id."""
        for start in range(0, len(ids), 5000):
            self.collection.delete(ids=list(ids[start : start + 5000]))

    def query(self, vector: Vectors, k: int) -> list[tuple[str, float]]:
        """Return (chunk id, cosine similarity) of the k nearest chunks, best first.

        `k` must not exceed the collection's size: callers know it (counting costs a scan).
        """
        if k <= 0:
            return []
        got = self.collection.query(
            query_embeddings=np.asarray([vector], dtype=np.float32),
            n_results=k,
            include=["distances"],
        )
        ids = got["ids"][0]
        distances = (got["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def reset(self) -> None:
        """Drop and recreate the collection."""
        self._client.delete_collection(self.name)
        self.__init__(self._client, self.name)  # type: ignore[misc]


def _chunks(got: GetResult) -> list[Chunk]:
    ids = got["ids"]
    metas = got["metadatas"] or []
    docs = got["documents"] or [""] * len(ids)
    return [
        Chunk(id=chunk_id, text=doc or "", metadata=dict(meta or {}))
        for chunk_id, meta, doc in zip(ids, metas, docs, strict=True)
    ]
