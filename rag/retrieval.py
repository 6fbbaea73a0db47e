"""Hybrid, clause- and document-aware retrieval, exposed as a LangChain BaseRetriever.

dense (Chroma, MiniLM) + BM25 (identifier-preserving tokens) → weighted reciprocal-rank fusion
→ clause references ("Article 5(1)(f)") ranked first → documents named in the question boosted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.core.models import Filters
from rag.core.settings import Settings
from rag.lexical import LexicalIndex
from rag.references import DocAlias, QueryRefs, parse_query, ref_score
from rag.store.index import Index, date_number

log = logging.getLogger(__name__)

# A chunk from a document the question does not name keeps this share of its fused score.
OTHER_DOC_FACTOR = 0.5
REFRESH_EVERY_S = 5.0


@dataclass
class Hit:
    doc: Document
    score: float = 0.0
    dense: float = 0.0  # cosine similarity; 0 when not among the dense candidates
    bm25: float = 0.0
    ref: float = 0.0  # clause-reference match, 0..1
    dense_rank: int | None = None
    bm25_rank: int | None = None

    @property
    def id(self) -> str:
        return str(self.doc.id)


@dataclass
class ChunkTable:
    """All chunks in memory: filters, clause lookup and document-scoped dense search without a round
    trip to the store. `vectors` are the stored embeddings, one row per chunk (1.5 KiB each)."""

    docs: list[Document]
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    by_id: dict[str, int] = field(default_factory=dict)
    by_seq: dict[tuple[str, int], int] = field(default_factory=dict)
    rows_of: dict[str, np.ndarray] = field(
        default_factory=dict
    )  # doc_id → its rows; np.isin over 100k ids cost ms
    doc_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    publishers: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    dates: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))

    @classmethod
    def build(cls, docs: list[Document], vectors: np.ndarray | None = None) -> ChunkTable:
        t = cls(docs=docs) if vectors is None else cls(docs=docs, vectors=vectors)
        t.by_id = {str(d.id): i for i, d in enumerate(docs)}
        t.by_seq = {(d.metadata["doc_id"], int(d.metadata.get("seq", 0))): i for i, d in enumerate(docs)}
        t.doc_ids = np.array([d.metadata["doc_id"] for d in docs], dtype=object)
        rows: dict[str, list[int]] = {}
        for i, doc_id in enumerate(t.doc_ids):
            rows.setdefault(doc_id, []).append(i)
        t.rows_of = {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}
        t.publishers = np.array([str(d.metadata.get("publisher", "")).lower() for d in docs], dtype=object)
        t.dates = np.array([int(d.metadata.get("date_num", 0)) for d in docs], dtype=np.int64)
        return t

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

    def neighbour(self, doc: Document, offset: int) -> Document | None:
        i = self.by_seq.get((doc.metadata["doc_id"], int(doc.metadata.get("seq", 0)) + offset))
        return self.docs[i] if i is not None else None


class Searcher:
    """Candidate generation and fusion over one Index; thread-safe, refreshes when the store changes."""

    def __init__(self, index: Index, settings: Settings, aliases: list[DocAlias]) -> None:
        self.index = index
        self.settings = settings
        self.aliases = aliases
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self.table = ChunkTable.build([])
        self.lexical: LexicalIndex | None = None
        self.refresh(force=True)

    # -- keeping the in-memory side in step with the store ---------------------------------------
    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_EVERY_S:
            return
        with self._lock:
            self._checked_at = now
            fingerprint = self.index.fingerprint()
            if not force and self.lexical and self.lexical.fingerprint == fingerprint:
                return
            docs, vectors = self.index.chunks_with_vectors()
            _share_strings(docs)
            order = sorted(
                range(len(docs)),
                key=lambda i: (docs[i].metadata["doc_id"], int(docs[i].metadata.get("seq", 0))),
            )
            docs = [docs[i] for i in order]
            if not docs:  # an empty store (fresh install, last document deleted): nothing to search yet
                self.table, self.lexical = ChunkTable.build([]), None
                return
            folder = self._bm25_dir()
            lexical = LexicalIndex.load(folder, fingerprint) if folder else None
            if lexical is None or lexical.ids != [str(d.id) for d in docs]:
                lexical = LexicalIndex.build(
                    [str(d.id) for d in docs], [d.page_content for d in docs], fingerprint
                )
                if folder:
                    try:
                        lexical.save(folder)
                    except OSError as exc:  # a read-only data dir still serves
                        log.warning("could not persist BM25 index: %s", exc)
            self.table = ChunkTable.build(docs, vectors[order])
            self.lexical = lexical
            log.info("retrieval tables ready: %d chunks", len(docs))

    def _bm25_dir(self):  # type: ignore[no-untyped-def]
        if self.settings.chroma_host:
            return None  # per worker, in memory: the shared store is the source of truth
        return self.settings.data_dir / "bm25"

    # -- search ---------------------------------------------------------------------------------
    def parse(self, query: str) -> QueryRefs:
        return parse_query(query, self.aliases)

    def search(self, query: str, *, fetch_k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        self.refresh()
        table, lexical = self.table, self.lexical
        if not table.docs or lexical is None:
            return []
        fetch_k = fetch_k or self.settings.fetch_k
        parsed = self.parse(query)
        base = table.mask(filters)
        named: tuple[str, ...] = ()
        if not (filters and filters.doc_ids):
            named = tuple(d for d in parsed.doc_ids if d in table.rows_of and base[table.rows_of[d]].any())

        qvec = np.asarray(self.index.embeddings.embed_query(query), dtype=np.float32)
        bm25_all = lexical.scores(query)
        hits: dict[str, Hit] = {}
        passes = [(base, 1.0)]
        if named:
            passes = [(base & table.mask(None, named), 1.0), (base, OTHER_DOC_FACTOR)]
        for mask, factor in passes:
            if not mask.any():
                continue
            self._fuse_pass(qvec, bm25_all, mask, fetch_k, factor, hits)

        if parsed.refs:
            self._add_clause_hits(parsed, base & (table.mask(None, named) if named else base), hits)
        ranked = sorted(hits.values(), key=lambda h: (h.ref > 0, h.ref, h.score), reverse=True)
        return ranked[: max(fetch_k, 1)]

    def _fuse_pass(
        self,
        qvec: np.ndarray,
        bm25_all: np.ndarray,
        mask: np.ndarray,
        fetch_k: int,
        factor: float,
        hits: dict[str, Hit],
    ) -> None:
        s, table = self.settings, self.table
        n = min(fetch_k, int(mask.sum()))
        dense = self._dense(qvec, mask, n)

        masked = np.where(mask, bm25_all, -1.0)
        lexical = [(table.docs[i].id, float(bm25_all[i])) for i in _top_n(masked, n) if masked[i] > 0]

        for rank, (cid, sim) in enumerate(dense):
            h = self._hit(str(cid), hits)
            if h is None:
                continue
            h.dense = max(h.dense, sim)
            h.dense_rank = rank if h.dense_rank is None else min(h.dense_rank, rank)
            h.score = max(h.score, 0.0) + factor * s.dense_weight / (s.rrf_k + rank + 1)
        for rank, (cid, score) in enumerate(lexical):
            h = self._hit(str(cid), hits)
            if h is None:
                continue
            h.bm25 = max(h.bm25, score)
            h.bm25_rank = rank if h.bm25_rank is None else min(h.bm25_rank, rank)
            h.score += factor * s.bm25_weight / (s.rrf_k + rank + 1)

    def _dense(self, qvec: np.ndarray, mask: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Top-n (chunk id, cosine) among the masked chunks.

        The whole store goes to Chroma's HNSW index (sub-linear as it grows). A filtered subset (a named
        document, a date range) is scored exactly here instead: Chroma's metadata-filtered query took
        5-8 ms for one document at 1x and grows with the filter, while a matrix product over the
        subset's rows takes well under one.
        """
        table = self.table
        if mask.all() or len(table.vectors) != len(table.docs):
            res = self.index.chunks.query(
                query_embeddings=[qvec.tolist()], n_results=n, include=["distances"]
            )
            return [(str(cid), 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0])]
        rows = np.flatnonzero(mask)
        sims = table.vectors[rows] @ qvec
        return [(str(table.docs[rows[i]].id), float(sims[i])) for i in _top_n(sims, n)]

    def _hit(self, cid: str, hits: dict[str, Hit]) -> Hit | None:
        if cid in hits:
            return hits[cid]
        i = self.table.by_id.get(cid)
        if i is None:
            return None  # written by another worker since our last refresh
        hits[cid] = Hit(doc=self.table.docs[i])
        return hits[cid]

    def _add_clause_hits(self, parsed: QueryRefs, mask: np.ndarray, hits: dict[str, Hit]) -> None:
        table = self.table
        for i in np.flatnonzero(mask):
            doc = table.docs[i]
            refs = doc.metadata.get("refs") or ""
            if not refs:
                continue
            score = ref_score(parsed.refs, set(refs.strip("|").split("|")))
            if score > 0:
                h = self._hit(str(doc.id), hits)
                if h is not None:
                    h.ref = max(h.ref, score)


def _top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the n highest scores, best first: a partial partition, not a sort of 100k scores."""
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
    return top[np.argsort(-scores[top], kind="stable")]


def _share_strings(docs: list[Document]) -> None:
    """One string object per distinct metadata value: title, licence, URL and publisher repeat on every
    chunk of a document, and Chroma hands back a fresh copy each time (~0.4 KiB a chunk)."""
    seen: dict[str, str] = {}
    for d in docs:
        md = d.metadata
        for key, value in md.items():
            if isinstance(value, str) and len(value) < 512:
                md[key] = seen.setdefault(value, value)


class HybridRetriever(BaseRetriever):
    """LangChain face of the Searcher: `invoke(query, k=...)` returns Documents with scores in metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None, **kwargs: Any
    ) -> list[Document]:
        k = k or self.k
        hits = self.searcher.search(
            query, fetch_k=max(k, self.searcher.settings.fetch_k), filters=self.filters
        )
        out = []
        for h in hits[:k]:
            md = {**h.doc.metadata, "score": h.score, "dense": h.dense, "bm25": h.bm25, "ref": h.ref}
            out.append(Document(id=h.doc.id, page_content=h.doc.page_content, metadata=md))
        return out
