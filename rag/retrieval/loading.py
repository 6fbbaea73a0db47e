"""How the searcher's tables are loaded: from the store, or, for a store too large to hold, from the
copies kept beside it (BM25, chunk texts and vectors, sentence vectors, sentence BM25), each keyed by the
store's fingerprint."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from langchain_core.documents import Document

from rag.core.settings import Settings
from rag.retrieval.chunk_disk import ChunkDisk
from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.sentence_lexical import SentenceLexical, sentence_lexical
from rag.retrieval.sentences import SentenceTable
from rag.retrieval.table import ChunkTable, share_strings
from rag.store.file_rows import FileRows
from rag.store.index import Index, chunk_body

log = logging.getLogger(__name__)


@dataclass
class Tables:
    table: ChunkTable
    lexical: LexicalIndex
    sentences: SentenceTable
    sentence_lexical: SentenceLexical | None  # None: weight 0, or too many sentences to scan


def load_tables(index: Index, settings: Settings, fingerprint: str) -> Tables | None:
    """The chunk table, BM25, sentence vectors and sentence BM25 for the store's content; None when it
    is empty."""
    loaded = _load_kept(index, settings, fingerprint) or _load_store(index, settings, fingerprint)
    if loaded is None:
        return None
    table, lexical = loaded
    sentences = _sentence_table(index, settings, table, fingerprint)
    by_words = None
    if settings.sentence_bm25_weight > 0 and sentences.scan:
        n = len(table.docs)
        by_words = sentence_lexical(
            lambda: [chunk_body(table.doc(i)) for i in range(n)],
            n,
            index.derived_dir("sentence_bm25"),
            fingerprint,
            expansion_weight=settings.sentence_bm25_expansion_weight,
        )
    return Tables(table, lexical, sentences, by_words)


def _load_store(index: Index, settings: Settings, fingerprint: str) -> tuple[ChunkTable, LexicalIndex] | None:
    """Every chunk with its text and vector from the store; BM25 from its copy or built. None: empty."""
    docs, vectors = index.chunks_with_vectors()
    order = _in_document_order(docs)
    docs = [docs[i] for i in order]
    if not docs:
        return None
    ids = [str(d.id) for d in docs]
    folder = index.derived_dir("bm25")
    large = len(docs) > settings.chunk_memory_max  # its kept BM25 copy is mapped, as in _load_kept
    lexical = LexicalIndex.load(folder, fingerprint, mmap=large) if folder else None
    if lexical is None or lexical.ids != ids:
        lexical = LexicalIndex.build(ids, [d.page_content for d in docs], fingerprint)
        if folder:
            try:
                lexical.save(folder)
            except OSError as exc:  # a read-only data dir still serves
                log.warning("could not persist BM25 index: %s", exc)
    table = ChunkTable.build(docs, vectors[order])
    folder = index.derived_dir("chunks")
    if folder is not None and large:
        disk = ChunkDisk.kept(folder, fingerprint, ids, [d.page_content for d in docs], table.vectors)
        if disk is not None:
            table.keep_on_disk(disk)
    return table, lexical


def _load_kept(index: Index, settings: Settings, fingerprint: str) -> tuple[ChunkTable, LexicalIndex] | None:
    """A store above `chunk_memory_max` whose BM25 and chunk copies hold this content: only the chunks'
    metadata comes from the store, not their texts and vectors (at 100× most of a start's time and
    its peak memory). None when the copies do not cover it."""
    chunks, bm25 = index.derived_dir("chunks"), index.derived_dir("bm25")
    if chunks is None or bm25 is None or index.count() <= settings.chunk_memory_max:
        return None  # (a copy left by a larger store, or by a test that forced the limit, is not read)
    if not ChunkDisk.matches(chunks, fingerprint):
        return None
    docs = index.chunk_metadata()
    docs = [docs[i] for i in _in_document_order(docs)]
    ids = [str(d.id) for d in docs]
    disk = ChunkDisk.load(chunks, fingerprint, ids)
    lexical = LexicalIndex.load(bm25, fingerprint, mmap=True)
    if disk is None or lexical is None or lexical.ids != ids:
        return None
    table = ChunkTable.build(docs)
    table.keep_on_disk(disk)
    return table, lexical


def _sentence_table(index: Index, settings: Settings, table: ChunkTable, fingerprint: str) -> SentenceTable:
    sentences = SentenceTable()
    if settings.sentence_index:
        keys, vectors = index.sentences.cached_vectors(index.derived_dir("sentences"), fingerprint, mmap=True)
        large = len(keys) > settings.sentence_scan_max
        if not large and isinstance(vectors, FileRows):  # scanned by every question: in memory
            vectors = vectors.load()
        sentences = SentenceTable.build(keys, vectors, table.by_id)
        sentences.scan = not large
    return sentences


def _in_document_order(docs: list[Document]) -> list[int]:
    """Positions of `docs` by document, then by place in it; their metadata strings shared first."""
    share_strings(docs)
    return sorted(
        range(len(docs)), key=lambda i: (docs[i].metadata["doc_id"], int(docs[i].metadata.get("seq", 0)))
    )
