"""The BM25 side of hybrid search: bm25s over our identifier-preserving tokenizer, persisted beside Chroma.

Every worker builds it from the shared store (or loads the copy saved for the same set of chunk ids),
so nothing per-process needs to be kept in sync by hand.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
from pathlib import Path

import bm25s
import numpy as np

from rag.text.tokenize import tokenize

log = logging.getLogger(__name__)


class LexicalIndex:
    def __init__(self, ids: list[str], model: bm25s.BM25, fingerprint: str) -> None:
        self.ids = ids
        self.model = model
        self.fingerprint = fingerprint
        self.vocab: set[str] = set(model.vocab_dict.keys()) if getattr(model, "vocab_dict", None) else set()

    @classmethod
    def build(cls, ids: list[str], texts: list[str], fingerprint: str) -> LexicalIndex:
        model = bm25s.BM25(k1=1.2, b=0.75)
        tokens = [tokenize(t) or ["\u2205"] for t in texts]  # bm25s rejects empty documents
        model.index(tokens, show_progress=False)
        return cls(ids, model, fingerprint)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (aligned with `ids`) for the query."""
        toks = [t for t in tokenize(query) if t in self.vocab]
        if not toks or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.model.get_scores(toks), dtype=np.float32)

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.model.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps({"fingerprint": self.fingerprint, "ids": self.ids}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)  # readers see the old copy or the new one, never half of one

    @classmethod
    def load(cls, folder: Path, fingerprint: str, mmap: bool = False) -> LexicalIndex | None:
        """The kept copy for this fingerprint, or None. `mmap`: the score matrix stays on disk, paged in
        column by column as queries touch its terms (a store too large to hold: 80 MiB at 100×)."""
        meta = folder / "ids.json"
        try:
            data = json.loads(meta.read_text())
            if data.get("fingerprint") != fingerprint:
                return None
            model = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False)
            return cls(list(data["ids"]), model, fingerprint)
        except (OSError, ValueError, KeyError) as exc:
            log.info("no usable BM25 copy at %s (%s); rebuilding", folder, exc)
            return None


def idf_from_bm25(index: LexicalIndex) -> dict[str, float]:
    """Document frequencies read off bm25s's sparse score matrix (column nnz), turned into IDF."""
    indptr = np.asarray(index.model.scores["indptr"])
    n = max(len(index.ids), 1)
    out: dict[str, float] = {}
    for tok, col in index.model.vocab_dict.items():
        if col + 1 >= len(indptr):
            continue
        df = int(indptr[col + 1] - indptr[col])
        out[tok] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return out
