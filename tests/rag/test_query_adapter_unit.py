"""The query adapter: the map itself, its file, and the shipped one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.retrieval.query_adapter import (
    ADAPTER_PATH,
    QueryAdapter,
    QueryAdapterMissingError,
    load_query_adapter,
)
from rag.store.embedder import DIM


def adapter(u: np.ndarray, v: np.ndarray) -> QueryAdapter:
    return QueryAdapter(data_sha256="x", trained_on="test", u=u.tolist(), v=v.tolist())


def test_a_zero_map_leaves_the_vector_as_it_is() -> None:
    q = np.asarray([0.6, 0.8, 0.0], dtype=np.float32)
    out = adapter(np.zeros((3, 1)), np.ones((3, 1))).apply(q)
    assert out == pytest.approx(q)


def test_the_map_moves_the_vector_and_keeps_it_unit_length() -> None:
    q = np.asarray([1.0, 0.0, 0.0], dtype=np.float32)
    # U Vᵀ q adds the first coordinate onto the second: q → (1, 1, 0), normalised.
    u, v = np.asarray([[0.0], [1.0], [0.0]]), np.asarray([[1.0], [0.0], [0.0]])
    out = adapter(u, v).apply(q)
    assert out == pytest.approx(np.asarray([1, 1, 0]) / np.sqrt(2), abs=1e-6)
    assert float(np.linalg.norm(out)) == pytest.approx(1.0)


def test_a_missing_file_names_the_command_and_the_switch(tmp_path: Path) -> None:
    with pytest.raises(QueryAdapterMissingError, match="train-reader.*POLICYQA_QUERY_ADAPTER"):
        load_query_adapter(tmp_path / "none.json")


def test_a_file_for_another_embedding_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(adapter(np.zeros((8, 2)), np.zeros((8, 2))).model_dump_json(), encoding="utf-8")
    with pytest.raises(QueryAdapterMissingError, match="8-d"):
        load_query_adapter(path, DIM)


def test_the_shipped_adapter_fits_the_model_and_beat_the_plain_cosine_on_held_out_documents() -> None:
    shipped = load_query_adapter(ADAPTER_PATH, DIM)
    assert shipped.dim == DIM and len(shipped.data_sha256) == 64
    assert shipped.cv["top1_cosine_after"] > shipped.cv["top1_cosine_before"]
