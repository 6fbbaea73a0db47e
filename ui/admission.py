"""Admission control: a per-client rate limit, a cap on concurrent LLM generations and a bounded queue for
cheap (extractive) answers, shared by the HTTP API and the Gradio UI (one client shares one budget).

An extractive answer costs tens of milliseconds, so refusing it because four are running turns a short
wait into an error page; it waits in a bounded queue instead, and is refused (503, Retry-After) only when
its wait would pass the deadline. An LLM answer holds a slot for seconds, so its cap refuses at once.

Both are in-process, so with several uvicorn workers each worker keeps its own counters: the effective
limits are per worker (N workers admit up to N × the configured numbers). That is deliberate: sharing
them would need an external store, and neither limit guards correctness, only fairness and memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Any, NoReturn

from ui.metrics import REJECTED

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
    """One admitted answer; `release` is idempotent so every exit path may call it."""

    def __init__(self, owner: GenerationSlots | AnswerQueue) -> None:
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


class AnswerQueue:
    """Up to `limit` answers run at once; up to `max_waiting` more wait, first come first served, each
    for at most `deadline_s`. `acquire` blocks (call it off the event loop) and returns None only when the
    queue is full or the deadline passed."""

    def __init__(self, limit: int, max_waiting: int, deadline_s: float, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.limit = max(1, limit)
        self.max_waiting = max(0, max_waiting)
        self.deadline_s = deadline_s
        self._clock = clock
        self._in_use = 0
        self._tickets: deque[object] = deque()  # waiters in arrival order
        self._cond = threading.Condition()

    @property
    def in_use(self) -> int:
        return self._in_use

    @property
    def waiting(self) -> int:
        return len(self._tickets)

    def try_acquire(self) -> Slot | None:
        """A slot now if one is free and nobody is waiting for it; None otherwise. Never blocks."""
        with self._cond:
            if self._in_use < self.limit and not self._tickets:
                self._in_use += 1
                return Slot(self)
        return None

    def acquire(self) -> Slot | None:
        with self._cond:  # re-entrant (Condition's default RLock), so the fast path is try_acquire's
            if (slot := self.try_acquire()) is not None:
                return slot
            if len(self._tickets) >= self.max_waiting:
                return None
            ticket = object()
            self._tickets.append(ticket)
            end = self._clock() + self.deadline_s
            try:
                while self._in_use >= self.limit or self._tickets[0] is not ticket:
                    remaining = end - self._clock()
                    if remaining <= 0:
                        return None
                    self._cond.wait(remaining)
                self._in_use += 1
                return Slot(self)
            finally:
                self._tickets.remove(ticket)
                self._cond.notify_all()  # the next in line may be free to go

    def _release(self) -> None:
        with self._cond:
            self._in_use = max(0, self._in_use - 1)
            self._cond.notify_all()


class Rejected(Exception):
    """A question turned away before generation; `reason` labels policyqa_rejected_total."""

    reason = "rejected"


class RateLimited(Rejected):
    reason = "rate_limited"

    def __init__(self, wait: int, per_minute: int) -> None:
        super().__init__(f"rate limit of {per_minute} requests per minute exceeded; retry in {wait}s")
        self.wait = wait


class Busy(Rejected):
    reason = "busy"

    def __init__(self, limit: int) -> None:
        super().__init__(f"server busy: {limit} answers are being generated; retry shortly")


class QueueFull(Busy):
    reason = "queue_full"

    def __init__(self, waiting: int, deadline_s: float) -> None:
        Rejected.__init__(
            self, f"server busy: {waiting} answers are queued and none could start within {deadline_s:g}s"
        )


def client_key(request: Any) -> str:
    """The rate-limit key of a Starlette or Gradio request: the client IP. uvicorn's --proxy-headers
    (with --forwarded-allow-ips) rewrites client.host behind a trusted proxy."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


class Admission:
    """The one gate in front of answering: every refusal raises a `Rejected` and is counted."""

    def __init__(
        self, limiter: RateLimiter, slots: GenerationSlots, queue: AnswerQueue | None = None
    ) -> None:
        self.limiter = limiter
        self.slots = slots
        self.queue = queue

    def check_rate(self, client: str) -> None:
        """Count one request of `client`; RateLimited when it is over its budget."""
        wait = self.limiter.check(client)
        if wait:
            self._reject(RateLimited(wait, self.limiter.per_minute))

    def acquire(self, generative: bool = True) -> Slot:
        """A slot to answer in. LLM modes: Busy at once when max_concurrent_generations are running.
        Extractive: waits in the queue (blocking), QueueFull only when it is full or the wait would pass
        its deadline."""
        if not generative and self.queue is not None:
            queued = self.queue.acquire()
            if queued is None:
                self._reject(QueueFull(self.queue.waiting, self.queue.deadline_s))
            return queued
        slot = self.slots.try_acquire()
        if slot is None:
            self._reject(Busy(self.slots.limit))
        return slot

    def acquire_free(self) -> Slot | None:
        """An extractive slot that is free at once (no queue, no wait), or None: then `acquire(False)`."""
        return self.queue.try_acquire() if self.queue is not None else None

    def admit(self, client: str, generative: bool = True) -> Slot:
        """Both checks, rate first (what the chat UI does for each question)."""
        self.check_rate(client)
        return self.acquire(generative)

    @staticmethod
    def _reject(exc: Rejected) -> NoReturn:
        REJECTED.labels(reason=exc.reason).inc()
        raise exc
