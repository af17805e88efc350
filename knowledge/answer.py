"""Grounded, extractive answers: a vetted quick answer, or sentences that stand in the corpus."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.retrieval import Passage, QuickMatch, SearchResult, tokenize
from knowledge.text import sentences

# A passage's sentences in order, each with its similarity to the question.
SentencesOf = Callable[[Passage], list[tuple[str, float]]]

_ASKS_FOR_FIGURE = re.compile(
    r"\b(how much|how many|how long|how old|what age|when|which date|deadline|cost|pay|paid|"
    r"wage|salary|earn|fee|fees|grant|loan|bursary|money|years?|months?|weeks?)\b"
)
_FIGURE = re.compile(
    r"[£$%]|\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|sixteen|"
    r"january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Source:
    """Where an answer came from, and when it was last checked."""

    title: str
    url: str
    last_reviewed: str


@dataclass(frozen=True)
class Answer:
    """An answer composed from the vetted corpus, or the honest 'no good answer'.

    `more`: what "tell me more" expands ("ema#0" after a quick answer, "ema" after a composed
    one); `article_ids[0]` is the topic a follow-up question is read against; `quick`: a vetted
    quick answer, given as written (never rephrased).
    """

    text: str
    sources: list[Source]
    article_ids: list[str]
    topics: list[str]
    answered: bool
    more: str | None = None
    quick: bool = False


NO_ANSWER = (
    "I'm sorry, I don't have vetted information on that, and I'd rather not guess. "
    "A careers adviser can help: just ask to talk to a person."
)
UNANSWERED = Answer(text=NO_ANSWER, sources=[], article_ids=[], topics=[], answered=False)


def quick_answer(match: QuickMatch) -> Answer:
    """A vetted quick answer, cited to its article."""
    return Answer(
        text=match.answer,
        sources=[Source(match.title, match.source_url, match.last_reviewed)],
        article_ids=[match.doc_id],
        topics=sorted(t for t in match.topics if t),
        answered=True,
        more=match.key,
        quick=True,
    )


def compose(
    result: SearchResult,
    sentences_of: SentencesOf | None = None,
    *,
    max_sentences: int = 4,
    max_sources: int = 2,
) -> Answer:
    """Pick the sentences of the best passages closest in meaning to the question.

    Without sentence vectors (`sentences_of` is None) words shared with the question stand in.
    A question for a figure (how much, how long, when) prefers sentences that hold one. List
    items stay list items.
    """
    if not result.confident or not result.passages:
        return UNANSWERED
    wants_figure = bool(_ASKS_FOR_FIGURE.search(result.query.lower()))
    lead = result.passages[0]
    chosen: list[tuple[float, int, str]] = []
    used: list[Passage] = []
    for rank, passage in enumerate(result.passages[:3]):
        if passage.doc_id != lead.doc_id and passage.similarity < lead.similarity - 0.05:
            continue
        scored = sentences_of(passage) if sentences_of else _by_words(result.query, passage)
        for position, (sentence, closeness) in enumerate(scored):
            weight = closeness - 0.05 * rank + (0.03 if position == 0 else 0.0)
            if wants_figure and _FIGURE.search(sentence):
                weight += 0.08
            chosen.append((weight, rank * 1000 + position, sentence))
        used.append(passage)
    best = sorted(chosen, key=lambda item: (-item[0], item[1]))[:max_sentences]
    text = join([s for _, _, s in sorted(best, key=lambda item: item[1])])
    sources: list[Source] = []
    article_ids: list[str] = []
    for passage in used:
        if passage.doc_id not in article_ids and len(article_ids) < max_sources:
            article_ids.append(passage.doc_id)
            sources.append(Source(passage.title, passage.source_url, passage.last_reviewed))
    topics = sorted({t for p in used for t in p.topics if t})
    return Answer(
        text=text,
        sources=sources,
        article_ids=article_ids,
        topics=topics,
        answered=True,
        more=lead.doc_id,
    )


def join(picked: list[str]) -> str:
    """Sentences run on as prose; list items ("- ...") each keep a line of their own."""
    lines: list[str] = []
    for sentence in picked:
        if sentence.startswith("- ") or not lines or lines[-1].startswith("- "):
            lines.append(sentence)
        else:
            lines[-1] += " " + sentence
    return "\n".join(lines)


def expand(passages: list[Passage], max_chars: int = 900) -> str:
    """The fuller text for "tell me more": whole passages, as written, lists kept."""
    picked: list[str] = []
    for passage in passages:
        if picked and len("\n".join(picked)) + len(passage.text) > max_chars:
            break
        picked.append(join(sentences(passage.text)))
    return "\n".join(picked)


def _by_words(query: str, passage: Passage) -> list[tuple[str, float]]:
    """Sentences scored by the share of the question's words they hold."""
    terms = set(tokenize([query])[0])
    found = sentences(passage.text)
    return [(s, len(terms & set(tokenize([s])[0])) / (len(terms) or 1)) for s in found]
