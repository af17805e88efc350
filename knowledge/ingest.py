"""Build the index: load vetted articles, split them, embed what changed.

The index has three layers, each its own collection: passages (an article split on its
headings), quick answers (one entry per way of asking) and sentences (each passage's sentences,
so the composer picks them by meaning without embedding anything at answer time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from knowledge.embedding import Embedder
from knowledge.schema import Article
from knowledge.store import COLLECTION, Chunk, VectorStore
from knowledge.text import plain, sentences

# Bump when chunking or embedding changes, so every article is re-embedded once.
PIPELINE_VERSION = "3"
_HEADERS = [("#", "h1"), ("##", "section"), ("###", "subsection")]
_SPLITTER = RecursiveCharacterTextSplitter(chunk_size=900, chunk_overlap=120)


class ArticleLoader(BaseLoader):
    """A LangChain loader yielding one Document per servable article."""

    def __init__(self, articles: list[Article]) -> None:
        self._articles = articles

    def lazy_load(self) -> Iterator[Document]:
        """Yield each article body with its metadata."""
        for article in self._articles:
            yield Document(
                page_content=article.body,
                metadata={**_shared_metadata(article), "summary": article.meta.summary},
            )


def article_hash(article: Article) -> str:
    """Hash everything that changes an article's chunks or their metadata."""
    text = article.meta.model_dump_json() + "\n" + article.body + "\n" + PIPELINE_VERSION
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def split(document: Document) -> list[Chunk]:
    """Split one article on its headings; prefix each chunk with title and section."""
    header_splitter = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True)
    sections = header_splitter.split_text(document.page_content)
    chunks: list[Chunk] = []
    article_id = document.metadata["article_id"]
    for section in sections:
        heading = section.metadata.get("section") or section.metadata.get("h1") or ""
        for piece in _SPLITTER.split_text(section.page_content):
            text = piece.strip()
            if not text:
                continue
            metadata = {**document.metadata, "section": heading}
            chunks.append(Chunk(id=f"{article_id}::{len(chunks)}", text=text, metadata=metadata))
    return chunks


def searchable_text(chunk: Chunk) -> str:
    """The text that is embedded and BM25-indexed: title and section give context."""
    meta = chunk.metadata
    return f"{meta['title']}. {meta.get('section', '')}. {chunk.text}"


def passage_chunks(article: Article) -> list[Chunk]:
    """An article's passages: its body split on headings."""
    return split(next(ArticleLoader([article]).lazy_load()))


def quick_chunks(article: Article) -> list[Chunk]:
    """One entry per way of asking each quick answer; the entry's text is the answer."""
    base = _shared_metadata(article)
    return [
        Chunk(
            id=f"{article.meta.id}::q{number}.{way}",
            text=quick.answer,
            metadata={**base, "ask": ask, "quick": number},
        )
        for number, quick in enumerate(article.meta.quick_answers)
        for way, ask in enumerate([*quick.ask, quick.answer])
    ]


def sentence_chunks(article: Article) -> list[Chunk]:
    """Every sentence (or list item) of every passage, keyed by its passage."""
    base = _shared_metadata(article)
    return [
        Chunk(id=f"{passage.id}#{n}", text=text, metadata={**base, "passage": passage.id})
        for passage in passage_chunks(article)
        for n, text in enumerate(sentences(passage.text))
    ]


def _shared_metadata(article: Article) -> dict[str, str]:
    """What every layer's entry carries: enough to cite, filter and re-index it."""
    meta = article.meta
    return {
        "article_id": meta.id,
        "title": meta.title,
        "topics": ",".join(meta.topics),
        "audience": ",".join(meta.audience),
        "region": meta.region,
        "source_org": meta.source_org,
        "source_url": str(meta.source_url),
        "last_reviewed": meta.last_reviewed.isoformat(),
        "review_due": meta.review_due.isoformat(),
        "hash": article_hash(article),
    }


@dataclass(frozen=True)
class Layer:
    """One collection of the index: what an article becomes in it, and what of that is embedded."""

    name: str
    collection: str
    chunks: Callable[[Article], list[Chunk]]
    embedded: Callable[[Chunk], str]


PASSAGES = Layer("passages", COLLECTION, passage_chunks, searchable_text)
QUICK_ANSWERS = Layer(
    "quick answers", f"{COLLECTION}-quick", quick_chunks, lambda c: plain(c.metadata["ask"])
)
SENTENCES = Layer("sentences", f"{COLLECTION}-sentences", sentence_chunks, lambda c: plain(c.text))
LAYERS = (PASSAGES, QUICK_ANSWERS, SENTENCES)


@dataclass
class IndexReport:
    """What an index run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: int = 0
    chunks_embedded: int = 0


def build_index(
    *,
    articles: list[Article],
    store: VectorStore,
    embedder: Embedder,
    refused: int = 0,
    progress: Callable[[int, int], None] | None = None,
    layer: Layer = PASSAGES,
) -> IndexReport:
    """Bring one layer of the index in line with the servable articles, embedding only what
    changed (an article without entries in a layer, e.g. no quick answers, is re-read each run:
    parsing is cheap, embedding is what is saved)."""
    report = IndexReport(refused=refused)
    existing = store.manifest()
    wanted = {a.meta.id for a in articles}
    stale_ids: list[str] = []
    to_embed: list[Chunk] = []
    for article in articles:
        article_id = article.meta.id
        old = existing.get(article_id)
        if old and old[0] == article_hash(article):
            report.unchanged += 1
            continue
        (report.updated if old else report.added).append(article_id)
        if old:
            stale_ids.extend(old[1])
        to_embed.extend(layer.chunks(article))
    for article_id, (_, ids) in existing.items():
        if article_id not in wanted:
            report.removed.append(article_id)
            stale_ids.extend(ids)
    if stale_ids:
        store.delete(stale_ids)
    batch = 64
    for start in range(0, len(to_embed), batch):
        part = to_embed[start : start + batch]
        store.add(part, embedder.embed([layer.embedded(c) for c in part]))
        if progress:
            progress(min(start + batch, len(to_embed)), len(to_embed))
    report.chunks_embedded = len(to_embed)
    return report


def today() -> date:
    """Today's date (one place to change for tests of review dates)."""
    return date.today()
