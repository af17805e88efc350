"""Safety triage on every inbound message, before Rasa: crisis, needs a person, or none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from escalation.patterns import CRISIS_RE, DEFUSERS_RE, NEEDS_PERSON_RE
from knowledge.embedding import Vectors
from knowledge.text import plain


class Level(StrEnum):
    """How urgently a person is needed."""

    CRISIS = "crisis"
    NEEDS_PERSON = "needs_person"
    NONE = "none"


@dataclass(frozen=True)
class Triage:
    """A decision and the reasons for it (codes, never the text)."""

    level: Level
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The `cairn triage --json` contract."""
        return {"level": self.level.value, "reasons": self.reasons}


def normalise(text: str) -> str:
    """Fold case, SMS spellings, Scots and stretched letters; drop punctuation."""
    return plain(text)


class SemanticLayer(Protocol):
    """Anything that names the crisis category a message is close to in meaning."""

    def check(self, text: str, vector: Vectors | None = None) -> str | None:
        """A crisis category, or None (`vector`: the embedding of `text`, if known)."""
        ...


def triage(
    text: str, semantic: SemanticLayer | None = None, vector: Vectors | None = None
) -> Triage:
    """Classify one message; crisis wins over needs_person, which wins over none.

    Curated patterns first; then, if given, the semantic layer for phrasings no pattern
    anticipated (escalation/semantic.py). `vector` is the embedding of `plain(text)` when the
    caller already has it (the router computes one per message).
    """
    clean = normalise(text)
    defused = clean
    for pattern in DEFUSERS_RE:
        defused = pattern.sub(" ", defused)
    crisis = [f"crisis:{code}" for code, pats in CRISIS_RE.items() if _any(pats, defused)]
    if crisis:
        return Triage(Level.CRISIS, crisis)
    # The semantic layer reads the defused text, so "im not suicidal" or "killing me" (an
    # idiom the patterns recognised) cannot pull it towards a crisis.
    if semantic is not None and len(defused.split()) >= 3:
        category = semantic.check(defused, vector if defused == clean else None)
        if category:
            return Triage(Level.CRISIS, [f"crisis:{category}", "semantic"])
    person = [
        f"needs_person:{code}" for code, pats in NEEDS_PERSON_RE.items() if _any(pats, defused)
    ]
    if person:
        return Triage(Level.NEEDS_PERSON, person)
    return Triage(Level.NONE, [])


def _any(patterns: list[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)
