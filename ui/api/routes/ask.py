"""POST /api/ask (one JSON answer) and POST /api/ask/stream (server-sent events)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from rag.chain import AskRequest
from rag.core.models import Answer
from ui.api.asking import (
    build_request,
    check_doc_ids,
    check_question,
    failure_detail,
    owning,
    stream_in_thread,
)
from ui.api.deps import (
    ReadyServices,
    State,
    acquire_slot,
    rate_limit,
    require_documents,
    require_read_key,
)
from ui.api.errors import ASK_ERRORS
from ui.api.schemas import AskBody
from ui.leak_guard import DraftGuard, screened_invoke, screened_stream
from ui.metrics import observe_answer
from ui.state import AppState

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["ask"], dependencies=[Depends(require_read_key)])

STREAM_DOC = """Server-sent events:

* `delta` — `{"text": "..."}`, a piece of the answer as it is produced. In the generative modes a draft
  may be followed by a replacement; the `result` event is authoritative.
* `result` — the full `Answer` JSON (citations, sources, sentences, warnings, timings).
* `error` — `{"detail": "..."}` if generation failed after the stream started.
* `done` — `{}`; the stream ends.

Closing the connection stops the generation."""


# OpenAPI 3.1 reads the schema of text/event-stream as the schema of one event.
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["delta", "result", "error", "done"]},
        "data": {
            "type": "string",
            "description": "JSON: {text} for delta, an Answer for result, {detail} for error.",
        },
    },
}


async def prepared_request(body: AskBody, state: AppState, services: ReadyServices) -> AskRequest:
    """Validate the settings-dependent limits and the filter ids, then build the chain's request."""
    check_question(state.settings, body.question, len(body.history), body.top_k)
    await require_documents(services)
    if body.filters and body.filters.doc_ids:
        known = set(await run_in_threadpool(services.index.document_ids))
        check_doc_ids(known, body.filters)
    return build_request(body.question, body.history, body.mode, body.top_k, body.filters)


@router.post(
    "/ask",
    response_model=Answer,
    responses=ASK_ERRORS,
    dependencies=[Depends(rate_limit)],
    summary="Answer a question with verified citations",
)
async def ask(body: AskBody, state: State, services: ReadyServices) -> Answer:
    req = await prepared_request(body, state, services)
    slot = await acquire_slot(state, req.mode)
    try:
        # The chain is CPU-bound and synchronous: run it in the threadpool, never on the event loop; keep
        # the answer for its permalink in the same hop (a second one costs more than the write).
        answer = await run_in_threadpool(
            lambda: state.answers.keep_answer(screened_invoke(services.chain, req))
        )
    finally:
        slot.release()
    observe_answer(answer, channel="api")
    return answer


@router.post(
    "/ask/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}, "description": STREAM_DOC},
        **ASK_ERRORS,
    },
    dependencies=[Depends(rate_limit)],
    summary="Stream an answer as server-sent events",
    description=STREAM_DOC,
)
async def ask_stream(
    body: AskBody, request: Request, state: State, services: ReadyServices
) -> EventSourceResponse:
    req = await prepared_request(body, state, services)
    slot = await acquire_slot(state, req.mode)

    async def events() -> AsyncIterator[ServerSentEvent]:
        guard = DraftGuard()  # drafts are unverified model output: never let prompt text through
        try:
            async for item in stream_in_thread(
                lambda: screened_stream(services.chain, req), slot, request.is_disconnected
            ):
                if isinstance(item, Answer):
                    if tail := guard.flush():
                        yield ServerSentEvent(event="delta", data=json.dumps({"text": tail}))
                    observe_answer(item, channel="api_stream")
                    item = await run_in_threadpool(state.answers.keep_answer, item)
                    yield ServerSentEvent(event="result", data=item.model_dump_json())
                elif text := guard.feed(item):
                    yield ServerSentEvent(event="delta", data=json.dumps({"text": text}))
        except Exception as exc:  # the status line is gone; tell the client in-band, without a traceback
            log.exception("streamed answer failed")
            yield ServerSentEvent(event="error", data=json.dumps({"detail": failure_detail(exc, state)}))
        yield ServerSentEvent(event="done", data="{}")

    return EventSourceResponse(owning(events(), slot), ping=15)
