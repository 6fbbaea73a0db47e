"""OpenAI-compatible chat completions, so that any OpenAI client can talk to PolicyQA.

The last user message is the question and earlier user/assistant turns are the history. The answer
text keeps its [n] markers; the cited sources travel in an extra top-level `citations` field (in the
final chunk when streaming). Models are 'policyqa' (the server's default mode) and 'policyqa-<mode>'.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from rag.chain import AskRequest
from rag.core.models import Answer, ChatTurn
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
from ui.api.errors import ASK_ERRORS, error
from ui.api.schemas import (
    ChatCompletion,
    ChatCompletionBody,
    CompletionChoice,
    CompletionMessage,
    ModelCard,
    ModelList,
    Usage,
)
from ui.leak_guard import screened_invoke, screened_stream
from ui.metrics import observe_answer
from ui.state import AppState

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["openai-compatible"], dependencies=[Depends(require_read_key)])

MODEL_PREFIX = "policyqa"
# One server-sent event: a chat.completion.chunk as JSON, or the literal [DONE] at the end.
CHUNK_EVENT = {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "string", "description": "A chat.completion.chunk as JSON, or [DONE]."}},
}


def model_ids(modes: list[str]) -> list[str]:
    return [MODEL_PREFIX] + [f"{MODEL_PREFIX}-{m}" for m in modes]


def mode_for_model(model: str, modes: list[str]) -> str | None:
    """None means the server's default mode."""
    if model == MODEL_PREFIX:
        return None
    mode = model.removeprefix(f"{MODEL_PREFIX}-")
    if mode in modes:
        return mode
    raise HTTPException(
        404, detail=f"model {model!r} does not exist; available: {', '.join(model_ids(modes))}"
    )


def to_request(body: ChatCompletionBody, state: AppState) -> AskRequest:
    mode = mode_for_model(body.model, state.modes)
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise HTTPException(
            422, detail="the last user/assistant message must be from the user: it is the question"
        )
    question = turns[-1].text()
    history = [ChatTurn(role=m.role, content=m.text()) for m in turns[:-1]]  # type: ignore[arg-type]
    check_question(state.settings, question, len(history), body.top_k)
    return build_request(question, history, mode, body.top_k, body.filters)


def _words(text: str) -> int:
    return len(text.split())


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def _extras(answer: Answer) -> dict[str, Any]:
    return {
        "citations": [c.model_dump() for c in answer.citations],
        "abstained": answer.abstained,
        "warnings": answer.warnings,
    }


@router.get("/models", response_model=ModelList, summary="List the models (answer modes)")
async def list_models(state: State) -> ModelList:
    return ModelList(data=[ModelCard(id=m) for m in model_ids(state.modes)])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": CHUNK_EVENT}},
            "description": (
                "A chat.completion, or with `stream: true` chat.completion.chunk events then [DONE]."
            ),
        },
        **{k: v for k, v in ASK_ERRORS.items() if k != 404},
        404: error("Unknown model or document id."),
    },
    dependencies=[Depends(rate_limit)],
    summary="OpenAI-compatible chat completion (stream or not)",
)
async def chat_completions(
    body: ChatCompletionBody, request: Request, state: State, services: ReadyServices
) -> Any:
    req = to_request(body, state)
    await require_documents(services)
    if body.filters and body.filters.doc_ids:
        check_doc_ids(set(await run_in_threadpool(services.index.document_ids)), body.filters)
    slot = await acquire_slot(state, req.mode)
    created = int(time.time())
    cid = _completion_id()
    prompt_words = _words(req.question) + sum(_words(t.content) for t in req.history)

    if not body.stream:
        try:
            answer = await run_in_threadpool(screened_invoke, services.chain, req)
        finally:
            slot.release()
        observe_answer(answer, channel="openai")
        return ChatCompletion(
            id=cid,
            created=created,
            model=body.model,
            choices=[CompletionChoice(message=CompletionMessage(content=answer.answer))],
            usage=Usage(
                prompt_tokens=prompt_words,
                completion_tokens=_words(answer.answer),
                total_tokens=prompt_words + _words(answer.answer),
            ),
            **_extras(answer),
        )

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> ServerSentEvent:
        payload = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return ServerSentEvent(data=json.dumps(payload))

    async def events() -> AsyncIterator[ServerSentEvent]:
        try:
            yield chunk({"role": "assistant", "content": ""})
            async for item in stream_in_thread(
                lambda: screened_stream(services.chain, req), slot, request.is_disconnected
            ):
                # OpenAI clients concatenate deltas and cannot replace a draft, so only the verified
                # answer is sent: an unverified LLM draft never reaches them.
                if isinstance(item, Answer):
                    observe_answer(item, channel="openai_stream")
                    yield chunk({"content": item.answer})
                    yield chunk({}, "stop", **_extras(item))
        except Exception as exc:  # OpenAI clients surface an `error` payload as an APIError
            log.exception("streamed completion failed")
            yield ServerSentEvent(data=json.dumps({"error": {"message": failure_detail(exc, state)}}))
        yield ServerSentEvent(data="[DONE]")

    return EventSourceResponse(owning(events(), slot), ping=15)
