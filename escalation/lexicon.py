"""The Suicide Risk Lexicon (Low et al., Apache-2.0): which risk constructs a text speaks of.

The constructs' validated tokens are matched as whole phrases on the same normalised words
triage scores (escalation/windows.py). Provenance and licence: escalation/data/lexicons/.
"""

from __future__ import annotations

import json
from pathlib import Path

from escalation.windows import words_of

LEXICON = Path(__file__).resolve().parent / "data" / "lexicons" / "suicide_risk_lexicon.json"
_MIN_CHARS = 3  # "OD", "ER", "0": too short to mean a construct in young people's messages


class Lexicon:
    """Phrase lookup: (start, end, construct) for every token found in a list of words."""

    def __init__(self, path: Path = LEXICON) -> None:
        data: dict[str, dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
        self.constructs: list[str] = [str(entry["variable"]) for entry in data.values()]
        self._phrases: dict[str, set[int]] = {}
        self._prefixes: set[str] = set()  # every phrase's proper prefixes, to stop a walk early
        for index, entry in enumerate(data.values()):
            tokens = entry["tokens"]
            assert isinstance(tokens, list)
            for token in tokens:
                words = words_of(str(token)).words
                if len(" ".join(words)) >= _MIN_CHARS:
                    self._phrases.setdefault(" ".join(words), set()).add(index)
                    self._prefixes.update(" ".join(words[:n]) for n in range(1, len(words)))

    def matches(self, words: tuple[str, ...]) -> list[tuple[int, int, int]]:
        """Every construct token in `words`, as (first word, end word, construct index)."""
        found: list[tuple[int, int, int]] = []
        for start, phrase in enumerate(words):
            end = start + 1
            while True:
                hits = self._phrases.get(phrase)
                if hits:
                    found.extend((start, end, c) for c in hits)
                if end == len(words) or phrase not in self._prefixes:
                    break
                phrase = f"{phrase} {words[end]}"
                end += 1
        return found
