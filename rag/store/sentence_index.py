"""The sentence index: every chunk's sentences embedded on their own, beside the chunks (small-to-big).

A question in everyday words often matches the one sentence that answers it far better than the
whole passage around it, whose vector is an average over several topics. `<collection>__sentences`
holds one record per sentence (id `<chunk id>:<position>`, metadata: chunk id, document, position);
the searcher matches questions against them and returns the parent chunks, and the reader scores
each candidate sentence by its own similarity.

Sentences are derived data: they are written after their chunks and kept in step per document by
`sync_document`, so a crash in between leaves some sentences missing (the chunk is still found by
its own vector) and the next ingest adds them.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rag.store.client import COLLECTION_METADATA, read_pages
from rag.store.file_rows import FileRows
from rag.text.sentences import sentence_spans

log = logging.getLogger(__name__)

# A "sentence" of one or two words is a label or a stray heading mark: not worth a vector.
MIN_WORDS = 3
WRITE_BATCH = 5000  # sentences embedded and written at once


def sentence_id(chunk_id: str, position: int) -> str:
    return f"{chunk_id}:{position}"


def chunk_sentences(body: str) -> list[tuple[int, str]]:
    """(position, text) of the sentences worth indexing; positions match `sentence_spans(body)`."""
    out = []
    for i, (a, b) in enumerate(sentence_spans(body)):
        text = body[a:b].lstrip("#").strip()
        if len(text.split()) >= MIN_WORDS:
            out.append((i, text))
    return out


class SentenceIndex:
    """One Chroma collection of sentence vectors, written per document and read whole by the searcher."""

    def __init__(self, client: Any, collection: str, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.collection = client.get_or_create_collection(
            f"{collection}__sentences", metadata=COLLECTION_METADATA
        )
        self.encode = encode

    def sync_document(self, doc_id: str, chunks: list[tuple[str, str]]) -> int:
        """Make the document's sentence records match its chunks `(chunk id, body)`; returns how many
        sentences were embedded. Unchanged chunks keep their sentences (ids are content hashes)."""
        wanted: dict[str, tuple[str, int, str]] = {}
        for chunk_id, body in chunks:
            for pos, text in chunk_sentences(body):
                wanted[sentence_id(chunk_id, pos)] = (chunk_id, pos, text)
        have = set(self.collection.get(where={"doc_id": doc_id}, include=[])["ids"])
        stale = sorted(have - wanted.keys())
        if stale:
            self.collection.delete(ids=stale)
        new = [i for i in wanted if i not in have]
        for start in range(0, len(new), WRITE_BATCH):
            ids = new[start : start + WRITE_BATCH]
            vectors = self.encode([wanted[i][2] for i in ids])
            self.collection.upsert(
                ids=ids,
                embeddings=vectors,
                metadatas=[{"doc_id": doc_id, "chunk_id": wanted[i][0], "pos": wanted[i][1]} for i in ids],
            )
        return len(new)

    def remove_document(self, doc_id: str) -> None:
        self.collection.delete(where={"doc_id": doc_id})

    def drop_orphans(self, chunk_ids: set[str]) -> int:
        """Delete sentences whose chunk is gone (a crash between a chunk delete and its sentences')."""
        orphans = [
            i
            for page in read_pages(self.collection, ["metadatas"])
            for i, md in zip(page["ids"], page["metadatas"])
            if md.get("chunk_id") not in chunk_ids
        ]
        if orphans:
            self.collection.delete(ids=orphans)
        return len(orphans)

    def count(self) -> int:
        return self.collection.count()

    def cached_vectors(
        self, folder: Path | None, fingerprint: str, mmap: bool = False, force: bool = False
    ) -> tuple[list[tuple[str, int]], np.ndarray | FileRows]:
        """`vectors()`, kept in `folder` for the store's `fingerprint`, as the BM25 index is. Read through
        Chroma, 72k sentences (10× the corpus) took 7.3 s and a transient 490 MiB of Python floats at every
        start; from the saved copy, well under a second. And any read of the sentence collection, even its
        count, makes Chroma load it whole: 1.5 GiB at 100×, which a server that scores sentences from this
        copy never needs. So the copy is trusted for its fingerprint, and ingest, the one writer, rewrites
        it (`force`) after it adds sentences, also those a crash left out under unchanged chunks.
        `mmap`: the vectors stay on disk, their rows read as asked (a store too large to scan whole)."""
        if folder is None:
            return self.vectors()
        keys_file, vectors_file = folder / "sentences.keys.npz", folder / "sentences.npy"
        try:
            if not force:
                with np.load(keys_file) as got:
                    if str(got["key"]) == fingerprint:
                        keys = list(zip(got["chunk_ids"].tolist(), got["positions"].tolist()))
                        vectors = FileRows(vectors_file) if mmap else np.load(vectors_file)
                        if len(vectors) == len(keys) and vectors.dtype == np.float32:
                            return keys, vectors
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            pass  # none yet, or unreadable (a torn write, a full disk): read the store and write it afresh
        keys, vectors = self.vectors()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tag = os.getpid()  # workers may write at once
            np.save(folder / f"sentences.{tag}.tmp.npy", vectors)
            np.savez(
                folder / f"sentences.keys.{tag}.tmp.npz",
                key=np.asarray(fingerprint),
                chunk_ids=np.asarray([c for c, _ in keys], dtype=str),
                positions=np.asarray([p for _, p in keys], dtype=np.int64),
            )
            # The vectors first, the keys (which name the fingerprint) last: a reader sees both old, the
            # new vectors under an old key (reread), or both new.
            (folder / f"sentences.{tag}.tmp.npy").replace(vectors_file)
            (folder / f"sentences.keys.{tag}.tmp.npz").replace(keys_file)
        except OSError as exc:  # a read-only data dir still serves
            log.warning("could not persist the sentence vectors: %s", exc)
        return keys, vectors

    def nearest(self, qvec: np.ndarray, n: int) -> list[tuple[str, int, float]]:
        """The n sentences nearest the question through the collection's HNSW index: (chunk id,
        position, cosine). For stores too large to scan every sentence vector per question."""
        got = self.collection.query(
            query_embeddings=[qvec.tolist()], n_results=n, include=["metadatas", "distances"]
        )
        return [
            (str(md["chunk_id"]), int(md["pos"]), 1.0 - float(d))
            for md, d in zip(got["metadatas"][0], got["distances"][0], strict=False)
        ]

    def vectors(self) -> tuple[list[tuple[str, int]], np.ndarray]:
        """Every sentence as (chunk id, position) and its vector, rows in the same order."""
        keys: list[tuple[str, int]] = []
        rows: list[np.ndarray] = []
        for page in read_pages(self.collection, ["metadatas", "embeddings"]):
            keys += [(str(md["chunk_id"]), int(md["pos"])) for md in page["metadatas"]]
            if len(page["ids"]):
                rows.append(np.asarray(page["embeddings"], dtype=np.float32))
        return keys, (np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32))
