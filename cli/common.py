"""Shared CLI plumbing: settings, one-line errors, the console."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from rag.core.errors import one_line
from rag.core.settings import Settings

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """A one-line reason and an exit code; never a traceback."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def load_settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic ValidationError: report the bad variable in one line
        fail(f"invalid configuration: {one_line(exc)}")
