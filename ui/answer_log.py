"""Answers kept to share: every served answer gets an id, and /a/{id} shows it again later.

SQLite under the data dir (`answers.sqlite`), one row an answer holding the `Answer` JSON. WAL with
synchronous=NORMAL: a kept answer costs well under a millisecond, and a crash can lose at most the last
few, never the store. The newest `keep_answers` are kept; older ones are pruned as new ones arrive.
"""

from __future__ import annotations

import logging
import re
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from rag.core.models import Answer

log = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
PRUNE_EVERY = 200  # inserts between prunes: deleting old rows on every insert would cost more than it saves


class AnswerLog:
    def __init__(self, path: Path, keep: int) -> None:
        self.path = path
        self.keep = keep
        self._lock = threading.Lock()
        self._inserts = 0
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS answers "
                "(id TEXT PRIMARY KEY, created REAL NOT NULL, body TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS answers_created ON answers (created)")
            self._db = db
        return self._db

    def keep_answer(self, answer: Answer) -> Answer:
        """`answer` with a new id, stored; unchanged (no id) when keeping is off or the write fails."""
        if self.keep <= 0:
            return answer
        kept = answer.model_copy(update={"id": secrets.token_urlsafe(9)})
        try:
            with self._lock:
                db = self._conn()
                db.execute(
                    "INSERT INTO answers (id, created, body) VALUES (?, ?, ?)",
                    (kept.id, time.time(), kept.model_dump_json()),
                )
                self._inserts += 1
                if self._inserts % PRUNE_EVERY == 0:
                    db.execute(
                        "DELETE FROM answers WHERE id NOT IN "
                        "(SELECT id FROM answers ORDER BY created DESC LIMIT ?)",
                        (self.keep,),
                    )
        except sqlite3.Error as exc:  # sharing is a convenience: the answer itself must still be served
            log.warning("could not keep the answer for sharing (%s)", exc)
            return answer
        return kept

    def get(self, answer_id: str) -> Answer | None:
        if not ID_PATTERN.match(answer_id):
            return None
        with self._lock:
            row = self._conn().execute("SELECT body FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return Answer.model_validate_json(row[0]) if row else None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
