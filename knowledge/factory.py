"""Open the knowledge stores the way the settings say: index, services, places."""

from __future__ import annotations

from datetime import date

from cairn.settings import Settings
from knowledge.directory import Directory, load_directory
from knowledge.embedding import Embedder
from knowledge.ingest import PASSAGES, QUICK_ANSWERS, SENTENCES, Layer
from knowledge.location import LocationResolver
from knowledge.retrieval import Retriever
from knowledge.store import VectorStore


def open_store(settings: Settings, layer: Layer = PASSAGES) -> VectorStore:
    """One layer's Chroma collection at CHROMA_URL, or in CHROMA_PATH."""
    return VectorStore.open(
        path=str(settings.chroma_path) if settings.chroma_path else None,
        url=settings.chroma_url,
        name=layer.collection,
    )


def open_embedder(settings: Settings, *, threads: int = 1) -> Embedder:
    """The MiniLM embedder, its ONNX graph cached beside the Rasa model."""
    return Embedder(settings.models, threads=threads)


def open_retriever(settings: Settings) -> Retriever:
    """A retriever over the index with the configured threshold."""
    return Retriever(
        store=open_store(settings),
        embedder=open_embedder(settings),
        min_score=settings.answer_min_score,
        quick=open_store(settings, QUICK_ANSWERS),
        sentences=open_store(settings, SENTENCES),
    )


def open_directory(settings: Settings) -> Directory:
    """Every valid, in-date service record."""
    services, _ = load_directory(settings.services_dir, date.today())
    return Directory(services)


def open_resolver(settings: Settings) -> LocationResolver:
    """The postcode and place tables."""
    return LocationResolver(settings.places_dir)
