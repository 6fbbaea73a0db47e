"""The app-scoped container: heavy things (embedding model, store, BM25, LLMs) are built once and shared.

The API factory, the CLI and the evals all build one `Services` from a `Settings` object; tests share
one through a session fixture.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from rag.settings import Settings

if TYPE_CHECKING:
    from ingest.embedder import Embedder
    from ingest.indexer import Index

log = logging.getLogger(__name__)


def open_index(settings: Settings, *, with_embeddings: bool = True, embedder: Embedder | None = None) -> Index:
    from ingest.indexer import Index

    if with_embeddings and embedder is None:
        from ingest.embedder import Embedder

        embedder = Embedder(batch_size=settings.embed_batch_size, threads=settings.embed_threads)
    return Index(settings, embedder)  # type: ignore[arg-type]


class Services:
    """Lazily built, thread-safe singletons for one settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()

    @cached_property
    def embedder(self) -> Embedder:
        from ingest.embedder import Embedder

        with self._lock:
            return Embedder(batch_size=self.settings.embed_batch_size, threads=self.settings.embed_threads)

    @cached_property
    def index(self) -> Index:
        with self._lock:
            return open_index(self.settings, embedder=self.embedder)
