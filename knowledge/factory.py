"""Open the knowledge index the way the settings say (embedded directory or server)."""

from __future__ import annotations

from cairn.settings import Settings
from knowledge.embedding import Embedder
from knowledge.retrieval import Retriever
from knowledge.store import VectorStore


def open_store(settings: Settings) -> VectorStore:
    """The Chroma collection at CHROMA_URL, or in CHROMA_PATH."""
    return VectorStore.open(
        path=str(settings.chroma_path) if settings.chroma_path else None, url=settings.chroma_url
    )


def open_retriever(settings: Settings) -> Retriever:
    """A retriever over the index with the configured threshold."""
    return Retriever(
        store=open_store(settings),
        embedder=Embedder(settings.models_dir or settings.data_dir / "models"),
        min_score=settings.answer_min_score,
    )
