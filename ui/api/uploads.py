"""Indexing one uploaded document (bytes or URL), the same way `ingest.pipeline` indexes a file.

An upload's file name only ever becomes a document id (via `load_bytes`, which keeps the final
component and slugifies it); nothing is written under a client-chosen path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ingest.loaders import LoadedDocument, LoadError, LoadLimits, load_bytes, load_url
from rag.core.settings import Settings
from rag.store.index import Index

log = logging.getLogger(__name__)


class DocumentExistsError(Exception):
    def __init__(self, doc_id: str) -> None:
        super().__init__(doc_id)
        self.doc_id = doc_id


@dataclass
class Indexed:
    doc_id: str
    title: str
    status: str
    chunks: int


def limits_for(settings: Settings) -> LoadLimits:
    return LoadLimits(max_bytes=settings.max_upload_bytes, max_pdf_pages=settings.max_pdf_pages)


def load_upload(data: bytes, filename: str, settings: Settings) -> LoadedDocument:
    # The content decides the type (sniffed by load_bytes); the name only names the document.
    return load_bytes(
        data, filename or "upload", None, limits_for(settings), source=f"upload:{filename or 'upload'}"
    )


def load_remote(url: str, settings: Settings) -> LoadedDocument:
    return load_url(url, limits_for(settings))


def index_loaded(loaded: LoadedDocument, settings: Settings, index: Index, *, replace: bool) -> Indexed:
    """Clean, chunk, embed and upsert one loaded document (blocking: call from a worker thread)."""
    from ingest.pipeline import index_document

    meta = loaded.meta
    existed = index.document(meta.doc_id) is not None
    if existed and not replace:
        raise DocumentExistsError(meta.doc_id)
    res, n_chunks = index_document(loaded, settings, index)
    if not n_chunks:
        raise LoadError(meta.source or meta.doc_id, "no text to index")
    if not existed:
        status = "added"
    elif res.added or res.updated or res.deleted:
        status = "updated"
    else:
        status = "unchanged"
    log.info("uploaded %s: %s, %d chunks", meta.doc_id, status, n_chunks)
    return Indexed(doc_id=meta.doc_id, title=meta.title, status=status, chunks=n_chunks)
