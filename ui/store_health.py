"""Is the vector store reachable? Telling a Chroma outage apart from a bug, and noticing it cheaply.

In server mode (POLICYQA_CHROMA_HOST) the store can go away and come back while the app runs.
chromadb's HttpClient opens a fresh connection per call, so nothing needs rebuilding when it returns:
the app only has to answer 503 with a clear message meanwhile, instead of a 500 from deep inside the
chain, and stop saying so as soon as the store answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx

from rag.core.settings import Settings

log = logging.getLogger(__name__)

# Long enough that a busy server does not heartbeat Chroma per request, short enough that recovery
# shows within about a second.
PROBE_TTL_S = 1.0
RETRY_AFTER_S = 5
_MAX_CHAIN = 16


def store_where(settings: Settings) -> str:
    return f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "local"


def unavailable_detail(settings: Settings) -> str:
    return f"the vector store (Chroma server at {store_where(settings)}) is unreachable; retry shortly"


def store_unavailable(exc: BaseException, settings: Settings) -> bool:
    """True when `exc` (or anything it wraps) says the Chroma server cannot be reached.

    Only in server mode: the embedded store makes no network calls, so a transport error there comes
    from somewhere else (a URL upload, an LLM endpoint) and must not be reported as a store outage.
    """
    if not settings.chroma_host:
        return False
    from rag.store.client import StoreUnavailableError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN:
        seen.add(id(current))
        if isinstance(current, StoreUnavailableError | httpx.TransportError | ConnectionError):
            return True
        # chromadb's client constructor reports a dead server as a plain ValueError.
        if isinstance(current, ValueError) and "could not connect to a chroma server" in str(current).lower():
            return True
        current = current.__cause__ or current.__context__
    return False


class StoreProbe:
    """A heartbeat of the Chroma server, cached for PROBE_TTL_S; None means reachable."""

    def __init__(self, settings: Settings, ttl_s: float = PROBE_TTL_S, clock: Any = time.monotonic) -> None:
        self.settings = settings
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._problem: str | None = None

    def problem(self, index: Any) -> str | None:
        """Blocking (one HTTP round trip at most per TTL): call it from a worker thread."""
        if not self.settings.chroma_host:
            return None
        now = self._clock()
        with self._lock:
            if self._checked_at is not None and now - self._checked_at < self.ttl_s:
                return self._problem
        try:
            index.client.heartbeat()
            problem = None
        except Exception as exc:  # noqa: BLE001 - any failure to answer means unreachable for our purposes
            log.warning("Chroma heartbeat failed: %s", exc)
            problem = unavailable_detail(self.settings)
        with self._lock:
            if self._problem and not problem:
                log.info("Chroma server at %s is reachable again", store_where(self.settings))
            self._checked_at, self._problem = self._clock(), problem
        return problem

    def mark_up(self) -> None:
        """The store just answered (e.g. /readyz): requests may use it at once, without another heartbeat."""
        with self._lock:
            if self._problem:
                log.info("Chroma server at %s is reachable again", store_where(self.settings))
            self._checked_at, self._problem = self._clock(), None

    def mark_down(self) -> None:
        """A request just failed on the store: answer 503 at once until the next heartbeat says otherwise."""
        with self._lock:
            self._checked_at, self._problem = self._clock(), unavailable_detail(self.settings)
