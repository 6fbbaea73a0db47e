"""Kept answers: GET /api/answers/{id} (the Answer JSON), /api/answers/{id}/markdown (to paste or save),
DELETE /api/answers/{id}; a conversation (the ids of its answers, in order) exported or deleted at once.

An answer's id is its capability: unguessable (72 random bits), it is all that reads or deletes it; with
POLICYQA_READ_REQUIRES_KEY the key is needed as well."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from rag.core.models import Answer
from ui.answer_log import ID_PATTERN
from ui.api.deps import State, require_read_key
from ui.api.errors import ANSWER_ERRORS, CONVERSATION_ERRORS
from ui.web.export import answer_markdown, conversation_markdown

router = APIRouter(prefix="/api/answers", tags=["answers"], dependencies=[Depends(require_read_key)])
conversation_router = APIRouter(
    prefix="/api/conversation", tags=["answers"], dependencies=[Depends(require_read_key)]
)
MAX_CONVERSATION = 200  # answers in one export or deletion


async def kept(answer_id: str, state: State) -> Answer:
    found = await run_in_threadpool(state.answers.get, answer_id)
    if found is None:
        raise HTTPException(404, f"no kept answer with id {answer_id!r}")
    return found


@router.get("/{answer_id}", response_model=Answer, responses=ANSWER_ERRORS, summary="A kept answer as JSON")
async def get_answer(answer_id: str, state: State) -> Answer:
    return await kept(answer_id, state)


@router.get(
    "/{answer_id}/markdown",
    response_class=PlainTextResponse,
    # An error is JSON; a route whose responses are text documents it by description only (with a
    # model, FastAPI would document it as text/markdown too).
    responses={
        200: {"content": {"text/markdown": {}}},
        404: {"description": ANSWER_ERRORS[404]["description"]},
    },
    summary="A kept answer as Markdown with footnote citations",
)
async def get_answer_markdown(answer_id: str, state: State, request: Request) -> PlainTextResponse:
    answer = await kept(answer_id, state)
    base = str(request.base_url).rstrip("/")
    return markdown_download(answer_markdown(answer, base), f"policyqa-{answer.id}.md")


def markdown_download(text: str, filename: str) -> PlainTextResponse:
    return PlainTextResponse(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.delete("/{answer_id}", status_code=204, responses=ANSWER_ERRORS, summary="Delete a kept answer")
async def delete_answer(answer_id: str, state: State) -> Response:
    if not await run_in_threadpool(state.answers.delete, [answer_id]):
        raise HTTPException(404, f"no kept answer with id {answer_id!r}")
    return Response(status_code=204)


class Conversation(BaseModel):
    answers: list[Answer]
    missing: list[str]  # asked for but not kept (never served here, pruned, expired or deleted)


class Deleted(BaseModel):
    deleted: int


def conversation_ids(
    ids: Annotated[str, Query(description="The answers' ids in conversation order, comma-separated.")],
) -> list[str]:
    found = [i.strip() for i in ids.split(",") if i.strip()]
    if not found:
        raise HTTPException(422, "ids: give at least one answer id")
    if len(found) > MAX_CONVERSATION:
        raise HTTPException(422, f"ids: at most {MAX_CONVERSATION} answers at once, got {len(found)}")
    bad = [i for i in found if not ID_PATTERN.match(i)]
    if bad:
        raise HTTPException(422, f"ids: {bad[0][:40]!r} is not an answer id")
    return found


Ids = Annotated[list[str], Depends(conversation_ids)]


@conversation_router.get(
    "",
    response_model=Conversation,
    responses={
        200: {"content": {"text/markdown": {}}},
        **{code: {"description": e["description"]} for code, e in CONVERSATION_ERRORS.items()},
    },
    summary="A whole conversation as Markdown with footnote citations, or as JSON",
)
async def export_conversation(
    ids: Ids, state: State, request: Request, format: Literal["markdown", "json"] = "markdown"
) -> Response:
    answers = await run_in_threadpool(state.answers.get_many, ids)
    if not answers:
        raise HTTPException(404, "none of these answers is kept here (never served, pruned or deleted)")
    kept = {a.id for a in answers}
    missing = [i for i in dict.fromkeys(ids) if i not in kept]
    if format == "json":
        return Response(
            Conversation(answers=answers, missing=missing).model_dump_json(), media_type="application/json"
        )
    base = str(request.base_url).rstrip("/")
    return markdown_download(
        conversation_markdown(answers, base, missing=len(missing)), "policyqa-conversation.md"
    )


@conversation_router.delete(
    "",
    response_model=Deleted,
    responses=CONVERSATION_ERRORS,
    summary="Delete a whole conversation's kept answers",
)
async def delete_conversation(ids: Ids, state: State) -> Deleted:
    return Deleted(deleted=await run_in_threadpool(state.answers.delete, ids))
