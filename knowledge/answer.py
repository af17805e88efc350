"""Grounded, extractive answers: only sentences that stand in the vetted corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.retrieval import Passage, SearchResult, tokenize

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£\"'(])")
_MARKUP = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|[*_`#]+")


@dataclass(frozen=True)
class Source:
    """Where an answer came from, and when it was last checked."""

    title: str
    url: str
    last_reviewed: str


@dataclass(frozen=True)
class Answer:
    """An answer composed from passages, or the honest 'no good answer'."""

    text: str
    sources: list[Source]
    article_ids: list[str]
    topics: list[str]
    answered: bool


NO_ANSWER = (
    "I'm sorry, I don't have vetted information on that, and I'd rather not guess. "
    "A careers adviser can help: just ask to talk to a person."
)


def sentences(text: str) -> list[str]:
    """Split a passage into clean sentences (list items count as sentences)."""
    found: list[str] = []
    for line in text.splitlines():
        line = _MARKUP.sub("", line).strip()
        if line:
            found.extend(s.strip() for s in _SENTENCE.split(line) if s.strip())
    return found


def compose(result: SearchResult, *, max_sentences: int = 4, max_sources: int = 2) -> Answer:
    """Pick the sentences of the best passages that share most with the question."""
    if not result.confident or not result.passages:
        return Answer(text=NO_ANSWER, sources=[], article_ids=[], topics=[], answered=False)
    query_terms = set(tokenize([result.query])[0])
    lead_doc = result.passages[0].doc_id
    chosen: list[tuple[float, int, str]] = []
    used: list[Passage] = []
    for rank, passage in enumerate(result.passages[:3]):
        if passage.doc_id != lead_doc and passage.similarity < result.passages[0].similarity - 0.05:
            continue
        for position, sentence in enumerate(sentences(passage.text)):
            overlap = len(query_terms & set(tokenize([sentence])[0]))
            weight = overlap + (1.0 if position == 0 else 0.0) - 0.5 * rank
            chosen.append((weight, rank * 1000 + position, sentence))
        used.append(passage)
    best = sorted(chosen, key=lambda item: (-item[0], item[1]))[:max_sentences]
    text = " ".join(s for _, _, s in sorted(best, key=lambda item: item[1]))
    sources: list[Source] = []
    article_ids: list[str] = []
    for passage in used:
        if passage.doc_id not in article_ids and len(article_ids) < max_sources:
            article_ids.append(passage.doc_id)
            sources.append(Source(passage.title, passage.source_url, passage.last_reviewed))
    topics = sorted({t for p in used for t in p.topics if t})
    return Answer(text=text, sources=sources, article_ids=article_ids, topics=topics, answered=True)
