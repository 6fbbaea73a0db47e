"""The one app factory: API under /api, OpenAI-compatible routes under /v1, probes, metrics, docs at
/docs, the document view at /documents/{id}, and the Gradio chat UI at /.

Run with `uvicorn ui.app:create_app --factory` (what `policyqa serve` does).
"""

from __future__ import annotations

import os

# Before gradio or chromadb is imported: neither may phone home (ui/__init__ does the same).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.container import Services
from rag.settings import Settings
from ui.api.routes import ask, documents, health, openai_compat
from ui.api.schemas import first_error_message
from ui.state import AppState

log = logging.getLogger(__name__)

DESCRIPTION = """Cited answers over public AI-governance texts.

* `POST /api/ask`, `POST /api/ask/stream` (SSE): answers with verified [n] citations, or an abstention.
* `/v1/chat/completions`, `/v1/models`: OpenAI-compatible; citations in an extra `citations` field.
* `/api/documents`, `/api/chunks/{id}`: the indexed corpus. Adding and removing documents needs
  `Authorization: Bearer <POLICYQA_API_KEY>`.

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
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal server error"}, status_code=500)


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
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    for router in (health.router, ask.router, openai_compat.router, documents.router, views.router):
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
