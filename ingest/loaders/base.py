"""What every loader shares: the result model, the one error type, the size limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from rag.store.doc_meta import DocMeta

__all__ = [
    "DEFAULT_LIMITS",
    "KIND_LABEL",
    "Extracted",
    "Kind",
    "LoadError",
    "LoadLimits",
    "LoadedDocument",
    "check_size",
    "human_size",
]

Kind = Literal["text", "html", "pdf", "docx"]
# How a kind is named in a message to the user.
KIND_LABEL: dict[Kind, str] = {"text": "text", "html": "HTML", "pdf": "PDF", "docx": "DOCX"}


class LoadError(Exception):
    """A document could not be loaded; `reason` is one line, fit to show to the user."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = str(source)
        self.reason = " ".join(str(reason).split()) or "could not load document"
        super().__init__(f"{self.source}: {self.reason}")


class LoadedDocument(BaseModel):
    """A loaded document: its text (markdown-ish) and metadata."""

    meta: DocMeta
    text: str


@dataclass(frozen=True)  # frozen: the default instance is shared by every call
class LoadLimits:
    """What a single document may cost: bytes, PDF pages, fetch time."""

    max_bytes: int = 20 * 1024 * 1024
    max_pdf_pages: int = 2000
    timeout_s: float = 20.0


DEFAULT_LIMITS = LoadLimits()


@dataclass
class Extracted:
    """What a format parser found: the text plus any title/date the document declares."""

    text: str
    title: str = ""
    date: str = ""


def check_size(size: int, limits: LoadLimits, source: str) -> None:
    """Refuse a document over `limits.max_bytes`."""
    if size > limits.max_bytes:
        raise LoadError(source, f"file too large ({human_size(size)} > {human_size(limits.max_bytes)} limit)")


def human_size(n: int) -> str:
    """'3.0 MB', '12.5 KB', '900 bytes'."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"
