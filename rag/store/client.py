"""Chroma connection: the embedded PersistentClient under data/ by default, a `chroma run` server if set."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings

from rag.core.settings import Settings

log = logging.getLogger(__name__)

# Cosine distance on normalised MiniLM vectors: similarity = 1 - distance.
COLLECTION_METADATA = {"hnsw:space": "cosine"}


class StoreUnavailableError(RuntimeError):
    """The Chroma server cannot be reached."""


def chroma_client(settings: Settings) -> chromadb.ClientAPI:
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    cs = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=cs)
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError on a dead server
            raise StoreUnavailableError(
                f"Chroma server at {settings.chroma_host}:{settings.chroma_port} is unreachable: {exc}"
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=cs)


# Whole-collection reads go in pages: one get() of ~100k records fails inside Chroma ("too many SQL
# variables"), and pages also keep the transient copy of the results small.
PAGE = 5000


def read_pages(collection: Any, include: list[str]) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        got = collection.get(include=include, limit=PAGE, offset=offset)
        yield got
        if len(got["ids"]) < PAGE:
            return
        offset += PAGE
