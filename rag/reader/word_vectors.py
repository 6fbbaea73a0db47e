"""Single words' vectors under the bundled MiniLM, for the reader's soft coverage (rag/reader/features.py).

The reader's coverage counts a question's words only where a sentence has the same word; "switch off"
and "deactivate", "kids" and "children" share none. Each word's vector is the ONNX query encoder's
embedding of the word alone. A word costs about 0.6 ms to embed, so the corpus's vocabulary (about 7,000
words) is embedded once, at the first start on a data dir, and kept in `<data dir>/models/`; a question's
own words that the corpus lacks are embedded when met (one batch a question) and kept for the next save.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from rag.text.tokenize import STOP_WORDS

log = logging.getLogger(__name__)

FILE_NAME = "word_vectors.npz"
_WORD = re.compile(r"[a-z][a-z0-9-]+")
# A word's best cosine to a sentence's words counts from this floor up (scaled to 0..1). Out of fold on dev
# (2026-12-06), top-1 / top-3 for floors 0.2-0.7 were 0.555-0.562 / 0.779-0.792 against 0.553 / 0.768
# without the feature; 0.4 had the best top-1.
SOFT_FLOOR = 0.4


def content_words(text: str) -> list[str]:
    """Lower-case words of three letters or more that are not stop words, each once, in order."""
    return list(dict.fromkeys(w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS))


class WordVectors:
    def __init__(self, encode: Callable[[list[str]], np.ndarray], path: Path | None = None) -> None:
        """`encode`: rows for short texts (rag/store/embedder.py `encode_short`); `path`: the kept table."""
        self._encode = encode
        self.path = path
        self._rows: dict[str, np.ndarray] = {}
        self._saved = 0
        self._lock = threading.Lock()
        if path is not None and path.exists():
            try:
                with np.load(path) as kept:
                    words, matrix = kept["words"].tolist(), kept["vectors"]
                self._rows = dict(zip(words, matrix, strict=True))
                self._saved = len(self._rows)
            except (OSError, ValueError, KeyError) as exc:  # a damaged table is rebuilt as words are met
                log.warning("ignoring the word vectors at %s: %s", path, exc)

    def __len__(self) -> int:
        return len(self._rows)

    def vectors(self, words: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per word; words not kept yet are embedded in one batch."""
        missing = [w for w in dict.fromkeys(words) if w not in self._rows]
        if missing:
            rows = np.asarray(self._encode(missing), dtype=np.float32).reshape(len(missing), -1)
            with self._lock:
                self._rows.update(zip(missing, rows, strict=True))
        return np.stack([self._rows[w] for w in words]) if words else np.zeros((0, 0), dtype=np.float32)

    def learn(self, texts: Iterable[str]) -> int:
        """Embed the words of `texts` not kept yet; how many were new."""
        vocab = dict.fromkeys(w for t in texts for w in content_words(t))
        new = [w for w in vocab if w not in self._rows]
        for i in range(0, len(new), 512):
            self.vectors(new[i : i + 512])
        return len(new)

    def save(self) -> None:
        """Write the table beside the store when it grew (atomically: a crash leaves the old one)."""
        if self.path is None or len(self._rows) == self._saved:
            return
        with self._lock:
            words = list(self._rows)
            matrix = np.stack([self._rows[w] for w in words])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, words=np.asarray(words), vectors=matrix)
        os.replace(tmp, self.path)
        self._saved = len(words)
        log.info("kept %d word vectors in %s", len(words), self.path)

    def soft_coverage(self, question: str, texts: Sequence[str]) -> list[float]:
        """For each text, the share of the question's words it has or has a near-synonym of: each word's
        best cosine to the text's words, from SOFT_FLOOR up, weighted by how few of `texts` hold the word
        (an IDF over the candidates: "AI" is in all of them)."""
        asked = content_words(question)
        if not asked or not texts:
            return [0.0] * len(texts)
        words = [content_words(t) for t in texts]
        sets = [set(w) for w in words]
        idf = np.asarray([math.log(1 + len(texts) / (1 + sum(w in s for s in sets))) for w in asked])
        vocab = list(dict.fromkeys(w for ws in words for w in ws))
        if not vocab:
            return [0.0] * len(texts)
        sims = self.vectors(asked) @ self.vectors(vocab).T  # asked x vocab
        column = {w: i for i, w in enumerate(vocab)}
        out = []
        for ws in words:
            if not ws:
                out.append(0.0)
                continue
            best = sims[:, [column[w] for w in ws]].max(axis=1)
            share = np.clip((best - SOFT_FLOOR) / (1 - SOFT_FLOOR), 0.0, 1.0)
            out.append(float((idf * share).sum() / idf.sum()))
        return out
