"""Single words' vectors under the bundled MiniLM, for the reader's soft coverage (rag/reader/features.py).

The reader's coverage counts a question's words only where a sentence has the same word; "switch off"
and "deactivate", "kids" and "children" share none. Each word's vector is the ONNX query encoder's
embedding of the word alone. A word costs about 0.6 ms to embed, so the corpus's vocabulary (about 10,000
words, 15 MB) is embedded at the first start after an ingest and kept in `<data dir>/models/`; a
question's own words that the corpus lacks are embedded ahead, on the second core, while the chain
searches (`ahead`). Written here: no library scores a reader's candidates this way, and gensim-style
static word vectors do not ship here (../shared/MODELS.md), so the bundled MiniLM supplies them.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from functools import lru_cache
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
SHARE_DIGITS = 6
MEMO_QUESTIONS = 16  # questions whose candidates' shares are kept (`_shares`)
TEXT_ROWS_KEPT = 1 << 16  # texts whose words' rows are kept (`_text_rows`): the corpus's ~8,000 and more


@lru_cache(maxsize=1 << 16)  # the same candidate sentences come back question after question
def content_words(text: str) -> tuple[str, ...]:
    """Lower-case words of three letters or more that are not stop words, each once, in order."""
    return tuple(dict.fromkeys(w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS))


# A whole passage (the evidence rerank's) is kept in a cache of its own, a smaller one: at 100x the corpus
# its ~90,000 passages, ~1.5 KB each, would otherwise fill the sentences' cache and hold ~100 MB.
LONG_TEXT = 400
PASSAGES_KEPT = 4096
_passage_words = lru_cache(maxsize=PASSAGES_KEPT)(content_words.__wrapped__)


def text_words(text: str) -> tuple[str, ...]:
    """`content_words`, from the cache for its length."""
    return content_words(text) if len(text) <= LONG_TEXT else _passage_words(text)


class WordVectors:
    def __init__(
        self,
        encode: Callable[[list[str]], np.ndarray],
        path: Path | None = None,
        submit: Callable[..., Future[None]] | None = None,
    ) -> None:
        """`encode`: rows for short texts (rag/store/embedder.py `encode_short`); `path`: the kept table;
        `submit`: runs a call on the thread that embeds ahead (rag/store/embedder.py `ahead`)."""
        self._encode = encode
        self.path = path
        self._submit = submit
        self._pending: dict[str, Future[None]] = {}
        self._index: dict[str, int] = {}
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._dirty = False  # words or the corpus changed since the table was read or saved
        self.corpus = ""  # the fingerprint of the store whose words the table holds (`learn`)
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, ...], dict[str, np.ndarray]] = {}  # asked words → text → shares
        self._by_text: dict[int, np.ndarray] = {}  # a text's hash → its words' rows (`_text_rows`)
        if path is not None and path.exists():
            try:
                with np.load(path) as kept:
                    words, matrix = kept["words"].tolist(), np.asarray(kept["vectors"], dtype=np.float32)
                    self.corpus = str(kept["corpus"]) if "corpus" in kept.files else ""
                if len(words) != len(matrix):
                    raise ValueError("words and vectors differ in length")
                self._index, self._matrix = {w: i for i, w in enumerate(words)}, matrix
            except (OSError, ValueError, KeyError) as exc:  # a damaged table is rebuilt as words are met
                log.warning("ignoring the word vectors at %s: %s", path, exc)

    def __len__(self) -> int:
        return len(self._index)

    def ahead(self, question: str) -> None:
        """Start embedding the question's words the table lacks ("kids", "chatbot") on the second core
        while the chain searches: one encoder call, about 3 ms, for most questions people type."""
        if self._submit is None:
            return
        missing = [w for w in content_words(question) if w not in self._index and w not in self._pending]
        if not missing:
            return
        pending = self._submit(self._add, missing)
        for w in missing:
            self._pending[w] = pending
        pending.add_done_callback(lambda _: [self._pending.pop(w, None) for w in missing])

    def _rows(self, words: Sequence[str]) -> list[int]:
        """Their rows in the table; words not kept yet are embedded in one batch first (or, if embedding
        ahead has started on them, waited for; if it has not started, done here instead)."""
        for pending in {id(f): f for f in map(self._pending.get, words) if f is not None}.values():
            if not pending.cancel():
                pending.result()
        self._add([w for w in dict.fromkeys(words) if w not in self._index])
        return [self._index[w] for w in words]

    def _text_rows(self, texts: list[str], words: list[tuple[str, ...]]) -> list[np.ndarray]:
        """Each text's words' rows, kept per text: the evidence rerank reads ~40 whole passages a
        question (~4,000 words), and looking each word up again was most of its cost. The table only
        grows, so a word's row never changes. Words not kept yet are embedded in one batch, as before."""
        # Keyed by the text's hash, not the text: whole passages as keys would hold ~1.5 KB each.
        keys = [hash(t) for t in texts]
        out = [self._by_text.get(key) for key in keys]
        missing = [i for i, got in enumerate(out) if got is None]
        if missing:
            rows = self._rows([w for i in missing for w in words[i]])
            if len(self._by_text) + len(missing) > TEXT_ROWS_KEPT:
                self._by_text.clear()
            at = 0
            for i in missing:
                out[i] = self._by_text[keys[i]] = np.asarray(rows[at : at + len(words[i])], dtype=np.int64)
                at += len(words[i])
        return out  # type: ignore[return-value]

    def prefill(self, texts: Iterable[str]) -> None:
        """Split these passages into words and look their rows up now, so that the evidence rerank does not
        on a user's first questions (the words must be in the table: after `learn`)."""
        texts = list(texts)
        self._text_rows(texts, [text_words(t) for t in texts])

    def _add(self, missing: list[str]) -> None:
        if missing:
            rows = np.asarray(self._encode(missing), dtype=np.float32).reshape(len(missing), -1)
            with self._lock:
                new = [(w, r) for w, r in zip(missing, rows, strict=True) if w not in self._index]
                if new:
                    start = len(self._index)
                    grown = np.stack([r for _, r in new])
                    self._matrix = np.vstack([self._matrix, grown]) if len(self._matrix) else grown
                    self._index.update((w, start + i) for i, (w, _) in enumerate(new))
                    self._dirty = True

    def vectors(self, words: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per word."""
        rows = self._rows(words)
        return self._matrix[rows]

    def learn(self, texts: Iterable[str], corpus: str = "") -> int:
        """Embed the words of `texts` not kept yet, those of the store whose fingerprint is `corpus`;
        how many were new."""
        vocab = dict.fromkeys(w for t in texts for w in content_words(t))
        new = [w for w in vocab if w not in self._index]
        for i in range(0, len(new), 512):
            self._rows(new[i : i + 512])
        if corpus != self.corpus:
            self.corpus, self._dirty = corpus, True
        return len(new)

    def save(self) -> None:
        """Write the table beside the store when it changed (atomically: a crash leaves the old one)."""
        if self.path is None or not self._dirty:
            return
        with self._lock:  # a word added while the file is written marks the table changed again
            words, matrix, self._dirty = list(self._index), self._matrix, False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            corpus = np.asarray(self.corpus)
            np.savez(fh, words=np.asarray(words), vectors=matrix[: len(words)], corpus=corpus)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would keep other users of the data dir out
        os.replace(tmp, self.path)
        log.info("kept %d word vectors in %s", len(words), self.path)

    def soft_coverage(self, question: str, texts: Sequence[str]) -> list[float]:
        """For each text, the share of the question's words it has or has a near-synonym of: each word's
        best cosine to the text's words, from SOFT_FLOOR up, weighted by how few of `texts` hold the word
        (an IDF over the candidates: "AI" is in all of them). Vectorised: one product over the candidates'
        vocabulary, then each text's maximum over its own words' columns."""
        asked = content_words(question)
        words = [text_words(t) for t in texts]
        lens = [len(ws) for ws in words]
        if not asked or not any(lens):
            return [0.0] * len(texts)
        held = [frozenset(ws) for ws in words]
        df = [sum(w in ws for ws in held) for w in asked]
        idf = np.log1p(len(texts) / (1.0 + np.asarray(df, dtype=np.float64)))
        shares = self._shares(asked, texts, words)
        out = np.zeros(len(texts))
        filled = [i for i, n in enumerate(lens) if n]
        share = np.column_stack([shares[texts[i]] for i in filled])  # asked x texts with words
        out[filled] = (idf[:, None] * share).sum(axis=0) / idf.sum()
        return out.tolist()

    def _shares(
        self, asked: tuple[str, ...], texts: Sequence[str], words: list[tuple[str, ...]]
    ) -> dict[str, np.ndarray]:
        """Each text's clipped best cosine per asked word. Kept for the last few questions: the reader
        scores a question's candidates twice (choosing the passages, then reading the chosen ones), and
        the second time is then only the IDF (about 0.7 ms an answer saved)."""
        with self._lock:
            memo = self._memo.pop(asked, None) or {}
            self._memo[asked] = memo  # most recent last
            while len(self._memo) > MEMO_QUESTIONS:
                del self._memo[next(iter(self._memo))]
        todo = [i for i, ws in enumerate(words) if ws and texts[i] not in memo]
        if todo:
            lens = [len(words[i]) for i in todo]
            cols = np.concatenate(self._text_rows([texts[i] for i in todo], [words[i] for i in todo]))
            asked_rows = self._rows(asked)  # before the matrix is read: it may grow
            kept, inverse = np.unique(cols, return_inverse=True)
            # In float64, then on a 1e-6 grid: BLAS sums in an order that depends on the matrix's shape,
            # and the shape on which texts were scored before (the memo), so float32 sims differed in
            # their last bits between two trainings on the same data (OpenBLAS on an AVX-512 machine).
            asked_vecs = self._matrix[asked_rows].astype(np.float64)
            sims = asked_vecs @ self._matrix[kept].astype(np.float64).T  # asked x their vocabulary
            starts = np.cumsum([0, *lens[:-1]])
            best = np.maximum.reduceat(sims[:, inverse], starts, axis=1)  # asked x texts
            share = np.round(np.clip((best - SOFT_FLOOR) / (1 - SOFT_FLOOR), 0.0, 1.0), SHARE_DIGITS)
            memo.update((texts[i], share[:, j]) for j, i in enumerate(todo))
        return memo
