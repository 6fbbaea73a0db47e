"""The HTTP API as one FastAPI app: routers, error handlers, middleware, probes and metrics.

`ui.app.create_app` builds it around an `AppState` and mounts the Gradio chat UI on top; the API itself
knows nothing of the UI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_fastapi_instrumentator import Instrumentator

from rag.tracing import tracer_provider
from ui.api.body_limit import BodyLimitMiddleware, body_limit_for
from ui.api.errors import install_error_handlers
from ui.api.routes import answers, ask, documents, health, ingest, openai_compat, timeline
from ui.state import AppState

DESCRIPTION = """Cited answers over public AI-governance texts.

* `POST /api/ask`, `POST /api/ask/stream` (SSE): answers with verified [n] citations, or an abstention.
* `/v1/chat/completions`, `/v1/models`: OpenAI-compatible; citations in an extra `citations` field.
* `/api/documents`, `/api/chunks/{id}`: the indexed corpus. Adding and removing documents needs
  `Authorization: Bearer <POLICYQA_API_KEY>`.
* `POST /api/ingest`: re-ingest the corpus in the background (needs the key); `GET /api/ingest`: progress.
* `/api/answers/{id}` (JSON, `/markdown`, DELETE) and `/api/conversation?ids=…` (Markdown or JSON export,
  DELETE): served answers kept for sharing; the id is the capability.
* `GET /api/timeline?from=&to=&doc=&kind=`: the corpus's dated events, grouped by day (page: `/timeline`).

Request bodies are capped (POLICYQA_MAX_BODY_BYTES; uploads POLICYQA_MAX_UPLOAD_BYTES): 413 past it.

Rate limits and the concurrent-generation cap are counted per worker process."""

ROUTERS = (
    health.router,
    ask.router,
    answers.router,
    answers.conversation_router,
    openai_compat.router,
    documents.router,
    ingest.router,
    timeline.router,
)


def build_api(state: AppState, routers: Iterable[APIRouter] = ()) -> FastAPI:
    """The API over `state`, whose services load in the background at start-up. `routers` are served
    alongside the API's own (the HTML document view), under the same middleware and metrics."""

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
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit_for(state.settings))
    # Always installed, with an empty allow-list by default: the mounted Gradio app adds its own CORS
    # layer, which echoes any Origin (with credentials) on a non-localhost host, unless the parent app
    # has a CORSMiddleware. With this one present, "no origins configured" really means CORS is off.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=state.settings.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    for router in (*ROUTERS, *routers):
        app.include_router(router)

    Instrumentator(excluded_handlers=["/metrics", "/healthz", "/readyz"]).instrument(app).expose(
        app, endpoint="/metrics", include_in_schema=False
    )
    provider = tracer_provider(state.settings)
    if provider is not None:  # POLICYQA_OTEL_EXPORTER: a span per request, the answer's stages beneath it
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls="metrics,healthz,readyz"
        )
    return app
