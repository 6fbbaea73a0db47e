"""Re-ingesting the corpus from the API, in a background thread, one run at a time.

The run uses `ingest.pipeline.ingest` on settings.corpus_dir, exactly as `policyqa ingest` does: it
repairs the index first, skips unchanged documents (content-hash ids) and reports per file. Progress
is kept in memory for GET /api/ingest; per-file sources are reduced to document ids so that server
paths never reach a client.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rag.container import Services
from rag.core.settings import Settings
from ui.api.schemas import IngestFile, IngestStatus
from ui.writes import WriteGate

log = logging.getLogger(__name__)


class IngestRunningError(RuntimeError):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class IngestJobs:
    def __init__(
        self,
        settings: Settings,
        services: Services,
        gate: WriteGate,
        on_done: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.services = services
        self.gate = gate
        self.on_done = on_done
        self._lock = threading.Lock()
        self._run: IngestStatus | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> IngestStatus | None:
        with self._lock:
            return self._run.model_copy(deep=True) if self._run else None

    def start(self, prune: bool = False) -> IngestStatus:
        with self._lock:
            if self.running:
                raise IngestRunningError("an ingest is already running; see GET /api/ingest")
            self._run = IngestStatus(
                id=uuid.uuid4().hex[:12], state="running", started_at=_now(), prune=prune
            )
            # A daemon: a server told to stop must not wait minutes for the corpus; a killed ingest is
            # what the write marker and the next start's repair are for.
            self._thread = threading.Thread(
                target=self._work, args=(prune,), name="policyqa-ingest", daemon=True
            )
            self._thread.start()
            return self._run.model_copy(deep=True)

    def _progress(self, result: Any) -> None:
        with self._lock:
            if self._run is not None:
                self._run.files.append(
                    IngestFile(
                        doc_id=result.doc_id,
                        status=result.status,
                        chunks=result.chunks,
                        embedded=result.embedded,
                        deleted=result.deleted,
                        reason=result.reason,
                    )
                )

    def _work(self, prune: bool) -> None:
        from ingest.pipeline import ingest

        detail, state, repaired = "", "succeeded", 0
        try:
            with self.gate.writing("ingest", timeout=None):
                report = ingest(
                    [str(self.settings.corpus_dir)],
                    self.settings,
                    self.services.index,
                    prune=prune,
                    progress=self._progress,
                )
            repaired = report.repaired
            if report.failed:
                state = "failed"
                detail = f"{len(report.failed)} of {len(report.files)} file(s) failed; the rest were indexed"
            else:
                detail = f"{len(report.files)} file(s), {report.chunks} passages, {report.embedded} embedded"
            log.info("API ingest finished: %s", detail)
        except Exception as exc:  # reported on GET /api/ingest; the server keeps serving the old index
            log.exception("API ingest failed")
            state, detail = "failed", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if self.on_done is not None:
            try:
                self.on_done()
            except Exception:  # a refresh failure (store down) must not hide the ingest's own outcome
                log.exception("refreshing after the ingest failed")
        with self._lock:
            if self._run is not None:
                self._run.state = state  # type: ignore[assignment]
                self._run.detail = detail
                self._run.repaired = repaired
                self._run.finished_at = _now()
