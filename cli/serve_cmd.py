"""`policyqa serve`: the API and the chat UI on one uvicorn server."""

from __future__ import annotations

import typer

from cli.common import load_settings


def serve(
    host: str = typer.Option(None, "--host", help="Default: POLICYQA_HOST (127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Default: POLICYQA_PORT (8000)."),
    workers: int = typer.Option(1, "--workers", help="uvicorn worker processes."),
) -> None:
    """Serve the chat UI at /, the API under /api, OpenAI-compatible routes under /v1, docs at /docs."""
    import uvicorn

    settings = load_settings()
    uvicorn.run(
        "ui.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )
