"""Every chunk of the store in memory, for filters, clause lookup and exact dense search by document."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from langchain_core.documents import Document

from rag.core.models import Filters
from rag.retrieval.chunk_disk import ChunkDisk
from rag.retrieval.chunk_records import ChunkRecords, document
from rag.store.file_rows import FileRows
from rag.store.index import date_number


@dataclass
class ChunkTable:
    """All chunks in memory: filters, clause lookup and document-scoped dense search without a round
    trip to the store. `vectors` are the stored embeddings, one row per chunk (1.5 KiB each), read from
    the copy on disk (`disk`) for a store too large to hold."""

    docs: Sequence[Document]  # a list, or for a store kept on disk compact records (chunk_records.py)
    vectors: np.ndarray | FileRows = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    by_id: dict[str, int] = field(default_factory=dict)
    # columns read over many rows a question, without building their Documents
    ids: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    # doc_id → its rows; np.isin over 100k ids cost ms
    rows_of: dict[str, np.ndarray] = field(default_factory=dict)
    doc_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    publishers: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    dates: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    # Set for a store above `chunk_memory_max`: `docs` then carry no text and `vectors` map the copy.
    disk: ChunkDisk | None = None

    @classmethod
    def build(cls, docs: list[Document], vectors: np.ndarray | None = None) -> ChunkTable:
        t = cls(docs=docs) if vectors is None else cls(docs=docs, vectors=vectors)
        t.ids = [str(d.id) for d in docs]
        t.by_id = {cid: i for i, cid in enumerate(t.ids)}
        t.refs = [str(d.metadata.get("refs") or "") for d in docs]
        t.doc_ids = np.array([d.metadata["doc_id"] for d in docs], dtype=object)
        rows: dict[str, list[int]] = {}
        for i, doc_id in enumerate(t.doc_ids):
            rows.setdefault(doc_id, []).append(i)
        t.rows_of = {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}
        publishers = [str(d.metadata.get("publisher", "")) for d in docs]
        # one string per publisher, not one per chunk (11 MiB at 100x), lowered once
        lower = {p: p.lower() for p in set(publishers)}
        t.publishers = np.array([lower[p] for p in publishers], dtype=object)
        t.dates = np.array([int(d.metadata.get("date_num", 0)) for d in docs], dtype=np.int64)
        return t

    def doc(self, row: int) -> Document:
        """The chunk with its text, read from the copy on disk when the table keeps none."""
        if self.disk is None:
            return self.docs[row]
        # The records' metadata, not a Document of it built and kept on the way (`ChunkRecords[row]`).
        records = cast(ChunkRecords, self.docs)  # `keep_on_disk` set them
        return document(self.ids[row], self.disk.text(row), records.metadata(row))

    def candidate(self, row: int) -> Document:
        """What a search candidate carries until it is returned: its id and document. A store kept on disk
        builds no metadata for the ~200 candidates a question touches (1.5 ms a question at 100x); the
        returned hits get `doc(row)`."""
        if self.disk is None:
            return self.docs[row]
        return document(self.ids[row], "", {"doc_id": self.doc_ids[row]})

    def in_memory(self) -> bool:
        """Every chunk's vector is held in memory (no copy on disk, and the table not empty of them)."""
        return self.disk is None and len(self.vectors) == len(self.docs)

    def keep_on_disk(self, disk: ChunkDisk) -> None:
        """Drop the texts and vectors held in memory for the copy's (same rows, same order), and hold the
        metadata as records."""
        self.disk, self.vectors = disk, disk.vectors
        self.docs = ChunkRecords(self.docs)

    def mask(self, filters: Filters | None, doc_ids: tuple[str, ...] = ()) -> np.ndarray:
        m = np.ones(len(self.docs), dtype=bool)
        if filters:
            if filters.doc_ids:
                m &= self.doc_mask(filters.doc_ids)
            if filters.publisher:
                needle = filters.publisher.lower()
                m &= np.array([needle in p for p in self.publishers], dtype=bool)
            if filters.date_from:
                m &= self.dates >= date_number(filters.date_from)
            if filters.date_to:
                m &= self.dates <= date_number(filters.date_to, end=True)
        if doc_ids:
            m &= self.doc_mask(doc_ids)
        return m

    def doc_mask(self, doc_ids: Iterable[str]) -> np.ndarray:
        m = np.zeros(len(self.docs), dtype=bool)
        for doc_id in doc_ids:
            rows = self.rows_of.get(doc_id)
            if rows is not None:
                m[rows] = True
        return m


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first: a partial partition, not a sort of 100k scores."""
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return top[np.argsort(-scores[top], kind="stable")]


def share_strings(docs: list[Document]) -> None:
    """One string object per distinct metadata value: title, licence, URL and publisher repeat on every
    chunk of a document, and Chroma hands back a fresh copy each time (~0.4 KiB a chunk)."""
    seen: dict[str, str] = {}
    for d in docs:
        md = d.metadata
        for key, value in md.items():
            if isinstance(value, str) and len(value) < 512:
                md[key] = seen.setdefault(value, value)
