"""Each chunk's sentences, split and tokenised, kept on disk beside the store for stores too large to split
at start-up.

The evidence selector scores a candidate passage sentence by sentence, and splitting and tokenising its
sentences is most of what a passage costs the first time it is met (rag/sentence_cache.py). Up to
`PREFILL_SENTENCES_MAX_CHUNKS` (rag/container.py) start-up does it for every chunk. Above that a question
paid for it: at 100× this corpus, 7,355 sentences tokenised over 40 questions, the selection's p95 13.6 ms
against a p50 of 1.4 ms (bench, 2026-12-05). Kept here instead, once per store fingerprint: the sentence
offsets in arrays, the token ids read as asked (rag/store/file_rows.py), and the vocabulary, written by the
first start (temporary folder, then a rename, as the chunk copy is); a passage's sentences are rebuilt
from them in a tenth of the time. They are the selector's own split (`split` in rag/sentence_cache.py),
so its choices cannot change.
"""

from __future__ import annotations

import json
import logging
import shutil
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.store.file_rows import FileRows

log = logging.getLogger(__name__)

Spans = list[tuple[int, int, frozenset[str]]]

_META = "meta.json"
_IDS = "ids.json"
_VOCAB = "vocab.json"
_CHUNKS = "chunk_offsets.npy"  # per chunk row: its first sentence, and one past its last
_BOUNDS = "bounds.npy"  # per sentence: start and end in the chunk body
_TOKEN_OFFSETS = "token_offsets.npy"  # per sentence: its first token, and one past its last
_TOKENS = "token_ids.npy"


@dataclass(frozen=True)
class SentenceTokens:
    """Sentence spans with their token sets, by chunk row in the chunk table's order."""

    vocab: list[str]
    chunk_offsets: np.ndarray
    bounds: np.ndarray
    token_offsets: np.ndarray
    token_ids: FileRows

    def spans(self, row: int) -> Spans | None:
        """The chunk's sentences as the selector splits them; None for a chunk kept without any (the
        selector then splits it itself)."""
        first, last = int(self.chunk_offsets[row]), int(self.chunk_offsets[row + 1])
        if first == last:
            return None
        offsets = self.token_offsets[first : last + 1].tolist()
        ids = self.token_ids[offsets[0] : offsets[-1]].tolist()
        base, vocab = offsets[0], self.vocab
        return [
            (a, b, frozenset([vocab[i] for i in ids[offsets[k] - base : offsets[k + 1] - base]]))
            for k, (a, b) in enumerate(self.bounds[first:last].tolist())
        ]

    def token_ids_of(self, row: int) -> np.ndarray:
        """The chunk's distinct token ids in `vocab`, sorted (what `spans` gives as sets of strings)."""
        first, last = int(self.chunk_offsets[row]), int(self.chunk_offsets[row + 1])
        a, b = int(self.token_offsets[first]), int(self.token_offsets[last])
        return np.unique(self.token_ids[a:b]).astype(np.int64)

    @classmethod
    def write(cls, folder: Path, fingerprint: str, ids: list[str], split: Iterable[Spans]) -> None:
        """`split`: each chunk's spans, in the order of `ids`. Compact arrays as it goes: at 100× this
        corpus 719k sentences and ~11M tokens would be ~0.5 GiB as Python lists."""
        vocab: dict[str, int] = {}
        chunk_offsets, bounds, token_offsets, token_ids = (
            array("q", [0]),
            array("i"),
            array("q", [0]),
            array("i"),
        )
        for spans in split:
            for a, b, tokens in spans:
                bounds.extend((a, b))
                token_ids.extend(vocab.setdefault(t, len(vocab)) for t in sorted(tokens))
                token_offsets.append(len(token_ids))
            chunk_offsets.append(len(bounds) // 2)
        if len(chunk_offsets) != len(ids) + 1:
            raise ValueError(f"{len(chunk_offsets) - 1} chunks split for {len(ids)} ids")
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / _CHUNKS, np.frombuffer(chunk_offsets, dtype=np.int64))
        np.save(tmp / _BOUNDS, np.frombuffer(bounds, dtype=np.int32).reshape(-1, 2))
        np.save(tmp / _TOKEN_OFFSETS, np.frombuffer(token_offsets, dtype=np.int64))
        np.save(tmp / _TOKENS, np.frombuffer(token_ids, dtype=np.int32))
        (tmp / _VOCAB).write_text(json.dumps(list(vocab)))
        (tmp / _IDS).write_text(json.dumps(ids))
        (tmp / _META).write_text(json.dumps({"fingerprint": fingerprint}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)  # readers see the old copy or the new one, never half of one

    @classmethod
    def load(cls, folder: Path, fingerprint: str, ids: list[str]) -> SentenceTokens | None:
        """The copy for this fingerprint and these chunk ids in this order, or None (stale, missing, torn)."""
        try:
            if json.loads((folder / _META).read_text()).get("fingerprint") != fingerprint:
                return None
            if json.loads((folder / _IDS).read_text()) != ids:
                return None
            got = cls(
                vocab=json.loads((folder / _VOCAB).read_text()),
                chunk_offsets=np.load(folder / _CHUNKS),
                # The offsets in memory (12 MB at 100x), the tokens read as asked: one read a passage, not
                # three (a read, system call and Python, ~17 µs here; a question splits ~40 passages).
                bounds=np.load(folder / _BOUNDS),
                token_offsets=np.load(folder / _TOKEN_OFFSETS),
                token_ids=FileRows(folder / _TOKENS),
            )
        except (OSError, ValueError, KeyError) as exc:
            log.info("no usable sentence-token copy at %s (%s)", folder, exc)
            return None
        sentences = int(got.chunk_offsets[-1]) if len(got.chunk_offsets) else -1
        consistent = (
            len(got.chunk_offsets) == len(ids) + 1
            and len(got.bounds) == sentences
            and len(got.token_offsets) == sentences + 1
            and int(got.token_offsets[-1]) == len(got.token_ids)
        )
        return got if consistent else None

    @classmethod
    def kept(
        cls, folder: Path, fingerprint: str, ids: list[str], split: Callable[[], Iterable[Spans]]
    ) -> SentenceTokens | None:
        """The copy for this content, written first when missing; None when it cannot be written (a
        read-only data dir: the selector then splits passages as they come, as before)."""
        got = cls.load(folder, fingerprint, ids)
        if got is not None:
            return got
        try:
            cls.write(folder, fingerprint, ids, split())
        except OSError as exc:
            log.warning("could not keep the split sentences on disk at %s: %s", folder, exc)
            return None
        return cls.load(folder, fingerprint, ids)
