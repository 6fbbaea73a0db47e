"""Answers kept to share: every served answer gets an id, and /a/{id} shows it again later.

SQLite under the data dir (`answers.sqlite`), one row an answer holding the `Answer` JSON. Written behind:
serving an answer only serialises it and hands it over; a writer thread stores what has arrived in one
transaction every FLUSH_S (under load, a write per answer on the request's own thread cost a fifth of the
throughput). `get` sees the answers not yet written too, so a permalink works at once. Handing over never
waits for the disk: the writer holds the queue's lock only to take the batch, and the connection's lock
for the write (a write with a prune and a WAL checkpoint took up to 85 ms over 10,000 kept answers, and
the request that handed over its answer meanwhile waited as long: the bench's single slow request). WAL with
synchronous=NORMAL: a crash can lose the last fraction of a second of kept answers, never the store. The
newest `keep` answers are kept, none older than `keep_days` when that is set; older ones are pruned as new
ones arrive, and an expired one is not served even before its prune. Whoever holds an answer's id (the
permalink's capability) can delete it.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from rag.core.models import Answer

log = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
FLUSH_S = 0.2
PRUNE_EVERY = 200  # inserts between prunes: deleting old rows on every insert would cost more than it saves


class AnswerLog:
    def __init__(self, path: Path, keep: int, keep_days: float = 0.0) -> None:
        self.path = path
        self.keep = keep
        self.keep_days = keep_days
        self._pending: dict[str, tuple[float, str]] = {}  # id → (created, JSON), not yet written
        self._writing: dict[str, tuple[float, str]] = {}  # the batch being written now
        self._lock = threading.Lock()  # guards _pending and _writing, never held for I/O
        self._db_lock = threading.Lock()  # guards the connection; taken before _lock, never after
        self._wake = threading.Event()
        self._writer: threading.Thread | None = None
        self._inserts = 0
        self._db: sqlite3.Connection | None = None

    def keep_answer(self, answer: Answer) -> Answer:
        """`answer` with a new id, queued for storing; unchanged (no id) when keeping is off."""
        if self.keep <= 0:
            return answer
        kept = answer.model_copy(update={"id": secrets.token_urlsafe(9)})
        assert kept.id is not None
        with self._lock:
            self._pending[kept.id] = (time.time(), kept.model_dump_json())
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="policyqa-answers", daemon=True)
                self._writer.start()
        return kept

    def get(self, answer_id: str) -> Answer | None:
        if not ID_PATTERN.match(answer_id):
            return None
        with self._lock:
            queued = self._pending.get(answer_id) or self._writing.get(answer_id)
        if queued is not None:
            return Answer.model_validate_json(queued[1])
        with self._db_lock:
            try:
                row = (
                    self._conn()
                    .execute(
                        "SELECT body FROM answers WHERE id = ? AND created >= ?", (answer_id, self._cutoff())
                    )
                    .fetchone()
                )
            except sqlite3.Error as exc:
                log.warning("could not read kept answers (%s)", exc)
                return None
        return Answer.model_validate_json(row[0]) if row else None

    def get_many(self, ids: list[str]) -> list[Answer]:
        """The kept answers among `ids`, in that order (unknown, pruned and expired ones left out)."""
        found = (self.get(i) for i in dict.fromkeys(ids))
        return [a for a in found if a is not None]

    def delete(self, ids: list[str]) -> int:
        """Forget these answers, queued or stored; how many there were."""
        ids = [i for i in dict.fromkeys(ids) if ID_PATTERN.match(i)]
        if not ids:
            return 0
        with self._db_lock:  # after a batch in flight is written, so that its rows are deleted too
            with self._lock:
                gone = sum(self._pending.pop(i, None) is not None for i in ids)
            try:
                db = self._conn()
                with db:
                    marks = ",".join("?" * len(ids))
                    gone += db.execute(f"DELETE FROM answers WHERE id IN ({marks})", ids).rowcount
            except sqlite3.Error as exc:
                log.warning("could not delete kept answers (%s)", exc)
        return gone

    def _cutoff(self) -> float:
        """Answers created before this are expired (0: no age limit)."""
        return time.time() - self.keep_days * 86400 if self.keep_days > 0 else 0.0

    def flush(self) -> None:
        """Write what is queued now (the writer does this every FLUSH_S; tests and shutdown call it)."""
        with self._db_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
                self._writing = batch
            if not batch:
                return
            try:
                db = self._conn()
                with db:  # one transaction for the batch
                    db.executemany(
                        "INSERT OR REPLACE INTO answers (id, created, body) VALUES (?, ?, ?)",
                        [(i, created, body) for i, (created, body) in batch.items()],
                    )
                self._inserts += len(batch)
                if self._inserts >= PRUNE_EVERY:
                    self._inserts = 0
                    self._prune(db)
            except sqlite3.Error as exc:  # sharing is a convenience: serving goes on without it
                log.warning("could not store %d kept answer(s) (%s)", len(batch), exc)
            finally:
                with self._lock:
                    self._writing = {}

    def _prune(self, db: sqlite3.Connection) -> None:
        # The keep-th newest row's time, read off the index, bounds the delete to the rows past it: a
        # `NOT IN (newest keep)` delete scanned every row, 45 ms of CPU at 10,000 kept (a tenth of the
        # server's CPU under `make load`) against 0.2 ms. Ties at that time are all kept.
        with db:
            if self.keep <= 0:  # keeping turned off: none is kept (SQLite reads a negative OFFSET as 0)
                oldest_kept = math.inf
            else:
                row = db.execute(
                    "SELECT created FROM answers ORDER BY created DESC LIMIT 1 OFFSET ?", (self.keep - 1,)
                ).fetchone()
                oldest_kept = row[0] if row is not None else 0.0
            db.execute("DELETE FROM answers WHERE created < ?", (max(oldest_kept, self._cutoff()),))

    def close(self) -> None:
        self._wake.set()
        self.flush()
        with self._db_lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _write_loop(self) -> None:
        while not self._wake.wait(FLUSH_S):
            self.flush()

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS answers "
                "(id TEXT PRIMARY KEY, created REAL NOT NULL, body TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS answers_created ON answers (created)")
            db.commit()
            self._prune(db)  # a setting lowered since the last run applies at once
            self._db = db
        return self._db
