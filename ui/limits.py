"""Admission control: a per-client rate limit and a cap on concurrent generations.

Both are in-process, so with several uvicorn workers each worker keeps its own counters: the effective
limits are per worker (N workers admit up to N × the configured numbers). That is deliberate: sharing
them would need an external store, and neither limit guards correctness, only fairness and memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

WINDOW_S = 60.0
# Forget idle clients now and then so that the table cannot grow without bound.
_SWEEP_EVERY = 1024


class RateLimiter:
    """Sliding one-minute window per client key (the client IP)."""

    def __init__(self, per_minute: int, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def check(self, key: str) -> int:
        """0 when the call is admitted (and counted); otherwise seconds until it would be."""
        if self.per_minute <= 0:
            return 0  # 0 or less: no limit
        now = self._clock()
        with self._lock:
            self._calls += 1
            if self._calls % _SWEEP_EVERY == 0:
                self._sweep(now)
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= WINDOW_S:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, math.ceil(WINDOW_S - (now - hits[0])))
            hits.append(now)
            return 0

    def _sweep(self, now: float) -> None:
        stale = [k for k, h in self._hits.items() if not h or now - h[-1] >= WINDOW_S]
        for k in stale:
            del self._hits[k]


class Slot:
    """One admitted generation; `release` is idempotent so every exit path may call it."""

    def __init__(self, owner: GenerationSlots) -> None:
        self._owner = owner
        self._released = False
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        self._owner._release()


class GenerationSlots:
    """A non-blocking counting semaphore: a full server answers 503 at once instead of queueing."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_use = 0
        self._lock = threading.Lock()

    @property
    def in_use(self) -> int:
        return self._in_use

    def try_acquire(self) -> Slot | None:
        with self._lock:
            if self._in_use >= self.limit:
                return None
            self._in_use += 1
        return Slot(self)

    def _release(self) -> None:
        with self._lock:
            self._in_use = max(0, self._in_use - 1)
