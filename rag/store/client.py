"""Chroma connection: the embedded PersistentClient under data/ by default, a `chroma run` server if set."""

from __future__ import annotations

import logging
import os

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
