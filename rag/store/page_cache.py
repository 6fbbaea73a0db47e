"""Reading a large store's copies once at start-up, so that the page cache holds them.

Above the prefill bound (rag/container.py) the chunk texts and vectors, the sentence vectors and the split
sentences are read from copies beside the store as asked (rag/store/file_rows.py), and the BM25 matrix is
memory-mapped (about 1.7 GB in all at 100x this corpus); a question reads the rows of its ~40 candidates.
After a restart, or once other work has pushed those files out of the OS page cache, each read waits for
the disk: at 100x the first round of 40 questions took up to 105-173 ms a question where the same
questions took 14-35 ms with the files cached, and retrieval p95 read 2.4-3.9x the baseline's, whose HNSW
index Chroma holds in its own memory (bench/results/20261207-stop54-scale-latency.md). Reading the files
through a small buffer puts them in the page cache without mapping them: the process's RSS does not grow,
and the kernel may still evict them under memory pressure, when cold reads return. `posix_fadvise`'s
WILLNEED was tried first and read nothing here (the page cache did not grow).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

_BLOCK = 1 << 20


def read_through(folders: Iterable[Path]) -> int:
    """Read every file under `folders` once, sequentially; the bytes read."""
    buf = bytearray(_BLOCK)
    total = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            try:
                with path.open("rb", buffering=0) as f:
                    while n := f.readinto(buf):
                        total += n
            except OSError as exc:  # written over by an ingest meanwhile: the next start reads it
                log.debug("page-cache preload skipped %s: %s", path, exc)
    return total


def preload(folders: Iterable[Path]) -> threading.Thread:
    """Start `read_through` in a daemon thread: questions are served meanwhile, the first ones maybe cold."""
    folders = list(folders)

    def run() -> None:
        t = time.perf_counter()
        total = read_through(folders)
        log.info(
            "page cache: read %d MiB of the store's copies in %.1f s", total >> 20, time.perf_counter() - t
        )

    thread = threading.Thread(target=run, name="page-cache-preload", daemon=True)
    thread.start()
    return thread
