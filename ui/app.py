"""The one app factory: API under /api, OpenAI-compatible routes under /v1, probes, metrics, docs at
/docs, the document view at /documents/{id}, and the Gradio chat UI at /.

Run with `uvicorn ui.app:create_app --factory` (what `policyqa serve` does).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from rag.container import Services
from rag.core.settings import Settings
from rag.store.client import StoreUnavailableError
from ui.api.routes import ask, documents, health, ingest, openai_compat
from ui.api.schemas import first_error_message
from ui.body_limit import BodyLimitMiddleware, LimitFor
from ui.state import AppState
from ui.store_health import RETRY_AFTER_S, store_unavailable, unavailable_detail

log = logging.getLogger(__name__)

DESCRIPTION = """Cited answers over public AI-governance texts.

* `POST /api/ask`, `POST /api/ask/stream` (SSE): answers with verified [n] citations, or an abstention.
* `/v1/chat/completions`, `/v1/models`: OpenAI-compatible; citations in an extra `citations` field.
* `/api/documents`, `/api/chunks/{id}`: the indexed corpus. Adding and removing documents needs
  `Authorization: Bearer <POLICYQA_API_KEY>`.
* `POST /api/ingest`: re-ingest the corpus in the background (needs the key); `GET /api/ingest`: progress.

Request bodies are capped (POLICYQA_MAX_BODY_BYTES; uploads POLICYQA_MAX_UPLOAD_BYTES): 413 past it.

Rate limits and the concurrent-generation cap are counted per worker process."""


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
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

    for cls in (httpx.TransportError, ConnectionError, StoreUnavailableError):
        app.add_exception_handler(cls, store_down)  # type: ignore[arg-type]


def body_limit_for(settings: Settings) -> LimitFor:
    """Uploads may be as large as POLICYQA_MAX_UPLOAD_BYTES (plus multipart framing); nothing else may
    pass POLICYQA_MAX_BODY_BYTES."""
    upload_limit = settings.max_upload_bytes + documents.MULTIPART_SLACK

    def limit_for(scope: Scope) -> int:
        if scope.get("method") == "POST" and scope.get("path") == "/api/documents":
            return upload_limit
        return settings.max_body_bytes

    return limit_for


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app. Services (embedding model, index, chain) load once, in the background, at start-up."""
    import gradio as gr

    from ui import chat, views

    settings = settings or Settings()
    state = AppState.build(settings, services)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.start_loading()
        try:
            yield
        finally:
            state.stop()

    app = FastAPI(
        title="PolicyQA",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.policyqa = state
    _error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit_for(settings))
    # Always installed, with an empty allow-list by default: the mounted Gradio app adds its own CORS
    # layer, which echoes any Origin (with credentials) on a non-localhost host, unless the parent app
    # has a CORSMiddleware. With this one present, "no origins configured" really means CORS is off.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )

    for router in (
        health.router,
        ask.router,
        openai_compat.router,
        documents.router,
        ingest.router,
        views.router,
    ):
        app.include_router(router)

    Instrumentator(excluded_handlers=["/metrics", "/healthz", "/readyz"]).instrument(app).expose(
        app, endpoint="/metrics", include_in_schema=False
    )

    # Mounted last: the API routes above take precedence over the UI's catch-all mount at /.
    blocks = chat.build_chat(state)
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        theme=chat.theme(),
        css=chat.CSS,
        ssr_mode=False,
        footer_links=["api"],
        run_history=False,
        show_error=False,
    )
