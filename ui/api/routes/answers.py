"""Kept answers: GET /api/answers/{id} (the Answer JSON) and /api/answers/{id}/markdown (to paste or save)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from rag.core.models import Answer
from ui.api.deps import State, require_read_key
from ui.web.export import answer_markdown

router = APIRouter(prefix="/api/answers", tags=["answers"], dependencies=[Depends(require_read_key)])

NOT_FOUND = {404: {"description": "No kept answer with this id (never served, or pruned)."}}


async def kept(answer_id: str, state: State) -> Answer:
    found = await run_in_threadpool(state.answers.get, answer_id)
    if found is None:
        raise HTTPException(404, f"no kept answer with id {answer_id!r}")
    return found


@router.get("/{answer_id}", response_model=Answer, responses=NOT_FOUND, summary="A kept answer as JSON")
async def get_answer(answer_id: str, state: State) -> Answer:
    return await kept(answer_id, state)


@router.get(
    "/{answer_id}/markdown",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/markdown": {}}}, **NOT_FOUND},
    summary="A kept answer as Markdown with footnote citations",
)
async def get_answer_markdown(answer_id: str, state: State, request: Request) -> PlainTextResponse:
    answer = await kept(answer_id, state)
    base = str(request.base_url).rstrip("/")
    return PlainTextResponse(
        answer_markdown(answer, base),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="policyqa-{answer.id}.md"'},
    )
