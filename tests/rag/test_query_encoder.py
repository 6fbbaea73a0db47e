"""The ONNX query encoder: the torch model's vectors, exported once, never a reason for a query to fail."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from evals.dataset import load_questions
from rag.core.settings import Settings
from rag.store import query_encoder
from rag.store.embedder import Embedder, model_path
from rag.store.query_encoder import MAX_TOKENS, OnnxQueryEncoder

pytestmark = pytest.mark.slow

LONG = " ".join(["What does the Hiroshima Process say about watermarking and provenance of AI content?"] * 60)
QUERIES = [q.question for q in load_questions(split="dev", limit=25)] + [
    LONG,  # past 256 word pieces: both sides must truncate the same way
    "Qu'est-ce que l'AI Act exige — Article 50(2)?",
    "AI",
]


@pytest.fixture(scope="module")
def graph_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    folder = tmp_path_factory.mktemp("onnx")
    assert OnnxQueryEncoder.open(model_path(), folder, embedder._torch_model) is not None
    return folder


def test_vectors_match_the_torch_model(embedder: Embedder, graph_dir: Path) -> None:
    onnx = OnnxQueryEncoder.open(model_path(), graph_dir, lambda: pytest.fail("must not export again"))
    assert onnx is not None
    torch_vecs = embedder.encode(QUERIES)
    onnx_vecs = np.stack([onnx.encode(q) for q in QUERIES])
    assert onnx_vecs.shape == torch_vecs.shape == (len(QUERIES), 384)
    assert float(np.abs(onnx_vecs - torch_vecs).max()) < 1e-4
    assert np.allclose(np.linalg.norm(onnx_vecs, axis=1), 1.0, atol=1e-5)


def test_tokenizer_matches_sentence_transformers(embedder: Embedder, graph_dir: Path) -> None:
    onnx = OnnxQueryEncoder.open(model_path(), graph_dir, lambda: pytest.fail("must not export again"))
    assert onnx is not None
    st_tok = embedder._torch_model().tokenizer
    for q in QUERIES:
        expected = st_tok(q, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        assert onnx.tokenizer.encode(q).ids == expected
    assert len(onnx.tokenizer.encode(LONG).ids) == MAX_TOKENS


def test_embedder_uses_the_cached_graph_for_queries(embedder: Embedder, graph_dir: Path) -> None:
    fast = Embedder(onnx_cache=graph_dir)
    fast._torch_model = lambda: pytest.fail("a cached graph needs no torch model")  # type: ignore[method-assign]
    assert fast.query_encoder() is not None
    vec = np.asarray(fast.embed_query(QUERIES[0]))
    assert fast._model is None  # torch never loaded for a query
    assert float(np.abs(vec - embedder.encode([QUERIES[0]])[0]).max()) < 1e-4


def test_a_damaged_cached_graph_is_exported_again(embedder: Embedder, tmp_path: Path) -> None:
    graph = tmp_path / f"minilm-query-{query_encoder.export_key(model_path())}.onnx"
    graph.write_bytes(b"not an onnx graph")
    onnx = OnnxQueryEncoder.open(model_path(), tmp_path, embedder._torch_model)
    assert onnx is not None and graph.stat().st_size > 1_000_000
    assert not list(tmp_path.glob("*.part"))  # no temporary file left behind


def test_export_failure_falls_back_to_torch(
    embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_export(*_: object) -> None:
        raise ModuleNotFoundError("No module named 'onnx'")

    monkeypatch.setattr(query_encoder, "export", broken_export)
    slow = Embedder(onnx_cache=tmp_path)
    slow._model = embedder._torch_model()  # share the loaded weights
    with caplog.at_level(logging.WARNING, logger="rag.store.query_encoder"):
        vec = np.asarray(slow.embed_query(QUERIES[1]))
    assert slow.query_encoder() is None
    assert "queries use torch" in caplog.text
    assert float(np.abs(vec - embedder.encode([QUERIES[1]])[0]).max()) < 1e-6
    assert not list(tmp_path.glob("*.onnx"))


def test_settings_choose_the_query_backend(tmp_path: Path) -> None:
    onnx = Embedder.from_settings(Settings(data_dir=tmp_path, _env_file=None))
    assert onnx.onnx_cache == tmp_path / "models"
    torch_only = Embedder.from_settings(Settings(data_dir=tmp_path, query_encoder="torch", _env_file=None))
    assert torch_only.onnx_cache is None and torch_only.query_encoder() is None


def test_a_query_embedded_ahead_is_the_query_embedded_when_asked(embedder: Embedder, graph_dir: Path) -> None:
    fast = Embedder(onnx_cache=graph_dir)
    expected = [np.asarray(fast.embed_query(q)) for q in QUERIES[:3]]
    fast._query_cache.cache_clear()
    for q in QUERIES[:3]:
        fast.prefetch(q)
    got = [np.asarray(fast.embed_query(q)) for q in QUERIES[:3]]
    for a, b in zip(got, expected, strict=True):
        assert np.array_equal(a, b)
    assert fast._query_cache.cache_info().misses == 3  # each encoded once, ahead or when asked
    assert not fast._ahead  # nothing left pending


def test_a_query_still_queued_ahead_is_embedded_when_asked(graph_dir: Path) -> None:
    import threading

    fast = Embedder(onnx_cache=graph_dir)
    fast.embed_query("warm")
    release = threading.Event()
    fast.prefetch("warm")  # opens the pool; then the worker is held busy
    assert fast._ahead_pool is not None
    fast._ahead_pool.submit(release.wait, 30)
    fast.prefetch(QUERIES[0])  # queued behind the busy worker
    vec = fast.embed_query(QUERIES[0])  # must not wait for the worker
    release.set()
    assert len(vec) == 384
    assert QUERIES[0] not in fast._ahead
