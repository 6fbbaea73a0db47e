"""The library: the documents in the store, and adding or removing one, for the API and the Library tab.

One place decides how a write happens: not while a corpus re-ingest runs, one write at a time behind the
write gate (with its crash marker), and this worker's searcher refreshed at once afterwards. Callers map
the errors to what they show (an HTTP status, a line in the tab's report).
"""

from __future__ import annotations

from pathlib import PurePath

from pydantic import BaseModel

from ingest.loaders import LoadedDocument
from rag.store.index import CatalogEntry
from ui.api.deps import key_matches
from ui.api.uploads import DocumentExistsError, Indexed, index_loaded
from ui.state import AppState


class IngestRunningError(RuntimeError):
    """A re-ingest of the corpus holds the store; a single write waits for it to end."""


class LibraryRow(BaseModel):
    doc_id: str
    title: str
    publisher: str
    date: str
    type: str
    chunks: int
    url: str
    license: str
    indexed_at: str


def row(entry: CatalogEntry) -> LibraryRow:
    meta = entry.meta
    return LibraryRow(
        doc_id=meta.doc_id,
        title=meta.title,
        publisher=meta.publisher,
        date=meta.date,
        type=document_type(meta.source, meta.url),
        chunks=entry.chunks,
        url=meta.url,
        license=meta.license,
        indexed_at=entry.indexed_at,
    )


_TYPES = {".md": "Markdown", ".txt": "text", ".html": "HTML", ".htm": "HTML", ".pdf": "PDF", ".docx": "Word"}


def document_type(source: str, url: str) -> str:
    """What the document was loaded from: a file's format by its name, or a web page."""
    name = source.removeprefix("upload:")
    if name.startswith(("http://", "https://")):
        return "web page"
    return _TYPES.get(PurePath(name).suffix.lower(), "file" if name else ("web page" if url else ""))


class Library:
    def __init__(self, state: AppState) -> None:
        self.state = state

    def rows(self) -> list[LibraryRow]:
        return [row(e) for e in self.state.services.index.catalog()]

    def key_ok(self, key: str) -> bool:
        """The write key, compared as the API compares its bearer token."""
        return key_matches(self.state.settings, (key or "").strip())

    def add(self, loaded: LoadedDocument, replace: bool = False) -> Indexed:
        """Index one loaded document (blocking). Raises IngestRunningError, WritesBusyError,
        DocumentExistsError, or the loader's LoadError for a document with no text."""
        self._check_not_ingesting()
        services = self.state.services
        with self.state.writes.writing(f"upload {loaded.meta.doc_id}", refusals=(DocumentExistsError,)):
            result = index_loaded(loaded, self.state.settings, services.index, replace=replace)
        services.searcher.refresh(True)  # other workers' searchers see it within seconds
        return result

    def remove(self, doc_id: str) -> int | None:
        """Remove a document and its passages: the number of passages, None when there is no such document."""
        services = self.state.services
        if services.index.document(doc_id) is None:
            return None
        self._check_not_ingesting()
        with self.state.writes.writing(f"delete {doc_id}"):
            removed = services.index.remove_document(doc_id)
        services.searcher.refresh(True)
        return removed

    def _check_not_ingesting(self) -> None:
        if self.state.ingests.running:
            raise IngestRunningError("a re-ingest of the corpus is running; retry when it has finished")
