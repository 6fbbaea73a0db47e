"""What one app instance holds: settings, the shared services, readiness, and admission control.

The heavy services (embedding model, Chroma, BM25, the chain) are loaded in a background thread started
by the lifespan, so that /healthz answers at once and /readyz says 503 until everything is in memory.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from rag.answerers.registry import available_modes
from rag.container import Services
from rag.core.settings import Settings
from ui.admission import Admission, AnswerQueue, GenerationSlots, RateLimiter
from ui.answer_log import AnswerLog
from ui.ingest_job import IngestJobs
from ui.store_health import StoreProbe, store_unavailable
from ui.writes import WriteGate, repair_after_crash

log = logging.getLogger(__name__)

# A Chroma server that is down at start-up may come up later; keep trying instead of failing for good.
STORE_RETRY_S = 5.0


def configured_modes(settings: Settings) -> list[str]:
    """Answer modes that can run with this configuration; 'extractive' always."""
    try:
        return list(available_modes(settings)) or ["extractive"]
    except Exception as exc:  # noqa: BLE001 - a broken local-model lookup must not stop the server starting
        log.warning("could not list the configured answer modes (%s); offering extractive only", exc)
        return ["extractive"]


@dataclass
class AppState:
    settings: Settings
    services: Services
    modes: list[str]
    admission: Admission
    store: StoreProbe
    writes: WriteGate
    ingests: IngestJobs
    answers: AnswerLog
    ready: threading.Event = field(default_factory=threading.Event)
    load_error: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @classmethod
    def build(cls, settings: Settings, services: Services | None) -> AppState:
        services = services or Services(settings)
        writes = WriteGate(settings.data_dir)

        def refresh_searcher() -> None:
            services.searcher.refresh(True)

        return cls(
            settings=settings,
            services=services,
            modes=configured_modes(settings),
            admission=Admission(
                RateLimiter(settings.rate_limit_per_minute),
                GenerationSlots(settings.max_concurrent_generations),
                AnswerQueue(
                    settings.max_concurrent_answers,
                    settings.answer_queue_size,
                    settings.answer_queue_deadline_s,
                ),
            ),
            store=StoreProbe(settings),
            writes=writes,
            ingests=IngestJobs(settings, services, writes, on_done=refresh_searcher),
            answers=AnswerLog(
                settings.data_dir / "answers.sqlite", settings.keep_answers, settings.keep_answers_days
            ),
        )

    @property
    def slots(self) -> GenerationSlots:
        return self.admission.slots

    # -- loading --------------------------------------------------------------------------------
    def start_loading(self) -> None:
        if self._thread is None and not self.ready.is_set():
            # A daemon thread: Ctrl-C during a slow model load must not wait for the load to finish.
            self._thread = threading.Thread(target=self._load_loop, name="policyqa-load", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.answers.close()  # write the kept answers still queued

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self.ready.wait(timeout)

    def _load_loop(self) -> None:
        from rag.store.client import StoreUnavailableError

        while not self._stop.is_set():
            try:
                self._load_once()
            except Exception as exc:
                if isinstance(exc, StoreUnavailableError) or store_unavailable(exc, self.settings):
                    # Down at start-up, or gone between connecting and opening the collections: keep
                    # trying, so that the app comes up by itself once the Chroma server does.
                    where = f"{self.settings.chroma_host}:{self.settings.chroma_port}"
                    self.load_error = (
                        str(exc)
                        if isinstance(exc, StoreUnavailableError)
                        else f"Chroma server at {where} is unreachable: {type(exc).__name__}"
                    )
                    log.warning("%s; retrying in %.0fs", self.load_error, STORE_RETRY_S)
                    self._stop.wait(STORE_RETRY_S)
                    continue
                # A missing model or a broken index: report it on /readyz, don't retry.
                self.load_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                log.exception("loading the services failed")
                return
            self.load_error = None
            self.ready.set()
            return

    def _load_once(self) -> None:
        svc = self.services
        # Touch every lazily built part now, so that the first question does not pay for it.
        index = svc.index
        # Before the searcher reads the store: a write killed mid-way (marker left behind) may have left
        # orphan chunks, and this start must serve the last consistent index, not those.
        repair_after_crash(self.settings.data_dir, index)
        # An empty server still starts, so that documents can be uploaded or POST /api/ingest run.
        svc.warm_up()
        log.info("services loaded: %d chunks in the index", index.count())
