"""GET /api/timeline: the corpus's dated events (rag/timeline.py), filtered and grouped by day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from rag.store.doc_meta import ISO_PREFIX
from rag.timeline import TimelineDay, TimelineEvent, by_day
from ui.api.deps import ReadyServices, require_read_key
from ui.api.errors import TIMELINE_ERRORS

router = APIRouter(prefix="/api/timeline", tags=["timeline"], dependencies=[Depends(require_read_key)])

KINDS = (
    "adopted",
    "entry into force",
    "applies",
    "signed",
    "established",
    "published",
    "meeting",
    "deadline",
    "act cited",
    "mentioned",
)


class TimelineResponse(BaseModel):
    days: list[TimelineDay]
    events: int
    documents: list[str]


class TimelineQuery(BaseModel):
    date_from: str = ""
    date_to: str = ""
    doc_ids: list[str] = []
    kinds: list[str] = []


def timeline_query(
    date_from: Annotated[
        str, Query(alias="from", description="First date: YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = "",
    date_to: Annotated[str, Query(alias="to", description="Last date (inclusive), same forms.")] = "",
    doc: Annotated[list[str] | None, Query(description="Only these documents (repeatable).")] = None,
    kind: Annotated[
        list[str] | None, Query(description=f"Only these kinds (repeatable): {', '.join(KINDS)}.")
    ] = None,
) -> TimelineQuery:
    for name, value in (("from", date_from), ("to", date_to)):
        if value and not _valid_date(value):
            raise HTTPException(422, f"{name}: {value[:40]!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if date_from and date_to and date_to < date_from[: len(date_to)]:
        raise HTTPException(422, f"to ({date_to}) is before from ({date_from})")
    bad = [k for k in kind or [] if k not in KINDS]
    if bad:
        raise HTTPException(422, f"kind: {bad[0][:40]!r} is not one of {', '.join(KINDS)}")
    return TimelineQuery(date_from=date_from, date_to=date_to, doc_ids=doc or [], kinds=kind or [])


def _valid_date(value: str) -> bool:
    if not ISO_PREFIX.match(value):  # the manifest's date forms; then the calendar says no to 30 February
        return False
    from datetime import date

    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def filtered(events: list[TimelineEvent], query: TimelineQuery, known: set[str]) -> list[TimelineDay]:
    unknown = [d for d in query.doc_ids if d not in known]
    if unknown:
        raise HTTPException(422, f"doc: no document with id {unknown[0][:80]!r}")
    kinds = set(query.kinds)
    picked = [e for e in events if not kinds or e.kind in kinds]
    return by_day(picked, query.date_from, query.date_to, query.doc_ids)


@router.get(
    "",
    response_model=TimelineResponse,
    responses=TIMELINE_ERRORS,
    summary="Dated events of the corpus, grouped by day",
)
async def timeline(
    services: ReadyServices, query: Annotated[TimelineQuery, Depends(timeline_query)]
) -> TimelineResponse:
    events = await run_in_threadpool(services.timeline.events)
    known = {meta.doc_id for meta, _ in await run_in_threadpool(services.index.documents)}
    days = filtered(events, query, known)
    docs = sorted({e.doc_id for d in days for e in d.events})
    return TimelineResponse(days=days, events=sum(len(d.events) for d in days), documents=docs)
