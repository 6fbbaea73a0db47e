"""Turning API input into an `AskRequest`, and running the chain's sync stream off the event loop."""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

from fastapi import HTTPException

from rag.chain import AskRequest
from rag.core.models import Answer, ChatTurn, Filters
from rag.core.settings import Settings
from ui.admission import Slot
from ui.api.schemas import FiltersIn, HistoryTurn
from ui.question import QuestionError, QuestionLimits, QuestionRequest
from ui.store_health import store_unavailable, unavailable_detail

log = logging.getLogger(__name__)


def check_question(settings: Settings, question: str, history_len: int, top_k: int | None) -> None:
    """The settings-dependent limits that a static schema cannot express (422 with a plain message)."""
    limits = QuestionLimits.of(settings)
    try:
        QuestionRequest.checked(limits, question=question, history_turns=history_len, top_k=top_k)
    except QuestionError as exc:
        raise HTTPException(422, detail=str(exc)) from None


def failure_detail(exc: BaseException, state: Any) -> str:
    """What a client is told, in-band, when a stream fails after its status line was sent."""
    if store_unavailable(exc, state.settings):
        state.store.mark_down()
        return unavailable_detail(state.settings)
    return f"generation failed ({type(exc).__name__})"


def check_doc_ids(known: set[str], filters: FiltersIn | None) -> None:
    if not filters or not filters.doc_ids:
        return
    unknown = sorted(set(filters.doc_ids) - known)
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise HTTPException(404, detail=f"unknown document id(s) in filters.doc_ids: {shown}")


def to_filters(filters: FiltersIn | None) -> Filters | None:
    if filters is None:
        return None
    data = filters.model_dump()
    return Filters(**data) if any(v for v in data.values()) else None


def build_request(
    question: str,
    history: list[HistoryTurn] | list[ChatTurn],
    mode: str | None,
    top_k: int | None,
    filters: FiltersIn | None,
) -> AskRequest:
    return AskRequest(
        question=question.strip(),
        history=[ChatTurn(role=t.role, content=t.content) for t in history],
        mode=mode,  # type: ignore[arg-type]
        top_k=top_k,
        filters=to_filters(filters),
    )


_DONE = object()
T = TypeVar("T")


def owning(events: AsyncIterator[T], slot: Slot) -> AsyncIterator[T]:
    """Tie `slot` to a response body that may never be iterated (the client left before it started).

    Once iterated, `stream_in_thread` releases the slot when its worker ends; this covers the other
    case, when the body is dropped unstarted and only garbage collection sees it go.
    """
    weakref.finalize(events, slot.release)
    return events


async def stream_in_thread(
    make_stream: Callable[[], Iterator[str | Answer]],
    slot: Slot,
    is_disconnected: Callable[[], Any] | None = None,
) -> AsyncIterator[str | Answer]:
    """Iterate a sync stream in a worker thread, handing items to the event loop as they come.

    The thread checks a cancel flag between items, so a client that goes away stops the generation
    at the next delta instead of letting it run to the end. The slot is released when the thread
    has actually finished, so the concurrency cap counts work that is really running.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[Any, BaseException | None]] = asyncio.Queue()
    cancel = threading.Event()
    started = threading.Event()

    def put(item: Any, exc: BaseException | None = None) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (item, exc))
        except RuntimeError:  # the loop is gone (server shutting down): nobody is listening
            cancel.set()

    def worker() -> None:
        started.set()
        stream = None
        try:
            if cancel.is_set():  # the client left before a thread was free
                return
            stream = make_stream()
            for item in stream:
                if cancel.is_set():
                    log.info("client went away; generation stopped")
                    break
                put(item)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which decides what the client sees
            put(None, exc)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # closing a half-run generator must not mask the real outcome
                    log.debug("closing the stream failed", exc_info=True)
            slot.release()
            put(_DONE)

    loop.run_in_executor(None, worker)
    try:
        while True:
            item, exc = await queue.get()
            if item is _DONE:
                return
            if exc is not None:
                raise exc
            if is_disconnected is not None and await is_disconnected():
                return
            yield item
    finally:
        cancel.set()
        if not started.is_set():
            # The executor never ran the worker (e.g. shutdown): free the slot here.
            slot.release()
