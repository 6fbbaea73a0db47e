"""Chroma + LangChain's record manager: content-hash ids, upsert, scoped cleanup, prune, crash repair.

Two collections live in the store:
- `<collection>`: one record per chunk. `page_content` is the heading path, a blank line, then the
  chunk text, so both the embedding and BM25 see the structure; `body_offset` says where the text starts.
- `<collection>__docs`: one record per document (cleaned full text + manifest metadata), so that a
  citation span can be shown in context by any API worker that shares the store.
- `<collection>__sentences`: each chunk's sentences embedded on their own (rag/store/sentence_index.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from langchain_chroma import Chroma
from langchain_classic.indexes import SQLRecordManager
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import index

from rag.core.settings import Settings
from rag.store.client import COLLECTION_METADATA, chroma_client, read_pages
from rag.store.doc_meta import DocMeta
from rag.store.embedder import DIM
from rag.store.sentence_index import SentenceIndex

log = logging.getLogger(__name__)

# The tables derived from the store and kept beside it between starts, each in its own folder.
DERIVED_TABLES = ("chunks", "sentences", "sentence_tokens", "bm25", "sentence_bm25")


def date_number(date: str, *, end: bool = False) -> int:
    """'2024-04' → 20240400 (or 20240499 as an inclusive upper bound): Chroma filters compare numbers only."""
    parts = [p for p in (date or "").split("-") if p.isdigit()]
    if not parts:
        return 0
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (99 if end else 0)
    day = int(parts[2]) if len(parts) > 2 else (99 if end else 0)
    return year * 10000 + month * 100 + day


def chunk_body(doc: Document) -> str:
    return doc.page_content[int(doc.metadata.get("body_offset", 0)) :]


def chunk_context(doc: Document) -> str:
    """The titled heading path that the chunk's text is indexed under (empty for a chunk without one)."""
    return doc.page_content[: int(doc.metadata.get("body_offset", 0))].strip()


@dataclass
class CatalogEntry:
    """A document as the library lists it."""

    meta: DocMeta
    chunks: int
    indexed_at: str  # ISO time (UTC) of its last indexing; "" for a record written before it was kept


@dataclass
class IndexResult:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    deleted: int = 0


class Index:
    """The vector store and its record manager, opened once and shared by ingest and retrieval."""

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.client = chroma_client(settings)
        self.vectorstore = Chroma(
            client=self.client,
            collection_name=settings.collection,
            embedding_function=embeddings,
            collection_metadata=COLLECTION_METADATA,
        )
        self.chunks = self.client.get_or_create_collection(settings.collection, metadata=COLLECTION_METADATA)
        self.docs = self.client.get_or_create_collection(f"{settings.collection}__docs")
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "local"
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.records = SQLRecordManager(
            namespace=f"chroma/{where}/{settings.collection}",
            db_url=f"sqlite:///{settings.record_db}",
        )
        self.records.create_schema()
        self.sentences = SentenceIndex(self.client, settings.collection, self._encode_sentences)

    def _encode_sentences(self, texts: list[str]) -> np.ndarray:
        encode = getattr(self.embeddings, "encode_sentences", None)
        if encode is not None:
            return encode(texts)
        return np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32)

    # -- writing -------------------------------------------------------------------------------
    def upsert_document(self, meta: DocMeta, text: str, docs: list[Document]) -> IndexResult:
        """Index one document's chunks; unchanged chunks are skipped (no embedding), stale ones deleted.

        Chunks go first and the document record last: a crash in between leaves searchable chunks
        and the previous document record, and the next run converges.
        """
        res = index(
            docs,
            self.records,
            self.vectorstore,
            cleanup="incremental",
            source_id_key="doc_id",
            key_encoder="sha256",
            # One batch per document: incremental cleanup runs after every batch and would delete the
            # document's not-yet-refreshed chunks from later batches, re-embedding them every run.
            batch_size=max(len(docs), 1),
        )
        if self.settings.sentence_index:
            stored = self.chunks.get(where={"doc_id": meta.doc_id}, include=["documents", "metadatas"])
            self.sentences.sync_document(
                meta.doc_id, [(str(d.id), chunk_body(d)) for d in _documents(stored)]
            )
        self._put_doc_record(meta, text, len(docs))
        return IndexResult(
            added=res["num_added"],
            updated=res["num_updated"],
            skipped=res["num_skipped"],
            deleted=res["num_deleted"],
        )

    def _put_doc_record(self, meta: DocMeta, text: str, n_chunks: int) -> None:
        md = {
            "doc_id": meta.doc_id,
            "meta_json": meta.model_dump_json(),
            "chunks": n_chunks,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "date_num": date_number(meta.date),
            "indexed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        # The docs collection is looked up by id only; a constant vector keeps Chroma from embedding.
        self.docs.upsert(ids=[meta.doc_id], documents=[text], metadatas=[md], embeddings=[_unit_vector()])

    def remove_document(self, doc_id: str) -> int:
        keys = self.records.list_keys(group_ids=[doc_id])
        if keys:
            self.vectorstore.delete(ids=keys)
            self.records.delete_keys(keys)
        # Chunks written before a crash may be unknown to the record manager: delete by metadata too.
        stray = self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
        if stray:
            self.chunks.delete(ids=stray)
        self.sentences.remove_document(doc_id)
        self.docs.delete(ids=[doc_id])
        return len(set(keys) | set(stray))

    def repair(self) -> int:
        """Make Chroma and the record manager agree after a crash; returns how many records were fixed.

        LangChain's index() writes vectors before it records them, so a SIGKILL can leave chunks the
        record manager never heard of (orphans) or, after a manual store edit, keys with no vector.
        """
        store_ids = {i for page in read_pages(self.chunks, []) for i in page["ids"]}
        record_ids = set(self.records.list_keys())
        orphans = sorted(store_ids - record_ids)
        missing = sorted(record_ids - store_ids)
        if orphans:
            self.chunks.delete(ids=orphans)
        if missing:
            self.records.delete_keys(missing)
        if orphans:  # their sentences go too; sentences of live chunks that a crash left out come back
            self.sentences.drop_orphans(store_ids - set(orphans))  # with the next ingest of the document
        if orphans or missing:
            log.warning(
                "repaired index: %d orphan chunks removed, %d dangling records dropped",
                len(orphans),
                len(missing),
            )
        return len(orphans) + len(missing)

    # -- reading -------------------------------------------------------------------------------
    def document_ids(self) -> list[str]:
        return sorted(self.docs.get(include=[])["ids"])

    def document(self, doc_id: str) -> tuple[DocMeta, str, int] | None:
        got = self.docs.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        md = got["metadatas"][0]
        return DocMeta.model_validate_json(md["meta_json"]), got["documents"][0], int(md.get("chunks", 0))

    def documents(self) -> list[tuple[DocMeta, int]]:
        got = self.docs.get(include=["metadatas"])
        out = [
            (DocMeta.model_validate_json(md["meta_json"]), int(md.get("chunks", 0)))
            for md in got["metadatas"]
        ]
        return sorted(out, key=lambda x: x[0].doc_id)

    def catalog(self) -> list[CatalogEntry]:
        """Every document with its chunk count and when it was last indexed, by id."""
        got = self.docs.get(include=["metadatas"])
        out = [
            CatalogEntry(
                DocMeta.model_validate_json(md["meta_json"]),
                int(md.get("chunks", 0)),
                md.get("indexed_at", ""),
            )
            for md in got["metadatas"]
        ]
        return sorted(out, key=lambda e: e.meta.doc_id)

    def doc_hashes(self) -> dict[str, str]:
        got = self.docs.get(include=["metadatas"])
        return {i: md.get("sha256", "") for i, md in zip(got["ids"], got["metadatas"])}

    def all_chunks(self) -> list[Document]:
        return [d for got in read_pages(self.chunks, ["documents", "metadatas"]) for d in _documents(got)]

    def chunks_with_vectors(self) -> tuple[list[Document], np.ndarray]:
        """Every chunk and its stored vector (rows in the same order), read in pages."""
        docs: list[Document] = []
        rows: list[np.ndarray] = []
        for got in read_pages(self.chunks, ["documents", "metadatas", "embeddings"]):
            docs += _documents(got)
            if len(got["ids"]):
                rows.append(np.asarray(got["embeddings"], dtype=np.float32))
        return docs, (np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32))

    def chunk_metadata(self) -> list[Document]:
        """Every chunk's id and metadata, without its text (read in pages)."""
        return [
            Document(id=i, page_content="", metadata=m)
            for got in read_pages(self.chunks, ["metadatas"])
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        ]

    def chunk(self, chunk_id: str) -> Document | None:
        found = _documents(self.chunks.get(ids=[chunk_id], include=["documents", "metadatas"]))
        return found[0] if found else None

    def count(self) -> int:
        return self.chunks.count()

    def chunk_counts(self) -> Counter[str]:
        return Counter(
            m["doc_id"] for got in read_pages(self.chunks, ["metadatas"]) for m in got["metadatas"]
        )

    def derived_dirs(self) -> list[Path]:
        """Every derived table's folder (rag/retrieval/loading.py reads each): what a large store's
        start-up reads into the page cache (rag/store/page_cache.py)."""
        folders = (self.derived_dir(name) for name in DERIVED_TABLES)
        return [f for f in folders if f is not None]

    def derived_dir(self, name: str) -> Path | None:
        """Where a table derived from the store (BM25, the sentence vectors) is kept between starts, beside
        the store; None with a Chroma server: each worker keeps its own in memory."""
        if self.settings.chroma_host:
            return None
        return self.settings.data_dir / name

    def persist_sentence_vectors(self) -> None:
        """Writes the sentence vectors' copy for the content as it is now. Called by ingest, so that the
        server's first start after an ingest reads the copy instead of every vector through Chroma: at 10×
        the corpus that read took 7.3 s and left 1,388 MiB served against 862 MiB from the copy (bench,
        2026-12-04); at the corpus's own size the two are alike (about 420 MiB)."""
        folder = self.derived_dir("sentences")
        if folder is not None and self.settings.sentence_index:
            self.sentences.cached_vectors(folder, self.fingerprint(), force=True)

    def fingerprint(self) -> str:
        """Changes whenever the indexed content changes; keys the persisted BM25 index.

        Built from the chunk count and the per-document content hashes rather than from every chunk
        id, so that checking it on the request path stays cheap at 100x the corpus.
        """
        hashes = sorted(self.doc_hashes().items())
        return hashlib.sha256(json.dumps([self.count(), hashes]).encode()).hexdigest()[:16]


def _documents(got: dict[str, Any]) -> list[Document]:
    return [
        Document(id=i, page_content=t, metadata=m)
        for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])
    ]


def _unit_vector() -> list[float]:
    return [1.0] + [0.0] * (DIM - 1)
