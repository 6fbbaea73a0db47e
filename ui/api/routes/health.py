"""Liveness and readiness probes."""

from __future__ import annotations

import logging

import anyio
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ui.api.deps import State
from ui.api.schemas import Health, Readiness
from ui.state import AppState

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

STORE_CHECK_TIMEOUT_S = 3.0


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health()


def _counts(state: AppState) -> tuple[int, int]:
    index = state.services.index
    if state.settings.chroma_host:
        index.client.heartbeat()  # raises when the Chroma server has gone away since start-up
    return len(index.document_ids()), index.count()


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={
        503: {"model": Readiness, "description": "Not ready: loading, store unreachable, or empty index."}
    },
    summary="Readiness: index and models loaded, store reachable, documents indexed",
)
async def readyz(state: State) -> JSONResponse:
    def answer(ready: bool, detail: str, docs: int | None = None, chunks: int | None = None) -> JSONResponse:
        body = Readiness(ready=ready, detail=detail, documents=docs, chunks=chunks, modes=state.modes)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503)

    if not state.ready.is_set():
        return answer(False, state.load_error or "loading the index and models")
    try:
        with anyio.fail_after(STORE_CHECK_TIMEOUT_S):
            docs, chunks = await run_in_threadpool(_counts, state)
    except TimeoutError:
        state.store.mark_down()
        return answer(False, f"the vector store did not answer within {STORE_CHECK_TIMEOUT_S:.0f}s")
    except Exception as exc:  # noqa: BLE001 - refused, DNS, a dead server: all mean "not ready"
        state.store.mark_down()
        where = (
            f"{state.settings.chroma_host}:{state.settings.chroma_port}"
            if state.settings.chroma_host
            else "local"
        )
        log.warning("readiness check failed: %s", exc)
        return answer(False, f"the Chroma server at {where} is unreachable ({type(exc).__name__})")
    # What /readyz says, the ask routes' store check says too: no 503 right after a green probe.
    state.store.mark_up()
    if docs == 0:
        return answer(False, "the index is empty: run `policyqa ingest`", docs, chunks)
    return answer(True, "ready", docs, chunks)
