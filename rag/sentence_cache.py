"""Each chunk's sentences split and tokenised once, for the evidence selector (rag/evidence.py): splitting
is the costly part of scoring a passage sentence by sentence."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rag.text.sentences import sentence_spans
from rag.text.tokenize import tokenize

if TYPE_CHECKING:
    from rag.retrieval.sentence_tokens import SentenceTokens

__all__ = ["ChunkSentences", "SentenceCache", "split"]


@dataclass(frozen=True)
class ChunkSentences:
    """A chunk's sentence spans with their tokens, and the chunk's tokens as a set and as sorted ids."""

    spans: list[tuple[int, int, frozenset[str]]]
    tokens: frozenset[str]
    ids: np.ndarray  # the tokens' ids in the cache's vocabulary, for the MMR overlap matrix


def split(body: str) -> list[tuple[int, int, frozenset[str]]]:
    """A chunk body's sentences with their tokens: what the selector scores."""
    return [(a, b, frozenset(tokenize(body[a:b]))) for a, b in sentence_spans(body)]


class SentenceCache:
    """Sentence spans per chunk id: splitting is the costly part of sentence scoring."""

    def __init__(self, size: int = 20000) -> None:
        self._data: OrderedDict[str, ChunkSentences] = OrderedDict()
        self._size = size
        self._vocab: dict[str, int] = {}
        self._lock = threading.Lock()  # misses only: a token must get one id under concurrent requests
        self._kept: SentenceTokens | None = None
        self._kept_rows: dict[str, int] = {}
        self._same_ids = False  # the kept copy's token ids are this cache's

    def keep(self, kept: SentenceTokens, rows: dict[str, int]) -> None:
        """Read a chunk's split from `kept` (by its row in `rows`, chunk id → row) instead of splitting it:
        a store too large to split at start-up (rag/retrieval/sentence_tokens.py)."""
        self._kept, self._kept_rows = kept, rows
        # One id space with the copy's, so a kept chunk's ids are read, not looked up token by token
        # (2 ms of a first-seen question's ~25 at 100x: bench/results/20261207-stop54-scale-latency.md).
        with self._lock:
            for t in kept.vocab:
                self._vocab.setdefault(t, len(self._vocab))
            self._same_ids = all(self._vocab[t] == i for i, t in enumerate(kept.vocab))

    def get(self, chunk_id: str, body: str) -> ChunkSentences:
        got = self._data.get(chunk_id)
        if got is not None:
            self._data.move_to_end(chunk_id)
            return got
        row = self._kept_rows.get(chunk_id) if self._kept is not None else None
        spans = self._kept.spans(row) if row is not None else None
        kept = spans is not None and self._same_ids
        if spans is None:
            spans = split(body)
        tokens = frozenset().union(*(t for _, _, t in spans)) if spans else frozenset(tokenize(body))
        with self._lock:
            if kept:
                ids = self._kept.token_ids_of(row)  # type: ignore[union-attr]
            else:
                ids = np.sort(
                    np.fromiter((self._vocab.setdefault(t, len(self._vocab)) for t in tokens), np.int64)
                )
            got = ChunkSentences(spans, tokens, ids)
            self._data[chunk_id] = got
            if len(self._data) > self._size:
                self._data.popitem(last=False)
        return got
