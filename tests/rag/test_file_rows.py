"""Rows of an on-disk table read with pread: the same values as numpy's, and never mapped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.store.file_rows import FileBytes, FileRows


@pytest.fixture
def table(tmp_path: Path) -> tuple[Path, np.ndarray]:
    data = np.arange(40 * 6, dtype=np.float32).reshape(40, 6)
    np.save(tmp_path / "t.npy", data)
    return tmp_path / "t.npy", data


def test_rows_in_any_order_with_repeats_are_numpys(table: tuple[Path, np.ndarray]) -> None:
    path, data = table
    rows = FileRows(path)
    assert len(rows) == 40 and rows.shape == (40, 6) and rows.dtype == np.float32
    asked = np.array([7, 3, 4, 5, 5, 39, 0, 8])
    assert np.array_equal(rows[asked], data[asked])
    for asked in ([2, 0, 2], [1, 1, 2], [5, 5]):  # as many rows as the span they lie in, one twice
        assert np.array_equal(rows[np.array(asked)], data[asked])
    assert rows[np.array([], dtype=np.int64)].shape == (0, 6)
    assert np.array_equal(rows[-1], data[-1]) and np.array_equal(rows[np.int64(2)], data[2])
    assert np.array_equal(rows[10:13], data[10:13]) and np.array_equal(rows.load(), data)


def test_a_one_dimensional_array_slices_as_numpy_does(tmp_path: Path) -> None:
    data = np.arange(100, dtype=np.int64) * 3
    np.save(tmp_path / "o.npy", data)
    rows = FileRows(tmp_path / "o.npy")
    assert rows[5:9].tolist() == data[5:9].tolist() and int(rows[-1]) == 297
    assert rows[98:200].tolist() == [294, 297] and rows[50:40].tolist() == []


def test_rows_out_of_range_or_a_stepped_slice_are_refused(table: tuple[Path, np.ndarray]) -> None:
    rows = FileRows(table[0])
    for bad in (40, -41):
        with pytest.raises(IndexError):
            rows[bad]
    with pytest.raises(IndexError):
        rows[np.array([1, 40])]
    with pytest.raises(IndexError):
        rows[::2]


def test_a_torn_file_is_refused_at_open(table: tuple[Path, np.ndarray]) -> None:
    path, _ = table
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="shorter"):
        FileRows(path)
    with pytest.raises(OSError, match="short read"):
        FileBytes(path).read(0, path.stat().st_size + 1)


def test_the_file_is_read_not_mapped(table: tuple[Path, np.ndarray]) -> None:
    """A mapped file's touched pages count in the server's RSS (the module's docstring)."""
    path, data = table
    rows = FileRows(path)
    assert np.array_equal(rows[np.arange(40)], data)
    maps = Path("/proc/self/maps")
    if maps.exists():
        assert str(path) not in maps.read_text()
    # and numpy's memmap, read the same way, is: the check can tell them apart
    mapped = np.load(path, mmap_mode="r")
    assert float(mapped[3, 0]) == float(data[3, 0])
    if maps.exists():
        assert str(path) in maps.read_text()


def test_a_file_replaced_after_opening_still_reads_the_old_one(table: tuple[Path, np.ndarray]) -> None:
    """An ingest writes a new copy and renames it over the old: a server still serving the old
    fingerprint reads the rows it was opened on, as it did through a mapping."""
    path, data = table
    rows = FileRows(path)
    np.save(path.with_name("new.npy"), data + 1)
    path.with_name("new.npy").replace(path)
    assert np.array_equal(rows[np.array([1, 2])], data[[1, 2]])


@pytest.mark.parametrize("width", [6, 4096])  # rows merged across small gaps, or read run by run
def test_rows_far_apart_or_close_together_are_numpys(tmp_path: Path, width: int, monkeypatch) -> None:
    from rag.store import file_rows

    data = np.arange(30 * width, dtype=np.float32).reshape(30, width)
    np.save(tmp_path / "w.npy", data)
    rows = FileRows(tmp_path / "w.npy")
    reads = []
    real = file_rows.FileBytes.read
    counted = lambda self, a, b: reads.append(b - a) or real(self, a, b)  # noqa: E731
    monkeypatch.setattr(file_rows.FileBytes, "read", counted)
    asked = np.array([29, 2, 3, 3, 10, 0, 28])
    assert np.array_equal(rows[asked], data[asked])
    assert len(reads) == (1 if width == 6 else 4)  # 0, 2-3, 10, 28-29 apart when a row is 16 KiB
