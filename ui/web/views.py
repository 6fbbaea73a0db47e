"""GET /documents/{id}?start=&end=: the full document as HTML, the cited span highlighted and scrolled
to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ui.api.deps import ReadyServices, State, require_read_key
from ui.web.export import answer_page
from ui.web.render import Span, document_page, esc

router = APIRouter(tags=["ui"], dependencies=[Depends(require_read_key)])

# The page carries no script and loads nothing: a strict policy costs nothing and backs up the escaping.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _not_found(what: str, ident: str, why: str = "") -> HTMLResponse:
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Not found — PolicyQA</title></head>"
        f"<body><p>No {what} with id <code>{esc(ident)}</code>{why}. "
        "<a href='/'>Back to PolicyQA</a></p></body></html>"
    )
    return HTMLResponse(page, status_code=404, headers=SECURITY_HEADERS)


@router.get(
    "/documents/{doc_id}",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {}}},
        404: {"content": {"text/html": {}}, "description": "No such document."},
    },
    summary="Document view (HTML) with a highlighted span",
)
async def document_view(
    doc_id: str,
    services: ReadyServices,
    start: int | None = Query(None, ge=0, description="Span start (character offset)."),
    end: int | None = Query(None, ge=0, description="Span end (exclusive)."),
) -> HTMLResponse:
    found = await run_in_threadpool(services.index.document, doc_id)
    if found is None:
        return _not_found("document", doc_id)
    meta, text, _ = found
    span = None
    if start is not None and end is not None:
        # Out-of-range offsets (an edited document, a hand-made link) are clamped, not an error.
        a, b = min(start, len(text)), min(end, len(text))
        if a < b:
            span = Span(a, b)
    page = document_page(meta.title, meta.publisher, meta.date, meta.url, text, span)
    return HTMLResponse(page, headers=SECURITY_HEADERS)


@router.get(
    "/a/{answer_id}",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {}}},
        404: {"content": {"text/html": {}}, "description": "No kept answer with this id."},
    },
    summary="Permalink of a kept answer (HTML)",
)
async def answer_view(answer_id: str, state: State) -> HTMLResponse:
    answer = await run_in_threadpool(state.answers.get, answer_id)
    if answer is None:
        return _not_found("kept answer", answer_id, ": it was never served here, or it was pruned")
    return HTMLResponse(answer_page(answer), headers=SECURITY_HEADERS)
