"""How the API fails: the documented error responses of every route (one table), and the exception
handlers that give every 4xx/5xx the same `ErrorResponse` shape, without a traceback."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.store.client import StoreUnavailableError
from ui.api.schemas import ErrorResponse, first_error_message
from ui.state import AppState
from ui.store_health import RETRY_AFTER_S, store_unavailable, unavailable_detail

log = logging.getLogger(__name__)

Responses = dict[int | str, dict[str, Any]]


def error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


# The key checks: reads (open unless POLICYQA_READ_REQUIRES_KEY) and writes (always keyed).
READ_KEY: Responses = {
    401: error("A key is required for reads and was missing or wrong."),
    403: error("Reads require a key but none is configured."),
}
WRITE_KEY: Responses = {
    401: error("Missing or wrong bearer key."),
    403: error("Write endpoints are disabled (no POLICYQA_API_KEY)."),
}
# Every route that needs the loaded services (ReadyServices).
UNAVAILABLE: Responses = {
    503: error("The index is still loading, or the store is unreachable; see Retry-After."),
}

ASK_ERRORS: Responses = {
    400: error("Malformed JSON."),
    **READ_KEY,
    404: error("A document id in filters.doc_ids is unknown."),
    413: error("Request body over POLICYQA_MAX_BODY_BYTES."),
    422: error("Invalid input: empty or too long question, bad types, etc."),
    429: error("Per-client rate limit exceeded; see Retry-After."),
    503: error(
        "Still loading, LLM generation slots busy, the answer queue full or past its deadline, or the store"
        " unreachable; see Retry-After."
    ),
}
READ_ERRORS: Responses = {**READ_KEY, 404: error("No such document or passage."), **UNAVAILABLE}
WRITE_ERRORS: Responses = {
    400: error("Malformed JSON or multipart body."),
    **WRITE_KEY,
    404: error("No such document."),
    409: error("A document with this id exists (pass ?replace=true), or a re-ingest is running."),
    413: error("Larger than POLICYQA_MAX_UPLOAD_BYTES, or a PDF over POLICYQA_MAX_PDF_PAGES."),
    415: error("Neither multipart/form-data nor application/json."),
    422: error("The document could not be loaded (reason given)."),
    **UNAVAILABLE,
}
INGEST_ERRORS: Responses = {**WRITE_KEY, **UNAVAILABLE}
ANSWER_ERRORS: Responses = {
    **READ_KEY,
    404: error("No kept answer with this id: never served here, pruned, expired or deleted."),
}
CONVERSATION_ERRORS: Responses = {
    **READ_KEY,
    404: error("None of these answers is kept."),
    422: error("No ids, too many, or one that is not an answer id (the detail says which)."),
}
TIMELINE_ERRORS: Responses = {
    **READ_KEY,
    422: error("A bad date, kind or document id (the detail says which)."),
    **UNAVAILABLE,
}


# -- handlers ------------------------------------------------------------------------------------------------


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    raw = list(exc.errors())
    # Malformed JSON is a syntax error (400); everything else is a well-formed but invalid request.
    status = 400 if raw and raw[0].get("type") == "json_invalid" else 422
    # Never echo the offending input back: it can be large, and it is the client's own data anyway.
    items = [
        {
            "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in raw
    ]
    return JSONResponse({"detail": first_error_message(raw), "errors": items}, status_code=status)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Should never run: every expected failure has a 4xx/503 path. No traceback leaves the server.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal server error"}, status_code=500)


async def store_down(request: Request, exc: Exception) -> JSONResponse:
    # The Chroma server went away mid-request (after the pre-flight check in ready_services).
    # Registered per exception class so that it answers here, not in the catch-all above.
    state: AppState | None = getattr(request.app.state, "policyqa", None)
    if state is None or not store_unavailable(exc, state.settings):
        return await unexpected(request, exc)
    state.store.mark_down()
    log.warning("store unreachable during %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": unavailable_detail(state.settings)},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected)
    for cls in (httpx.TransportError, ConnectionError, StoreUnavailableError):
        app.add_exception_handler(cls, store_down)
