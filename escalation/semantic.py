"""Triage's semantic layer: catch crisis messages no pattern anticipated.

Each sentence of a message is compared (MiniLM, cosine) with written crisis exemplars and with
safe ones (idioms, careers in caring jobs, negations). A sentence close to a crisis exemplar,
and closer to it than to any safe exemplar, makes the message a crisis.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import yaml

from knowledge.embedding import Embedder, Vectors

EXEMPLARS = Path(__file__).resolve().parent / "exemplars.yml"
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\s*[\n;]\s*|\s+(?:also|and also|but|btw)\s+")


class SemanticTriage:
    """Nearest-exemplar matching, sentence by sentence."""

    def __init__(self, embedder: Embedder, *, threshold: float = 0.5, margin: float = 0.0):
        self._embedder = embedder
        self._threshold = threshold
        self._margin = margin
        data = yaml.safe_load(EXEMPLARS.read_text(encoding="utf-8"))
        self._labels = [c for c, texts in data["crisis"].items() for _ in texts]
        crisis_texts = [t for texts in data["crisis"].values() for t in texts]
        self._crisis: Vectors = embedder.embed(crisis_texts)
        self._safe: Vectors = embedder.embed(list(data["safe"]))

    def check(self, text: str, vector: Vectors | None = None) -> str | None:
        """The crisis category a sentence of `text` is closest to, or None.

        `vector` is `text`'s embedding if the caller has it: a one-sentence message then needs
        no embedding here.
        """
        sentences = [s for s in _SENTENCES.split(text) if len(s.split()) >= 3][:8] or [text]
        if vector is not None and sentences == [text]:
            vectors = vector[np.newaxis, :]
        else:
            vectors = self._embedder.embed(sentences)
        crisis = vectors @ self._crisis.T
        safe = vectors @ self._safe.T
        for row in range(len(sentences)):
            best = int(np.argmax(crisis[row]))
            score = float(crisis[row, best])
            if score >= self._threshold and score >= float(safe[row].max()) + self._margin:
                return str(self._labels[best])
        return None
