"""The one app factory: the HTTP API (`ui.api.main`: /api, /v1, probes, metrics, docs at /docs), the
document view at /documents/{id} and the Gradio chat UI at / (`ui.web`), over one shared `AppState`.

Run with `uvicorn ui.app:create_app --factory` (what `policyqa serve` does).
"""

from __future__ import annotations

from fastapi import FastAPI

from rag.container import Services
from rag.core.settings import Settings
from ui.api.main import build_api
from ui.state import AppState


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app. Services (embedding model, index, chain) load once, in the background, at start-up."""
    from ui.web import chat, views  # gradio loads only when an app is built

    state = AppState.build(settings or Settings(), services)
    app = build_api(state, routers=[views.router])
    # Mounted last: the API routes above take precedence over the UI's catch-all mount at /.
    return chat.mount_chat(app, state)
