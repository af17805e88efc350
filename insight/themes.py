"""Unanswered-demand themes without free text.

A question that got no good answer is mapped to the nearest topic of a written taxonomy
(`taxonomy.yml`) by embedding similarity. Its phrases (2- and 3-word n-grams of the redacted
question) are counted per distinct conversation in the main database; a phrase reaches the
insight database only once k conversations have used it (k-anonymity), so a name or an address
that redaction missed can never be published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from knowledge.embedding import Embedder

TAXONOMY = Path(__file__).with_name("taxonomy.yml")
OTHER = "other"
_TOKEN = re.compile(r"\[[a-z]+\]|[a-z][a-z'\u2019]*")
# Phrases made only of these say nothing about demand ("i want to", "how do i").
_STOPWORDS = frozenset(
    """a an the and or but if of to in on at for with from by about as is are was were be been
    i im i'm me my we you your u ur it its it's this that there what how do does did can could
    would should will shall may might want wanna need get got go going have has had any some
    just so not no yes please hi hello hey thanks ok okay like know tell help really very""".split()
)


@dataclass(frozen=True)
class Topic:
    """One taxonomy topic."""

    id: str
    label: str
    description: str
    examples: tuple[str, ...]


def load_taxonomy(path: Path = TAXONOMY) -> list[Topic]:
    """The written taxonomy."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Topic(
            id=t["id"],
            label=t["label"],
            description=t["description"],
            examples=tuple(t.get("examples") or ()),
        )
        for t in data["topics"]
    ]


class ThemeMapper:
    """Maps a (redacted) question to the nearest taxonomy topic, or `other`."""

    def __init__(self, embedder: Embedder, *, threshold: float = 0.35) -> None:
        self.topics = load_taxonomy()
        self._embedder = embedder
        self._threshold = threshold
        texts: list[str] = []
        self._owner: list[int] = []
        for i, topic in enumerate(self.topics):
            for text in (f"{topic.label}: {topic.description}", *topic.examples):
                texts.append(text)
                self._owner.append(i)
        self._vectors = embedder.embed(texts)

    def labels(self) -> dict[str, str]:
        """Topic id to label, `other` included."""
        return {t.id: t.label for t in self.topics} | {OTHER: "Other"}

    def theme(self, question: str) -> str:
        """The nearest topic: best similarity to any of its texts, above the threshold."""
        vector = self._embedder.embed_one(question)
        scores = self._vectors @ vector
        best = int(np.argmax(scores))
        if float(scores[best]) < self._threshold:
            return OTHER
        return self.topics[self._owner[best]].id


def phrases(redacted: str, sizes: tuple[int, ...] = (2, 3)) -> set[str]:
    """Word n-grams of a redacted question: no placeholders, digits or stopword-only runs."""
    tokens = _TOKEN.findall(redacted.lower())
    found: set[str] = set()
    for size in sizes:
        for start in range(len(tokens) - size + 1):
            gram = tokens[start : start + size]
            if any(t.startswith("[") for t in gram):
                continue
            if all(t in _STOPWORDS for t in gram) or (
                gram[0] in _STOPWORDS and gram[-1] in _STOPWORDS
            ):
                continue
            found.add(" ".join(gram))
    return found
