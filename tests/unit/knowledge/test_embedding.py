from __future__ import annotations

import numpy as np
from sentence_transformers import SentenceTransformer

from knowledge.embedding import DIMENSIONS, Embedder, model_dir

TEXTS = [
    "how do i apply to college",
    "wot is ema n can i get it",
    "Modern Apprentices are paid a wage by their employer while they train. " * 20,
    "",
]


def test_onnx_vectors_match_sentence_transformers(embedder: Embedder) -> None:
    reference = SentenceTransformer(str(model_dir()), device="cpu", local_files_only=True)
    expected = reference.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    got = embedder.embed(TEXTS)
    assert got.shape == (len(TEXTS), DIMENSIONS)
    cosines = np.sum(got * expected, axis=1)
    assert np.all(cosines > 0.9999), cosines


def test_batches_give_the_same_vectors_as_single_texts(embedder: Embedder) -> None:
    batch = embedder.embed(TEXTS[:3], batch_size=2)
    singles = np.stack([embedder.embed_one(t) for t in TEXTS[:3]])
    assert np.allclose(batch, singles, atol=1e-5)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
