"""Thumbs up/down from the chat UI, appended to <data_dir>/feedback.jsonl."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Literal

from rag.core.models import Answer

log = logging.getLogger(__name__)

_lock = threading.Lock()


def feedback_path(data_dir: Path) -> Path:
    return data_dir / "feedback.jsonl"


def record_feedback(data_dir: Path, rating: Literal["up", "down"], answer: Answer) -> Path:
    row = {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rating": rating,
        "question": answer.question,
        "answer": answer.answer,
        "mode": answer.mode,
        "abstained": answer.abstained,
        "citations": [
            {"n": c.n, "doc_id": c.doc_id, "chunk_id": c.chunk_id, "section": c.section, "quote": c.quote}
            for c in answer.citations
        ],
    }
    path = feedback_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(row, ensure_ascii=False) + "\n").encode()
    # One write() on an O_APPEND descriptor: lines from several workers do not interleave.
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    log.info("feedback %s recorded", rating)
    return path
