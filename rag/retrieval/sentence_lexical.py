"""BM25 over single sentences, ranking each chunk by its best sentence: the lexical half of small-to-big.

Chunk-level BM25 dilutes a rare term that one sentence of a long passage carries: the AI Act's Annex III
chunk on "creditworthiness" sits among employment and public-benefit items, and "a lender decides if I get
a loan" (with its glossary term) ranked it below 30 chunks that say "high-risk" many times over. Scored
sentence by sentence, the sentence that holds the asked terms wins. bm25s does the scoring; the sentences
are the selector's own split (`sentence_spans`, as rag/sentence_cache.py splits), so a chunk's best
sentence here is one the reader can quote. Kept beside the store like the chunks' BM25
(rag/retrieval/lexical.py): building it costs half a second at this corpus's size, paid once per store
fingerprint. Like the dense sentence scan, it is left out above `sentence_scan_max` sentences: at 10× the
corpus a question's scores cost 0.5 ms, at 100× about 5.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.retrieval.lexical import LexicalIndex
from rag.text.sentences import sentence_spans

log = logging.getLogger(__name__)

_ROWS = "chunk_rows.npy"


class SentenceLexical:
    def __init__(
        self, index: LexicalIndex, chunk_rows: np.ndarray, n_chunks: int, expansion_weight: float = 1.0
    ) -> None:
        self.index = index
        self.chunk_rows = chunk_rows  # sentence → its chunk's row in the chunk table, in row order
        self.n_chunks = n_chunks
        self.expansion_weight = expansion_weight
        # Each chunk's first sentence: a chunk's best is one reduceat over all scores (0.4 ms at 10× the
        # corpus where maximum.at took 0.7).
        self._starts = (
            np.flatnonzero(np.r_[True, chunk_rows[1:] != chunk_rows[:-1]]) if len(chunk_rows) else chunk_rows
        )
        self._owners = chunk_rows[self._starts]

    @classmethod
    def build(cls, bodies: list[str], fingerprint: str, expansion_weight: float = 1.0) -> SentenceLexical:
        """`bodies`: the chunk texts (without their heading path) in the chunk table's row order."""
        texts: list[str] = []
        rows: list[int] = []
        for row, body in enumerate(bodies):
            for a, b in sentence_spans(body):
                texts.append(body[a:b])
                rows.append(row)
        index = LexicalIndex.build([str(i) for i in range(len(texts))], texts, fingerprint)
        return cls(index, np.asarray(rows, dtype=np.int64), len(bodies), expansion_weight)

    def save(self, folder: Path) -> None:
        self.index.save(folder)  # renamed into place whole, so a reader never sees half of it
        np.save(folder / _ROWS, self.chunk_rows)

    @classmethod
    def load(
        cls, folder: Path, fingerprint: str, n_chunks: int, mmap: bool = False, expansion_weight: float = 1.0
    ) -> SentenceLexical | None:
        """The kept copy for this fingerprint, or None."""
        index = LexicalIndex.load(folder, fingerprint, mmap=mmap)
        try:
            rows = np.load(folder / _ROWS)
        except (OSError, ValueError):
            return None
        if index is None or len(rows) != len(index.ids):
            return None
        if len(rows) and (int(rows[-1]) >= n_chunks or bool(np.any(np.diff(rows) < 0))):
            return None
        return cls(index, rows, n_chunks, expansion_weight)

    def __len__(self) -> int:
        return len(self.chunk_rows)

    def best_per_chunk(self, query: str, expansion: str = "") -> np.ndarray:
        """Each chunk's best sentence BM25 score, the expansion's terms at `expansion_weight`; -1 for a
        chunk none of whose sentences match (as `SentenceTable.best_per_chunk` marks one it did not score)."""
        scores = self.index.scores(query)
        if expansion and self.expansion_weight:
            scores = scores + self.expansion_weight * self.index.scores(expansion)
        best = np.full(self.n_chunks, -1.0, dtype=np.float32)
        if len(scores):
            top = np.maximum.reduceat(scores, self._starts)
            best[self._owners] = np.where(top > 0, top, -1.0)
        return best


def sentence_lexical(
    bodies: Callable[[], list[str]],
    n_chunks: int,
    folder: Path | None,
    fingerprint: str,
    *,
    mmap: bool = False,
    expansion_weight: float = 1.0,
) -> SentenceLexical:
    """The kept copy for this content, or one built now from `bodies()` (and kept when there is a folder)."""
    if folder is not None:
        kept = SentenceLexical.load(folder, fingerprint, n_chunks, mmap, expansion_weight)
        if kept is not None:
            return kept
    built = SentenceLexical.build(bodies(), fingerprint, expansion_weight)
    if folder is not None:
        try:
            built.save(folder)
        except OSError as exc:  # a read-only data dir still serves
            log.warning("could not persist the sentence BM25 index: %s", exc)
    return built
