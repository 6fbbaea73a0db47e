"""Reading a large store's copies into the page cache (rag/store/page_cache.py): every byte of every file,
a missing folder skipped, the caller's memory untouched."""

from __future__ import annotations

from pathlib import Path

from rag.store.page_cache import preload, read_through


def test_every_file_is_read_once_and_a_missing_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "x.npy").write_bytes(b"1" * 3_000_000)  # more than one read block
    (tmp_path / "a" / "sub" / "y.json").write_bytes(b"{}")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z").write_bytes(b"abc")
    assert read_through([tmp_path / "a", tmp_path / "missing", tmp_path / "b"]) == 3_000_000 + 2 + 3
    assert read_through([]) == 0


def test_preload_runs_beside_the_caller_and_ends(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"0" * 10)
    thread = preload([tmp_path])
    thread.join(timeout=10)
    assert not thread.is_alive() and thread.daemon
