"""POST /api/ingest re-ingests the corpus in the background; GET /api/ingest reports its progress.

Both need the API key: an ingest costs minutes of CPU, and its report names every document.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse

from ui.api.deps import ReadyServices, State, require_write_key
from ui.api.errors import INGEST_ERRORS, error
from ui.api.schemas import IngestStatus
from ui.ingest_job import IngestRunningError

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["documents"], dependencies=[Depends(require_write_key)])

RUNNING_RETRY_AFTER_S = 30


@router.post(
    "/ingest",
    status_code=202,
    response_model=IngestStatus,
    responses={
        **INGEST_ERRORS,
        409: error("An ingest is already running; see Retry-After."),
    },
    summary="Re-ingest the corpus in the background; needs the API key",
)
async def start_ingest(state: State, services: ReadyServices, prune: bool = False) -> JSONResponse:
    """Unchanged documents are skipped (content-hash ids); `prune=true` also removes indexed documents
    that are no longer in the corpus folder, uploads included."""
    try:
        run = state.ingests.start(prune=prune)
    except IngestRunningError as exc:
        raise HTTPException(
            409, detail=str(exc), headers={"Retry-After": str(RUNNING_RETRY_AFTER_S)}
        ) from None
    log.info("API ingest %s started (prune=%s)", run.id, prune)
    return JSONResponse(run.model_dump(), status_code=202, headers={"Location": "/api/ingest"})


@router.get(
    "/ingest",
    response_model=IngestStatus,
    responses={**INGEST_ERRORS, 404: error("No ingest has run yet.")},
    summary="Progress of the latest re-ingest; needs the API key",
)
async def ingest_status(state: State) -> IngestStatus:
    run = state.ingests.status()
    if run is None:
        raise HTTPException(404, detail="no ingest has been started since this server started")
    return run
