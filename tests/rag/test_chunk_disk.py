"""The chunk texts and vectors kept on disk for a store too large to hold (rag/retrieval/chunk_disk.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.retrieval.chunk_disk import ChunkDisk
from rag.store.file_rows import FileRows

IDS = ["a", "b", "c", "d"]
TEXTS = ["Article 50(2): providers shall mark…", "", "「広島AIプロセス」 — the Hiroshima process", "last"]


def _vectors() -> np.ndarray:
    return np.arange(len(IDS) * 3, dtype=np.float32).reshape(len(IDS), 3)


def test_texts_and_vectors_come_back_row_by_row(tmp_path: Path) -> None:
    disk = ChunkDisk.kept(tmp_path / "chunks", "fp1", IDS, TEXTS, _vectors())
    assert disk is not None and len(disk) == len(IDS)
    assert [disk.text(i) for i in range(len(IDS))] == TEXTS
    assert isinstance(disk.vectors, FileRows)  # read as asked, not held in memory
    assert np.array_equal(disk.vectors.load(), _vectors())
    assert np.array_equal(disk.vectors[np.array([3, 1])], _vectors()[[3, 1]])


def test_a_copy_for_other_content_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "chunks"
    ChunkDisk.write(folder, "fp1", IDS, TEXTS, _vectors())
    assert ChunkDisk.load(folder, "fp2", IDS) is None  # the store changed
    assert ChunkDisk.load(folder, "fp1", list(reversed(IDS))) is None  # other rows, other order
    rewritten = ChunkDisk.kept(folder, "fp2", IDS[:2], TEXTS[:2], _vectors()[:2])
    assert rewritten is not None and [rewritten.text(i) for i in range(2)] == TEXTS[:2]


def test_a_torn_copy_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "chunks"
    ChunkDisk.write(folder, "fp1", IDS, TEXTS, _vectors())
    with open(folder / "texts.bin", "ab") as fh:
        fh.write(b"tail of another write")
    assert ChunkDisk.load(folder, "fp1", IDS) is None
    (folder / "vectors.npy").unlink()
    assert ChunkDisk.load(folder, "fp1", IDS) is None
