"""The index's small layers held in memory: exact cosine search over one matrix.

Quick answers (a few thousand ways of asking) and sentences (a few thousand) are small enough
that a dot product beats a round trip to Chroma, and they are searched with a filter (one
article, one passage) that an approximate index does not do well.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from knowledge.embedding import DIMENSIONS, Vectors
from knowledge.store import Chunk, VectorStore


class InMemoryLayer:
    """Chunks and their unit vectors, grouped by a metadata key for filtered search."""

    def __init__(self, chunks: list[Chunk], matrix: Vectors, *, group_by: str) -> None:
        self.chunks = chunks
        self.matrix = matrix
        groups: dict[str, list[int]] = defaultdict(list)
        for row, chunk in enumerate(chunks):
            groups[str(chunk.metadata.get(group_by, ""))].append(row)
        self._groups = {key: np.asarray(rows) for key, rows in groups.items()}

    @classmethod
    def load(cls, store: VectorStore | None, *, group_by: str) -> InMemoryLayer:
        """Read a whole collection (an absent store is an empty layer)."""
        if store is None:
            return cls.empty(group_by=group_by)
        chunks, matrix = store.everything()
        return cls(chunks, matrix, group_by=group_by)

    @classmethod
    def empty(cls, *, group_by: str) -> InMemoryLayer:
        """A layer with nothing in it."""
        return cls([], np.zeros((0, DIMENSIONS), dtype=np.float32), group_by=group_by)

    def __len__(self) -> int:
        return len(self.chunks)

    def rows(self, group: str) -> list[int]:
        """The rows whose group key is `group`."""
        found = self._groups.get(group)
        return [] if found is None else [int(r) for r in found]

    def similarities(self, vector: Vectors, rows: list[int] | None = None) -> Vectors:
        """Cosine similarity of `vector` with each of `rows` (default: every row), in order."""
        if rows is None:
            everything: Vectors = self.matrix @ vector
            return everything
        if not rows:
            return np.zeros(0, dtype=np.float32)
        scores: Vectors = self.matrix[rows] @ vector
        return scores
