"""Candidate generation over one Index: chunks ranked four ways (dense, BM25, and each by its best
sentence, dense and BM25) → weighted reciprocal-rank fusion → clause references ("Article 5(1)(f)")
ranked first → documents named in the question boosted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
from langchain_core.documents import Document
from opentelemetry.trace import NoOpTracer, Span, Tracer

from rag.core.models import Filters
from rag.core.settings import Settings
from rag.references import DocAlias, QueryRefs, parse_query
from rag.references.documents import matcher
from rag.retrieval.categories import STATUS_ASKED, list_rows
from rag.retrieval.fusion import fuse
from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.loading import load_tables
from rag.retrieval.pins import Pins
from rag.retrieval.query_adapter import QueryAdapter
from rag.retrieval.sentence_lexical import SentenceLexical
from rag.retrieval.sentences import SentenceTable
from rag.retrieval.table import ChunkTable, top_n
from rag.store.index import Index
from rag.text.tokenize import tokenize

_NO_TRACE = NoOpTracer()
_TRACED = 5  # candidates per list kept in a span
log = logging.getLogger(__name__)

# A chunk from a document the question does not name keeps this share of its fused score.
OTHER_DOC_FACTOR = 0.5
# The weight of the pass over the items of the lists that decide a use's status (categories.py).
LIST_FACTOR = 1.0
REFRESH_EVERY_S = 5.0
PARSED_KEPT = 1024  # questions whose parse is remembered (see `parse`)
EXACT_DENSE_MAX = 20000  # chunks; 30 MiB of vectors, ~2 ms a query
SENTENCE_NEAREST = 200  # sentences asked of the HNSW index above `sentence_scan_max`: ~5 per chunk ranked


@dataclass
class Hit:
    doc: Document
    score: float = 0.0
    dense: float = 0.0  # cosine similarity; 0 when not among the dense candidates
    bm25: float = 0.0
    ref: float = 0.0  # clause-reference match, 0..1
    sentence: float = 0.0  # best similarity of one of its sentences (small-to-big)
    dense_rank: int | None = None
    bm25_rank: int | None = None
    # Per-sentence similarities, worked out on first use: the evidence selector reads them only for the
    # passages it keeps, a quarter of the hits (0.8 ms a question when built for all 40).
    _per_sentence: Callable[[], tuple[dict[int, float], dict[int, float]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def id(self) -> str:
        return str(self.doc.id)

    @cached_property
    def _sentence_similarities(self) -> tuple[dict[int, float], dict[int, float]]:
        return self._per_sentence() if self._per_sentence is not None else ({}, {})

    @property
    def sentence_sims(self) -> dict[int, float]:
        """Sentence position in the chunk → its similarity to the question."""
        return self._sentence_similarities[0]

    @property
    def sentence_adapted(self) -> dict[int, float]:
        """The same after the query adapter (equal to `sentence_sims` without one)."""
        return self._sentence_similarities[1]


class Searcher:
    """Candidate generation and fusion over one Index; thread-safe, refreshes when the store changes."""

    def __init__(
        self, index: Index, settings: Settings, aliases: list[DocAlias], adapter: QueryAdapter | None = None
    ) -> None:
        self.index = index
        self.settings = settings
        self.aliases = aliases
        self.adapter = adapter
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self.table = ChunkTable.build([])
        self.sentences = SentenceTable()
        self.lexical: LexicalIndex | None = None
        self.sentence_lexical: SentenceLexical | None = None
        self._parsed: dict[str, QueryRefs] = {}
        self._listed: tuple[ChunkTable | None, np.ndarray] = (None, np.zeros(0, dtype=bool))
        self.refresh(force=True)

    # -- keeping the in-memory side in step with the store ---------------------------------------
    def corpus_version(self) -> str:
        """The fingerprint of the store being searched: it changes with every ingest and deletion."""
        self.refresh()
        return self.lexical.fingerprint if self.lexical is not None else "empty"

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_EVERY_S:
            return
        with self._lock:
            self._checked_at = now
            fingerprint = self.index.fingerprint()
            if not force and self.lexical and self.lexical.fingerprint == fingerprint:
                return
            loaded = load_tables(self.index, self.settings, fingerprint)
            if loaded is None:  # an empty store (fresh install, last document deleted): nothing to search yet
                self.table, self.lexical = ChunkTable.build([]), None
                return
            self.table, self.lexical = loaded.table, loaded.lexical
            self.sentences, self.sentence_lexical = loaded.sentences, loaded.sentence_lexical
            # With the table, not on the first status question: a pass over every chunk's refs took
            # 60-100 ms at 100x, one user's wait (bench/results/20261207-stop54-scale-latency.md).
            self._list_rows()
            log.info("retrieval tables ready: %d chunks", len(self.table.docs))

    @property
    def vocab(self) -> set[str]:
        """Every BM25 term of the store (empty before the first chunk)."""
        return self.lexical.vocab if self.lexical else set()

    def name_tokens(self, doc_ids: tuple[str, ...], cued: tuple[str, ...] = ()) -> set[str]:
        """The words of these documents' names ("EU", "AI", "Act" …), and of the issuers of the `cued`."""
        names = [n for a in self.aliases if a.doc_id in doc_ids for n in a.names]
        names += [c for a in self.aliases if a.doc_id in cued for c in a.cues]
        return set(tokenize(" ".join(names)))

    def without_doc_names(self, query: str) -> str:
        """The query with the documents' names cut out (rag/references/documents.py `without_names`)."""
        return matcher(self.aliases).without_names(query)

    def names_joined(self, query: str) -> bool:
        """Two documents named side by side (rag/references/documents.py `joined`)."""
        return matcher(self.aliases).joined(query)

    def encode_ahead(self, query: str) -> None:
        """Start embedding a query that a later search will ask for (rag/store/embedder.py `prefetch`);
        embeddings without a prefetch embed it when searched."""
        prefetch = getattr(self.index.embeddings, "prefetch", None)
        if prefetch is not None:
            prefetch(query)

    # -- search ---------------------------------------------------------------------------------
    def parse(self, query: str) -> QueryRefs:
        """Clause references and named documents; remembered, since each question is parsed twice (search
        and evidence) and parsing was 4% of an answer's CPU."""
        got = self._parsed.get(query)
        if got is None:
            got = parse_query(query, self.aliases)
            if len(self._parsed) >= PARSED_KEPT:
                self._parsed.clear()
            self._parsed[query] = got
        return got

    def search(
        self,
        query: str,
        *,
        fetch_k: int | None = None,
        filters: Filters | None = None,
        expansion: str = "",
        tracer: Tracer | None = None,
        adapt: bool = True,
    ) -> list[Hit]:
        """Hybrid search; `expansion` (the corpus's terms for the question's lay words) adds to BM25 only,
        at `expansion_weight`, so it can lift a paraphrased passage without outvoting the question.
        `tracer`: a span per sub-search (rag/tracing.py), none by default. `adapt`: see `_adapted_query`."""
        tracer = tracer or _NO_TRACE
        self.refresh()
        table, lexical, sentences = self.table, self.lexical, self.sentences
        if not table.docs or lexical is None:
            return []
        fetch_k = fetch_k or self.settings.fetch_k
        parsed = self.parse(query)
        base = table.mask(filters)
        # Documents it names, or else those whose issuer it names; on users dev (2026-12-03) the issuer
        # cues lifted hit@5 0.775 -> 0.797 (accuracy 0.442 -> 0.449 with the reader retrained).
        wanted = () if filters and filters.doc_ids else parsed.doc_ids or parsed.cued_doc_ids
        named = tuple(d for d in wanted if d in table.rows_of and base[table.rows_of[d]].any())

        with tracer.start_as_current_span("embed query"):
            qvec = np.asarray(self.index.embeddings.embed_query(query), dtype=np.float32)
        with tracer.start_as_current_span("bm25 scores", attributes={"expanded": bool(expansion)}):
            bm25_all = lexical.scores(query)
            if expansion:
                bm25_all = bm25_all + self.settings.expansion_weight * lexical.scores(expansion)
        passes = self._passes(base, named, query)
        exact = self._exact_similarities(qvec, len(passes))
        by_words = self.sentence_lexical  # each chunk ranked by its best sentence's BM25
        words_best = by_words.best_per_chunk(query, expansion) if by_words is not None else None
        sentence_sims, best_sentence = self._sentence_pass(qvec)
        adapted_q = self._adapted_query(qvec, adapt)
        hits: dict[str, Hit] = {}
        rankings: list[list[str]] = []
        weights: list[float] = []
        # The glossary's terms go to BM25 only. As a second dense query (the question restated in the
        # corpus's terms) they cost a second encoding, 6 ms of a 30 ms answer, and on dev (2026-12-03)
        # lost hit@5: users 0.775 without, 0.761 with; v1 0.885 both.
        for mask, factor in passes:
            if not mask.any():
                continue
            scope = "named documents" if named and factor == 1.0 else "all documents"
            with tracer.start_as_current_span(
                "candidates", attributes={"scope": scope, "weight": factor}
            ) as span:
                dense, lexical_top = self._candidates(qvec, bm25_all, mask, fetch_k, exact)
                self._note_candidates(dense, lexical_top, hits)
                rankings += [[cid for cid, _ in dense], [cid for cid, _ in lexical_top]]
                weights += [factor * self.settings.dense_weight, factor * self.settings.bm25_weight]
                by_sentence: list[str] = []
                if len(sentences):
                    best = self._pass_best(qvec, mask, best_sentence)
                    by_sentence = self._by_sentence(best, mask, fetch_k, hits)
                    rankings.append(by_sentence)
                    weights.append(factor * self.settings.sentence_weight)
                if words_best is not None:
                    rankings.append(self._by_sentence(words_best, mask, fetch_k, hits))
                    weights.append(factor * self.settings.sentence_bm25_weight)
                _trace_pass(span, dense, lexical_top, by_sentence)
        with tracer.start_as_current_span("fuse", attributes={"rankings": len(rankings)}):
            for cid, score in fuse(rankings, weights, self.settings.rrf_k):
                if cid in hits:
                    hits[cid].score = score

        self._pin(parsed, base, named, hits)
        ranked = sorted(hits.values(), key=lambda h: (h.ref > 0, h.ref, h.score), reverse=True)
        ranked = ranked[: max(fetch_k, 1)]
        rows, best_sentence = self._hits_best(qvec, ranked, best_sentence)
        for h, row in zip(ranked, rows.tolist(), strict=True):
            h.doc = table.doc(row)  # with its text, read from disk for a store too large to hold
            h._per_sentence = partial(sentences.plain_and_adapted, sentence_sims, qvec, adapted_q, row)
            h.sentence = max(float(best_sentence[row]), 0.0) if len(sentences) else 0.0
        return ranked

    def _hits_best(
        self, qvec: np.ndarray, ranked: list[Hit], best: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The hits' chunk rows, and each chunk's best sentence with the hits that no whole-store pass
        reached (a store too large to scan) scored on their own sentences, all in one read of the
        vectors on disk."""
        rows = np.asarray([self.table.by_id[h.id] for h in ranked], dtype=np.int64)
        if len(self.sentences) and not self.sentences.scan:
            unscored = rows[best[rows] < 0]
            if len(unscored):
                n = len(self.table.docs)
                best = np.maximum(best, self.sentences.best_of_chunks(qvec, unscored, n))
        return rows, best

    def _adapted_query(self, qvec: np.ndarray, adapt: bool) -> np.ndarray | None:
        """The question's vector through the query adapter, or None to use plain similarities.

        Only the reader reads the adapted similarities, so only the returned passages' sentences get
        them: ranking passages by them too cost v1 dev hit@5 (0.885 -> 0.846) for no gain on the
        user-style questions. A translated Japanese question is a string of glossary terms, not the
        English question the adapter was fitted on: with it, ja dev accuracy fell 0.767 -> 0.633
        (2026-12-03), so the chain passes adapt=False for one."""
        return self.adapter.apply(qvec) if self.adapter is not None and adapt else None

    def sentence_vector(self, chunk_id: str, position: int) -> np.ndarray | None:
        row = self.table.by_id.get(chunk_id)
        return None if row is None else self.sentences.vector(row, position)

    def _sentence_pass(self, qvec: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """Every sentence's similarity (None when the table is too large to scan) and each chunk's best."""
        sentences, n = self.sentences, len(self.table.docs)
        if sentences.scan or not len(sentences):
            sims = sentences.similarities(qvec)
            return sims, sentences.best_per_chunk(sims, n)
        if not self.settings.sentence_hnsw:  # the candidates' own sentences are scored (see search)
            return None, np.full(n, -1.0, dtype=np.float32)
        nearest = self.index.sentences.nearest(qvec, SENTENCE_NEAREST)
        return None, sentences.best_from_nearest(nearest, self.table.by_id, n)

    def _pass_best(self, qvec: np.ndarray, mask: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Each chunk's best sentence for one pass: `best` (the whole store's), except for a filtered pass
        (a named document) over a store too large to scan, where no whole-store pass (none, or an HNSW
        query that may have reached none of its chunks) scored them: those are scored exactly, unless the
        filter is too wide (a date range at 100×)."""
        if self.sentences.scan or mask.all():
            return best
        rows = np.flatnonzero(mask)
        if len(rows) > EXACT_DENSE_MAX:
            return best
        return self.sentences.best_of_chunks(qvec, rows, len(self.table.docs))

    def _by_sentence(self, best: np.ndarray, mask: np.ndarray, n: int, hits: dict[str, Hit]) -> list[str]:
        """Masked chunks ranked by their best-matching sentence: small-to-big retrieval."""
        if best.max(initial=-1.0) <= -1.0:  # no pass scored any (a large store without the HNSW query)
            return []
        masked = np.where(mask, best, -2.0)
        ids = self.table.ids
        out = [ids[i] for i in top_n(masked, min(n, int(mask.sum()))) if masked[i] > -1.0]
        return [cid for cid in out if self._hit(cid, hits) is not None]

    def _exact_similarities(self, qvec: np.ndarray, n_passes: int) -> np.ndarray | None:
        """Every chunk's cosine, once for all passes, when they are several and the store is small enough
        to score exactly: each pass gathering its rows and multiplying them again cost ~0.5 ms a pass at
        10× the corpus (a question naming two documents searches three passes)."""
        table = self.table
        if n_passes < 2 or len(table.docs) > EXACT_DENSE_MAX or not table.in_memory():
            return None
        return table.vectors @ qvec

    def _candidates(
        self,
        qvec: np.ndarray,
        bm25_all: np.ndarray,
        mask: np.ndarray,
        fetch_k: int,
        exact: np.ndarray | None = None,
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Dense and BM25 top lists among the masked chunks: (chunk id, score), best first. `exact`: every
        chunk's cosine, when already computed."""
        n = min(fetch_k, int(mask.sum()))
        dense = self._dense(qvec, mask, n, exact)
        masked = np.where(mask, bm25_all, -1.0)
        ids = self.table.ids
        lexical = [(ids[i], float(bm25_all[i])) for i in top_n(masked, n) if masked[i] > 0]
        return dense, lexical

    def _note_candidates(
        self, dense: list[tuple[str, float]], lexical: list[tuple[str, float]], hits: dict[str, Hit]
    ) -> None:
        """Each candidate's best raw score and rank over the passes; its fused score comes from `fuse`."""
        for rank, (cid, sim) in enumerate(dense):
            h = self._hit(cid, hits)
            if h is not None:
                h.dense = max(h.dense, sim)
                h.dense_rank = rank if h.dense_rank is None else min(h.dense_rank, rank)
        for rank, (cid, score) in enumerate(lexical):
            h = self._hit(cid, hits)
            if h is not None:
                h.bm25 = max(h.bm25, score)
                h.bm25_rank = rank if h.bm25_rank is None else min(h.bm25_rank, rank)

    def _dense(
        self, qvec: np.ndarray, mask: np.ndarray, n: int, exact: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """Top-n (chunk id, cosine) among the masked chunks.

        A large store goes to Chroma's HNSW index (sub-linear as it grows). A filtered subset (a named
        document, a date range) or a store of up to EXACT_DENSE_MAX chunks is scored exactly here:
        Chroma's metadata-filtered query took 5-8 ms for one document at 1x, a matrix product over the
        rows takes well under one, and exact scores do not vary between processes (HNSW's candidate
        lists did on 3 of 227 dev questions, which made `policyqa train-reader` unrepeatable).
        """
        table = self.table
        if (mask.all() and len(table.docs) > EXACT_DENSE_MAX) or len(table.vectors) != len(table.docs):
            res = self.index.chunks.query(
                query_embeddings=[qvec.tolist()], n_results=n, include=["distances"]
            )
            pairs = zip(res["ids"][0], res["distances"][0], strict=False)
            return [(str(cid), 1.0 - float(dist)) for cid, dist in pairs]
        rows = np.flatnonzero(mask)
        sims = table.vectors[rows] @ qvec if exact is None else exact[rows]
        return [(table.ids[rows[i]], float(sims[i])) for i in top_n(sims, n)]

    def _hit(self, cid: str, hits: dict[str, Hit]) -> Hit | None:
        if cid in hits:
            return hits[cid]
        i = self.table.by_id.get(cid)
        if i is None:
            return None  # written by another worker since our last refresh
        hits[cid] = Hit(doc=self.table.candidate(i))  # the returned hits get theirs at the end of search
        return hits[cid]

    def _list_rows(self) -> np.ndarray:
        """The chunks holding an item of a list that decides a use's status (categories.py), per table."""
        table = self.table
        if self._listed[0] is not table:
            self._listed = (table, list_rows(table))
        return self._listed[1]

    def _passes(
        self, base: np.ndarray, named: tuple[str, ...], query: str = ""
    ) -> list[tuple[np.ndarray, float]]:
        """The row masks searched, with their weights: the named documents at full weight, the rest less.
        A pass per named document: over their union, the longer one (the AI Act, 3,000 chunks) filled every
        top rank and the other was never read ("the EU Act or the CoE treaty?"). A question about a use's
        status searches the named documents' lists that decide it once more (categories.py)."""
        if not named:
            return [(base, 1.0)]
        own = [(base & self.table.mask(None, (d,)), 1.0) for d in named]
        passes = [*own, (base, OTHER_DOC_FACTOR)]
        if STATUS_ASKED.search(query):
            listed = base & self._list_rows() & self.table.mask(None, named)
            if listed.any():
                passes.append((listed, LIST_FACTOR))
        return passes

    def _pin(self, parsed: QueryRefs, base: np.ndarray, named: tuple[str, ...], hits: dict[str, Hit]) -> None:
        """What the question names exactly ranks first (rag/retrieval/pins.py)."""
        Pins(self.table, self.aliases, partial(self._hit, hits=hits)).pin(parsed, base, named, hits)


def _trace_pass(
    span: Span, dense: list[tuple[str, float]], lexical: list[tuple[str, float]], by_sentence: list[str]
) -> None:
    """A pass's top candidates on its span, when the span records."""
    if span.is_recording():
        span.set_attributes(
            {
                "dense_top": [cid for cid, _ in dense[:_TRACED]],
                "dense_sims": [round(sim, 4) for _, sim in dense[:_TRACED]],
                "bm25_top": [cid for cid, _ in lexical[:_TRACED]],
                "bm25_scores": [round(sc, 3) for _, sc in lexical[:_TRACED]],
                "sentence_top": by_sentence[:_TRACED],
            }
        )
