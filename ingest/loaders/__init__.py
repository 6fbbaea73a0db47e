"""Turn files, uploads and URLs into `LoadedDocument`s: markdown-ish text plus `DocMeta`.

Headings come out as '#' lines whatever the input format, so the structure-aware chunker sees the same
shape for markdown, HTML and DOCX. The type of a document is decided by its content, never by its name
alone: an upload's name is attacker-controlled, and a file's extension must agree with what is inside.

Every failure is a `LoadError` with a one-line reason meant for the person who supplied the document.

Modules: `files` (folders, files, uploads) and `url` are the entry points; `sniff` decides the kind;
`text`, `html`, `pdf` and `docx` extract; `assemble` turns the result into a `LoadedDocument`; `base`
holds what they share.
"""

from __future__ import annotations

from ingest.loaders.base import DEFAULT_LIMITS, Kind, LoadedDocument, LoadError, LoadLimits
from ingest.loaders.files import SUPPORTED_SUFFIXES, discover, load_bytes, load_path
from ingest.loaders.url import load_url

__all__ = [
    "DEFAULT_LIMITS",
    "SUPPORTED_SUFFIXES",
    "Kind",
    "LoadError",
    "LoadLimits",
    "LoadedDocument",
    "discover",
    "load_bytes",
    "load_path",
    "load_url",
]
