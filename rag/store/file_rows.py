"""Rows of a large on-disk table read with `pread`, not through a memory mapping.

A store too large to hold (100× this corpus) keeps its sentence vectors (1.1 GB) and chunk texts
(150 MB) on disk, and a question reads its ~40 candidates' rows. Read through `np.memmap`, the pages a
question touched stayed mapped into the server, and far more than it read: after the start-up preload
(rag/store/page_cache.py) the first question mapped 61 MiB of `sentences.npy` for ~0.5 MB of vectors,
three questions 190 MiB, and the RSS kept growing towards the file's size as questions came (on this
kernel, 6.18, a fault seems to map the large page-cache folio around the row;
bench/results/20261207-stop56-scale-mem.md). `pread` copies just the rows into a fresh buffer; the
file's pages stay in the OS page cache (shared, evictable) and out of the process.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class FileBytes:
    """Byte ranges of one file, read with `pread` on a descriptor kept open (thread-safe: no seek)."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDONLY)  # the open inode: a file replaced by an ingest stays readable
        self.size = os.fstat(self.fd).st_size

    def read(self, start: int, end: int) -> bytes:
        out = os.pread(self.fd, end - start, start)
        if len(out) != end - start:
            raise OSError(f"short read at {start}: {len(out)} of {end - start} bytes")
        return out

    def __del__(self) -> None:
        try:
            os.close(self.fd)
        except (AttributeError, OSError):
            pass


# Rows this close in the file are read in one call, the gap read and dropped (a call costs ~3-15 µs here,
# and copying 16 KiB about as much).
GAP_BYTES = 16 << 10


class FileRows:
    """A C-ordered .npy file's rows (along its first axis) by index, as `np.memmap` would give them: an
    int (negative from the end), a slice of step 1, or an int array."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            fmt = np.lib.format
            major, _ = fmt.read_magic(fh)
            read_header = fmt.read_array_header_1_0 if major == 1 else fmt.read_array_header_2_0
            shape, fortran, dtype = read_header(fh)
            offset = fh.tell()
        if fortran or not shape:
            raise ValueError(f"{path}: not a C-ordered array of rows")
        self.shape: tuple[int, ...] = tuple(int(n) for n in shape)
        self.dtype = np.dtype(dtype)
        self._row = int(np.prod(self.shape[1:], dtype=np.int64)) * self.dtype.itemsize
        self._offset = offset
        self._file = FileBytes(path)
        if self._file.size < offset + self._row * self.shape[0]:
            raise ValueError(f"{path}: shorter than its header says")

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: int | np.integer | slice | np.ndarray) -> np.ndarray:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise IndexError("only slices of step 1")
            return self._run(start, max(stop - start, 0))
        if isinstance(index, (int, np.integer)):
            i = int(index) + (len(self) if index < 0 else 0)
            if not 0 <= i < len(self):
                raise IndexError("row out of range")
            return self._run(i, 1)[0]
        return self.take(np.asarray(index))

    def _run(self, first: int, n: int) -> np.ndarray:
        start = self._offset + first * self._row
        data = self._file.read(start, start + n * self._row)
        return np.frombuffer(data, dtype=self.dtype).reshape((n, *self.shape[1:]))

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The rows, in the order asked. Rows close together in the file are read together: each read is
        a system call and a turn of this Python loop, and a pass over one named text at 100x asks ~7,000
        sentence vectors that lie side by side (a text's sentences were written together)."""
        rows = rows.astype(np.int64, copy=False).ravel()
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        if not len(rows):
            return out
        steps = np.diff(rows)
        if (steps >= 0).all():  # asked in file order (the usual case): no sort
            order, ordered = None, rows
        else:
            order = np.argsort(rows, kind="stable")
            ordered = rows[order]
            steps = np.diff(ordered)
        if ordered[0] < 0 or ordered[-1] >= len(self):
            raise IndexError("row out of range")
        got = out if order is None else np.empty_like(out)
        breaks = (np.flatnonzero(steps > max(1, GAP_BYTES // self._row)) + 1).tolist()
        for a, b in zip([0, *breaks], [*breaks, len(ordered)], strict=True):
            first, last = int(ordered[a]), int(ordered[b - 1])
            span = self._run(first, last - first + 1)
            got[a:b] = span[ordered[a:b] - first]  # (a row asked twice is there twice)
        if order is not None:
            out[order] = got
        return out

    def load(self) -> np.ndarray:
        """The whole table in memory (a store small enough to scan every row per question)."""
        return self._run(0, len(self)).copy()
