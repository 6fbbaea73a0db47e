"""Index writes from the API: one at a time per process, and a marker on disk while one runs.

LangChain's index() writes vectors before it records them, so a process killed mid-write can leave
chunks the record manager never heard of. The marker (data_dir/writes-in-progress/<pid>.json) lets
the next start know that happened and run `Index.repair()` before serving, so that it serves the last
consistent index. A marker whose process is still alive belongs to another worker that is writing
right now; repairing under it would delete its fresh chunks, so those are left alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MARKER_DIR = "writes-in-progress"
# An upload waiting behind another upload; past this it is told to retry instead of holding a thread.
WAIT_S = 60.0


class WritesBusyError(RuntimeError):
    """Another write (usually a re-ingest) holds the index."""


class WriteGate:
    def __init__(self, data_dir: Path) -> None:
        self.marker_dir = Path(data_dir) / MARKER_DIR
        self._lock = threading.Lock()
        self.current: str | None = None

    @contextlib.contextmanager
    def writing(
        self, what: str, timeout: float | None = WAIT_S, refusals: tuple[type[BaseException], ...] = ()
    ) -> Iterator[None]:
        """Hold the index for one write. `refusals` are errors raised before anything is written
        (e.g. "document exists"): they leave no marker behind."""
        acquired = self._lock.acquire() if timeout is None else self._lock.acquire(timeout=timeout)
        if not acquired:
            raise WritesBusyError(f"another write is in progress ({self.current}); retry later")
        marker = self.marker_dir / f"{os.getpid()}.json"
        try:
            self.current = what
            self.marker_dir.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"pid": os.getpid(), "what": what, "started": time.time()}))
            try:
                yield
            except refusals:
                marker.unlink(missing_ok=True)
                raise
            # Only a write that finished removes its marker: after any other exception the store may
            # be half-written, and the next start (or ingest) must repair it.
            marker.unlink(missing_ok=True)
        finally:
            self.current = None
            self._lock.release()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_markers(data_dir: Path) -> list[Path]:
    """Markers left by processes that died mid-write (or by an earlier life of this very pid)."""
    folder = Path(data_dir) / MARKER_DIR
    if not folder.is_dir():
        return []
    stale = []
    for marker in sorted(folder.glob("*.json")):
        try:
            pid = int(json.loads(marker.read_text()).get("pid", marker.stem))
        except (OSError, ValueError, AttributeError):
            stale.append(marker)  # unreadable: written by a process killed mid-write
            continue
        # A restarted container can hand the dead process's pid to us; we have not written yet.
        if pid == os.getpid() or not _alive(pid):
            stale.append(marker)
    return stale


def repair_after_crash(data_dir: Path, index: Any) -> int:
    """Run Index.repair() if a write was interrupted by a crash; returns how many records were fixed."""
    stale = stale_markers(data_dir)
    if not stale:
        return 0
    fixed = int(index.repair())
    for marker in stale:
        marker.unlink(missing_ok=True)
    log.warning("an index write was interrupted by a crash; repair fixed %d record(s)", fixed)
    return fixed
