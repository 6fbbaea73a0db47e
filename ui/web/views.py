"""The HTML views beside the chat: GET /documents/{id}?start=&end= (the full document, the cited span
highlighted and scrolled to), /a/{id} (a kept answer) and /timeline (the corpus's dated events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from rag.timeline import by_day
from ui.api.deps import ReadyServices, State, require_read_key
from ui.web.export import answer_page
from ui.web.render import Span, document_page, esc
from ui.web.timeline_page import timeline_page

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


@router.get(
    "/timeline",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, 422: {"content": {"text/html": {}}}},
    summary="Timeline of the corpus (HTML)",
)
async def timeline_view(
    services: ReadyServices,
    doc: Annotated[list[str] | None, Query(description="Only these documents (repeatable).")] = None,
    year: Annotated[str, Query(description="Only this year (YYYY).")] = "",
    acts: Annotated[bool, Query(description="Also list the dates of acts the documents cite.")] = False,
) -> HTMLResponse:
    if year and not (len(year) == 4 and year.isdigit()):
        return _bad_request(f"year {year[:20]!r} is not a year (YYYY)")
    events = await run_in_threadpool(services.timeline.events)
    documents = [
        (m.doc_id, m.short_title or m.title) for m, _ in await run_in_threadpool(services.index.documents)
    ]
    docs = list(doc or [])
    unknown = [d for d in docs if d not in {d for d, _ in documents}]
    if unknown:
        return _bad_request(f"no document with id {unknown[0][:80]!r}")
    shown = [e for e in events if acts or e.kind != "act cited"]
    days = by_day(shown, year, year, docs)
    years = sorted({e.date[:4] for e in shown if not docs or e.doc_id in docs})
    page = timeline_page(days, documents, years, docs, year, acts)
    return HTMLResponse(page, headers=SECURITY_HEADERS)


def _bad_request(why: str) -> HTMLResponse:
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Bad request — PolicyQA</title></head>"
        f"<body><p>{esc(why)}. <a href='/timeline'>The whole timeline</a></p></body></html>"
    )
    return HTMLResponse(page, status_code=422, headers=SECURITY_HEADERS)
