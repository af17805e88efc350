"""Questions no vetted article can answer, however close their words come to one.

Two readers. Patterns name the plainest kinds. Examples of every kind (`beyond_examples.txt`:
420 questions in twelve kinds, written by a helper session that saw neither the articles nor any
evaluation set) catch the rest by meaning: a question much closer to one of them than to any
vetted answer is beyond the corpus.

A careers question about the future ("will there still be oil jobs when I'm 40"), one employer's
vacancies this week, another country, or a judgement about the asker shares words with the
corpus, so retrieval alone would answer it confidently and wrongly. These get the honest "I
don't know" (and the offer of a person), never a sourced answer about something else.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from knowledge.embedding import Embedder, VectorCache, Vectors
from knowledge.text import normalise_query, plain

EXAMPLES = Path(__file__).with_name("beyond_examples.txt")
BEYOND_VECTORS = "beyond-vectors.npz"  # the examples' vectors, in the models directory

_BEYOND = {
    "the future": (
        r"\b(in|by|before|after) 20[3-9]\d\b|\bwill there (still )?be\b|\bwhen i am [3-9]\d\b"
        r"|\bin (\d+|ten|twenty|fifty) years( time)?\b|\b(future|ever) be replaced\b"
        r"|\bwill (ai|robots|artificial intelligence)\b"
    ),
    "one employer now": (
        r"\b(right now|this (week|month)|next (week|month)|tomorrow|today)\b.*"
        r"\b(hiring|takin(g)? on|vacanc|hours|shifts|jobs going)"
        r"|\b(hiring|takin(g)? on|vacanc|hours|shifts)\b.*"
        r"\b(right now|this (week|month)|next (week|month)|tomorrow|today)\b"
    ),
    "another country": (
        r"\b(us state|usa|america|american|brazil|australia|canada|dubai|new zealand|india|"
        r"china|japan|texas|california|florida)\b"
    ),
    "a prediction about you": (
        r"\bwill (i|a|my pal \w+|ma pal \w+) (pass|get in|get into|get intae|be accepted"
        r"|get accepted|get a place|get the job|get an offer)\b"
        r"|\b(gonna|gonnae|going to) (get in|get into|get intae|pass)\b"
        r"|\bwhich (job|career|one|uni|university) (will|would) make me (the )?happ"
        r"|\bwhich (one )?would i enjoy more\b"
    ),
    "your own record": (
        r"\b(what|wat|wot|whit|wit) (grade |mark )?did (i|a) get\b"
        r"|\bcheck (if|whether) my application\b"
        r"|\bmy application\b.*\b(accepted|successful|got in)\b"
    ),
    "live figures": (
        r"\bhow many\b.*\b(open|available|going)\b.*\b(today|right now|rite now)\b"
        r"|\bwill the (minimum wage|living wage|grade boundar\w*|pass mark|fees)\b"
    ),
    "a judgement about you": (
        r"\bam i (smart|clever|good|bright|brainy) enough\b|\bshould i (break up|dump)\b"
        r"|\bwho was the (very )?first\b"
    ),
}
_PATTERNS = {reason: re.compile(pattern) for reason, pattern in _BEYOND.items()}


def beyond_vetted(question: str) -> str | None:
    """Why no article can answer `question` ("the future", ...), or None."""
    text = normalise_query(question)
    return next((reason for reason, p in _PATTERNS.items() if p.search(text)), None)


class BeyondExamples:
    """Questions no article answers, embedded once: how like them a question is.

    `cache`: a file that keeps their vectors between starts (beside the models), so a start
    embeds only examples it has not seen.
    """

    def __init__(
        self, embedder: Embedder, path: Path = EXAMPLES, *, cache: Path | None = None
    ) -> None:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if cache is None:
            self._vectors = embedder.embed([plain(line) for line in lines])
        else:
            self._vectors = VectorCache(cache, embedder).get(lines)

    def likeness(self, vector: Vectors) -> float:
        """Cosine similarity of the closest example (the vectors are unit length)."""
        return float(np.max(self._vectors @ vector))
