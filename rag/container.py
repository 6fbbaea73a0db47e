"""The app-scoped container: heavy things (embedding model, store, BM25, LLMs) are built once and shared.

The API factory, the CLI and the evals all build one `Services` from a `Settings` object; tests share
one through a session fixture.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from rag.answer_cache import AnswerCache
from rag.core.settings import Settings
from rag.core.threads import limit_blas_threads

if TYPE_CHECKING:
    from rag.answerers.base import Answerer
    from rag.reader.word_vectors import WordVectors
    from rag.store.embedder import Embedder
    from rag.store.index import Index

log = logging.getLogger(__name__)

# Up to this many chunks, start-up splits and tokenises every passage's sentences (warm_up). Above 5,000
# (the old bound) a 10x store (9,090 chunks) met each passage cold in its first questions: retrieval p95
# was 2.2x its own p50 and 2.17-3.79x the baseline's. Prefilled (bench/results/20261203-144550.md): p95
# 1.3x its p50 and 0.64x the baseline's, for 2.7 s more start-up (10.1 s against the baseline's 10.1 s)
# and ~100 MiB (RSS 532 against the baseline's 645 MiB).
PREFILL_SENTENCES_MAX_CHUNKS = 20_000


def open_index(
    settings: Settings, *, with_embeddings: bool = True, embedder: Embedder | None = None
) -> Index:
    from rag.store.index import Index

    if with_embeddings and embedder is None:
        from rag.store.embedder import Embedder

        embedder = Embedder.from_settings(settings)
    return Index(settings, embedder)  # type: ignore[arg-type]


def release_free_heap() -> None:
    """Hand freed heap back to the OS (glibc only; elsewhere a no-op).

    Loading the tables reads every chunk through Chroma, a transient of ~14 KiB a chunk that glibc
    otherwise keeps: at 100x the corpus the served RSS was 1.8 GiB before this and 1.4 GiB after.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class Services:
    """Lazily built, thread-safe singletons for one settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        limit_blas_threads(settings.blas_threads)
        self._lock = threading.RLock()
        self._answerers: dict[str, Answerer | None] = {}
        self._page_preload: threading.Thread | None = None  # a large store's copies read into the page cache

    def warm_up(self) -> None:
        """Load what the first question would otherwise pay for, then take it out of the GC's sight.

        The chunk tables, BM25 and sentence caches are ~200k long-lived objects; left in the collector's
        oldest generation, every full collection walks them all and stalls a request for up to ~100 ms
        (seen as the p99 in bench/). gc.freeze() moves them to a permanent generation.

        The reader's name and place checks need spaCy's tagger (rag/text/pos.py). It loads in a thread
        beside the rest, and warm_up waits for it: loaded after readiness instead, it ran beside the first
        questions and held the GIL from them (100×: first-round retrieval p95 48-85 ms against 15-17 ms;
        one question took 324 ms), and questions that needed it waited ~0.6 s.
        """
        tagger = None
        if self.settings.reader:
            tagger = threading.Thread(target=_preload_tagger, name="tagger-preload", daemon=True)
            tagger.start()
        if self.index.count():  # BM25 cannot be built over zero chunks; an empty store builds it on first use
            _ = self.searcher, self.chain
            # Splitting and tokenising a candidate's sentences is most of a first-seen question's cost
            # (12 ms cold vs 3 ms warm per question); for a corpus this size (~0.5 s, ~12 KiB a chunk)
            # do it now rather than on users' first questions. Larger stores warm up as they are asked.
            table = self.searcher.table
            if len(table.docs) <= PREFILL_SENTENCES_MAX_CHUNKS:
                docs = [table.doc(i) for i in range(len(table.docs))]  # with their texts, wherever kept
                self.selector.prefill(docs)
                if self.settings.reader:
                    from rag.reader.features import sentence_flags

                    for text in self.selector.sentence_texts(docs):
                        sentence_flags(text)  # cached: the reader's regexes, once per sentence
            else:
                self._keep_split_sentences()
                self._preload_pages()
            corpus = self.searcher.corpus_version()
            if self.settings.reader and self.word_vectors.corpus != corpus:
                # the corpus's words, embedded after each ingest that changed the store (a few seconds)
                words = self.word_vectors
                words.learn((table.doc(i).page_content for i in range(len(table.docs))), corpus)
                words.save()
            if self._soft_rerank:
                from rag.reader.word_vectors import PASSAGES_KEPT
                from rag.store.index import chunk_body

                if len(table.docs) <= PASSAGES_KEPT:  # the evidence rerank's soft coverage, warm
                    self.word_vectors.prefill(chunk_body(table.doc(i)) for i in range(len(table.docs)))
        self.embedder.embed_query("warm-up")
        if tagger is not None:
            tagger.join()
        if self._page_preload is not None:
            self._page_preload.join()  # ready means warm: ~0.6 s for 1.7 GB at 100x
        gc.collect()
        gc.freeze()
        release_free_heap()

    def _preload_pages(self) -> None:
        """A store above the prefill bound is read from copies beside it: put them in the page cache
        (rag/store/page_cache.py)."""
        from rag.store.page_cache import preload

        folders = self.index.derived_dirs()
        if folders:
            self._page_preload = preload(folders)

    def _keep_split_sentences(self) -> None:
        """Above the prefill bound, the selector reads each passage's split sentences from a copy beside
        the store (rag/retrieval/sentence_tokens.py), written here by the first start on a store."""
        from rag.retrieval.sentence_tokens import SentenceTokens
        from rag.sentence_cache import split
        from rag.store.index import chunk_body

        folder = self.index.derived_dir("sentence_tokens")
        table = self.searcher.table
        if folder is None:
            return
        ids = list(table.ids)
        kept = SentenceTokens.kept(
            folder,
            self.searcher.corpus_version(),
            ids,
            lambda: (split(chunk_body(table.doc(i))) for i in range(len(ids))),
        )
        if kept is not None:
            self.selector.cache.keep(kept, table.by_id)

    @cached_property
    def embedder(self) -> Embedder:
        from rag.store.embedder import Embedder

        with self._lock:
            return Embedder.from_settings(self.settings)

    @cached_property
    def word_vectors(self) -> WordVectors:
        from rag.reader.word_vectors import FILE_NAME, WordVectors

        path = self.settings.data_dir / "models" / FILE_NAME
        return WordVectors(self.embedder.encode_short, path, submit=self.embedder.ahead)

    @cached_property
    def index(self) -> Index:
        with self._lock:
            return open_index(self.settings, embedder=self.embedder)

    @cached_property
    def searcher(self):  # type: ignore[no-untyped-def]
        from rag.references import doc_aliases_from_manifest
        from rag.retrieval import Searcher

        with self._lock:
            aliases = doc_aliases_from_manifest(self.settings.corpus_dir / "manifest.json")
            return Searcher(self.index, self.settings, aliases, self.query_adapter)

    @cached_property
    def query_adapter(self):  # type: ignore[no-untyped-def]
        from rag.retrieval.query_adapter import load_query_adapter
        from rag.store.embedder import DIM

        s = self.settings
        return load_query_adapter(s.query_adapter_path, DIM) if s.query_adapter else None

    @property
    def _soft_rerank(self) -> bool:
        """The evidence rerank also counts near-synonyms, from the reader's word table (off by default)."""
        return bool(self.settings.reader and self.settings.soft_rerank_weight)

    @cached_property
    def selector(self):  # type: ignore[no-untyped-def]
        from rag.evidence import EvidenceSelector
        from rag.retrieval import idf_from_bm25

        with self._lock:
            lexical = self.searcher.lexical
            idf = idf_from_bm25(lexical) if lexical else {}
            if not self._soft_rerank:
                return EvidenceSelector(idf)
            return EvidenceSelector(idf, self.word_vectors.soft_coverage, self.settings.soft_rerank_weight)

    @cached_property
    def checker(self):  # type: ignore[no-untyped-def]
        from rag.citations.japanese import JapaneseChecker
        from rag.citations.support import SupportChecker
        from rag.retrieval.glossary import default_glossary

        return SupportChecker(
            embed=self.embedder.encode_short,
            glossary=default_glossary(),
            japanese=JapaneseChecker(self.translator),
        )

    def answerer(self, mode: str) -> Answerer | None:
        """The generative answerer for a mode, built on first use; None when not configured."""
        from rag.answerers.registry import build_answerer

        with self._lock:
            if mode not in self._answerers:
                # A build that raises (model file missing) is not cached: the next question retries.
                self._answerers[mode] = build_answerer(mode, self.settings)
            return self._answerers[mode]

    @cached_property
    def chain(self):  # type: ignore[no-untyped-def]
        from rag.chain import PolicyQAChain
        from rag.retrieval.glossary import default_glossary
        from rag.tracing import tracer_for

        return PolicyQAChain(
            settings=self.settings,
            searcher=self.searcher,
            selector=self.selector,
            checker=self.checker,
            answerer_for=self.answerer,
            glossary=default_glossary() if self.settings.query_expansion else None,
            reader=self.reader,
            translator=self.translator,
            cache=AnswerCache(self.settings.answer_cache_size) if self.settings.answer_cache_size else None,
            tracer=tracer_for(self.settings),
        )

    @cached_property
    def timeline(self):  # type: ignore[no-untyped-def]
        from rag.timeline import Timeline

        return Timeline(self.index, self.searcher.corpus_version)

    @cached_property
    def translator(self):  # type: ignore[no-untyped-def]
        from rag.translate.translator import JapaneseTranslator

        return JapaneseTranslator.load()  # the Sudachi dictionary loads on the first Japanese question

    @cached_property
    def reader(self):  # type: ignore[no-untyped-def]
        from rag.reader.reader import Reader

        return Reader.load(self.settings.reader_path, self.word_vectors) if self.settings.reader else None


def _preload_tagger() -> None:
    from rag.text.pos import TaggerMissingError, preload

    try:
        preload()
    except TaggerMissingError as exc:  # a question that needs it says so; start-up goes on
        log.warning("%s", exc)
