"""What the risk model's span reader sees in each span of a message.

Two kinds of evidence, side by side in one sparse row per span:
- character n-grams (2-5, within words) and word uni- and bigrams, hashed, so spellings never
  seen in training ("cannae", "2moro", typos) still share most of their n-grams with ones that
  were;
- counts of the Suicide Risk Lexicon's constructs found in the span.
The meaning of the whole message comes from its MiniLM embedding, read by the risk model's
other half (escalation/risk.py). Embedding every span instead would cost ~0.3 ms a token here,
far over the 10 ms triage may add to a turn (docs/decisions/triage-risk-model.md).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from functools import lru_cache
from threading import Lock

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from escalation.lexicon import Lexicon
from escalation.windows import Words, spans

N_FEATURES = 2**16  # per n-gram kind; 2**18 trained 4x slower and read no better on dev
LEXICON_WEIGHT = 1.5  # against the unit-norm n-gram blocks (chosen on dev)
CACHE_WORDS = 50_000

# Words that open a negation's scope, and words or clause breaks that close it.
_NEGATORS = frozenset(
    "not no never nobody noone nothing nowhere neither nor dont doesnt didnt isnt arent wasnt "
    "werent wont wouldnt cant couldnt shouldnt havent hasnt hadnt aint nae naw nah".split()
)
_CLOSERS = frozenset("but just only though although however anyway so because and".split())
NEGATION_SCOPE = 4  # words


def negation_marked(words: tuple[str, ...]) -> list[str]:
    """The words with those inside a negation's scope marked `not_` ("not scared" ->
    "not not_scared"), so the word features tell a denial from a disclosure."""
    marked, left = [], 0
    for word in words:
        if word in _CLOSERS:
            left = 0
            marked.append(word)
        elif word in _NEGATORS:
            left = NEGATION_SCOPE
            marked.append(word)
        elif left:
            left -= 1
            marked.append("not_" + word)
        else:
            marked.append(word)
    return marked


class Featurizer:
    """Spans of a message -> one sparse feature row each.

    Character n-grams never cross a word and word n-grams are counted where they start, so a
    span's counts are the sum of its words': each word is hashed once per message (once per
    process, for the common ones), however many overlapping spans hold it.
    """

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon()
        self._chars = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            n_features=N_FEATURES,
            alternate_sign=False,
            norm=None,
        )
        self._cache: OrderedDict[str, tuple[NDArray[np.int32], NDArray[np.float32]]] = OrderedDict()
        self._lock = Lock()

    @property
    def width(self) -> int:
        """Columns of a feature row."""
        return 2 * N_FEATURES + len(self.lexicon.constructs)

    def rows(
        self, message: Words, windows: list[tuple[int, int]] | None = None
    ) -> sparse.csr_matrix:
        """One row per span (`windows`, or every span of the message)."""
        windows = spans(message) if windows is None else windows
        if not windows:
            return sparse.csr_matrix((0, self.width), dtype=np.float32)
        size = len(message.words)
        inside = _indicator(windows, size, 0)
        marked = negation_marked(message.words)
        tokens = [*marked, *(f"{a} {b}" for a, b in itertools.pairwise(marked))]
        # One hashed column per token: unigrams by word, then bigrams by pair.
        words = sparse.csr_matrix(
            (
                np.ones(len(tokens), dtype=np.float32),
                np.array([_bucket(t) for t in tokens], dtype=np.int32),
                np.arange(len(tokens) + 1),
            ),
            shape=(len(tokens), N_FEATURES),
        )
        pairs = _indicator(windows, max(size - 1, 0), 1)
        counts = self._construct_counts(message, windows)
        return sparse.hstack(
            [
                _unit_rows(inside @ self._word_chars(message.words)),
                _unit_rows(inside @ words[:size] + pairs @ words[size:]),
                sparse.csr_matrix(np.log1p(counts) * LEXICON_WEIGHT),
            ],
            format="csr",
            dtype=np.float32,  # as the weights: a float64 row would copy them on every product
        )

    def _construct_counts(
        self, message: Words, windows: list[tuple[int, int]]
    ) -> NDArray[np.float32]:
        """How many tokens of each lexicon construct lie wholly inside each span."""
        found = np.array(self.lexicon.matches(message.words), dtype=np.int64).reshape(-1, 3)
        bounds = np.array(windows, dtype=np.int64)
        inside = (bounds[:, :1] <= found[:, 0]) & (found[:, 1] <= bounds[:, 1:])
        kinds = np.zeros((len(found), len(self.lexicon.constructs)), dtype=np.float32)
        kinds[np.arange(len(found)), found[:, 2]] = 1.0
        counts: NDArray[np.float32] = inside.astype(np.float32) @ kinds
        return counts

    def _word_chars(self, words: tuple[str, ...]) -> sparse.csr_matrix:
        """Character n-gram counts of each word (cached by word)."""
        with self._lock:
            missing = sorted({w for w in words if w not in self._cache})
            if missing:
                for word, row in zip(missing, self._chars.transform(missing), strict=True):
                    self._cache[word] = (row.indices.astype(np.int32), row.data.astype(np.float32))
                while len(self._cache) > CACHE_WORDS:
                    self._cache.popitem(last=False)
            rows = [self._cache[w] for w in words]
        indptr = np.concatenate([[0], np.cumsum([len(i) for i, _ in rows])]).astype(np.int64)
        if not rows:
            return sparse.csr_matrix((0, N_FEATURES), dtype=np.float32)
        indices = np.concatenate([i for i, _ in rows])
        data = np.concatenate([d for _, d in rows])
        return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), N_FEATURES))


@lru_cache(maxsize=CACHE_WORDS)
def _bucket(token: str) -> int:
    """The hashed column of a word or word pair (as FeatureHasher: |murmurhash3| mod width)."""
    return int(abs(murmurhash3_32(token, seed=0))) % N_FEATURES


def _unit_rows(rows: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row scaled to unit length (in place; an empty row stays empty)."""
    rows = rows.tocsr().astype(np.float32)
    inplace_csr_row_normalize_l2(rows)
    return rows


def _indicator(windows: list[tuple[int, int]], size: int, trim: int) -> sparse.csr_matrix:
    """Spans x positions: 1 where a position (word, or word pair with `trim` 1) is in a span."""
    columns = [np.arange(start, max(start, end - trim)) for start, end in windows]
    lengths = [len(c) for c in columns]
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    data = np.ones(int(indptr[-1]), dtype=np.float32)
    indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(windows), size))
