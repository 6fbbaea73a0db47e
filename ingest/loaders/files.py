"""Files on disk and uploads: find the documents under folders, load one file or one upload."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ingest.loaders.assemble import assemble_document, guarded
from ingest.loaders.base import (
    DEFAULT_LIMITS,
    KIND_LABEL,
    Kind,
    LoadedDocument,
    LoadError,
    LoadLimits,
    check_size,
)
from ingest.loaders.sniff import sniff
from rag.store.doc_meta import DocMeta
from rag.store.manifest import MANIFEST_FILE

__all__ = ["SUPPORTED_SUFFIXES", "discover", "load_bytes", "load_path"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".md", ".txt", ".html", ".htm", ".pdf", ".docx"})
_SUFFIX_KIND: dict[str, Kind] = {
    ".md": "text",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
# Corpus bookkeeping files that sit next to the documents but are not documents.
_CORPUS_SKIP = {MANIFEST_FILE, "readme.md"}


def discover(paths: list[Path]) -> list[Path]:
    """Expand directories to the supported files inside them (recursively, hidden entries skipped).

    Files named explicitly are kept whatever their type, so that `load_path` can say why it refuses
    them instead of their silently disappearing.
    """
    found: dict[Path, Path] = {}
    for path in paths:
        path = Path(path)
        candidates = _files_under(path) if path.is_dir() else [path]
        for candidate in candidates:
            found.setdefault(_identity(candidate), candidate)
    return sorted(found.values())


def load_path(
    path: Path, manifest: dict[str, DocMeta] | None = None, limits: LoadLimits = DEFAULT_LIMITS
) -> LoadedDocument:
    """Load a file; its extension must agree with its content. `manifest` supplies known metadata."""
    source = str(path)
    return guarded(source, lambda: _load_path(Path(path), manifest, limits, source))


def load_bytes(
    data: bytes,
    name: str,
    manifest: dict[str, DocMeta] | None = None,
    limits: LoadLimits = DEFAULT_LIMITS,
    source: str = "",
) -> LoadedDocument:
    """Load an upload. The type is sniffed from the content; `name` only names the document."""
    source = source or name
    return guarded(source, lambda: _load_bytes(data, name, manifest, limits, source))


def _files_under(directory: Path) -> list[Path]:
    out: list[Path] = []
    for path in directory.rglob("*"):
        rel_parts = path.relative_to(directory).parts
        if any(part.startswith((".", "~$")) for part in rel_parts):
            continue  # .git, .DS_Store, Word lock files
        if not path.is_file() or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        if path.name.lower() in _CORPUS_SKIP:
            continue
        out.append(path)
    return out


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def _load_path(
    path: Path, manifest: dict[str, DocMeta] | None, limits: LoadLimits, source: str
) -> LoadedDocument:
    if not path.exists():
        raise LoadError(source, "file not found")
    if path.is_dir():
        raise LoadError(source, "is a directory, not a document")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(
            source, f"unsupported file type {suffix}" if suffix else "unsupported file type (no extension)"
        )
    try:
        size = path.stat().st_size
        # Check before reading: a huge file should be refused without pulling it into memory.
        check_size(size, limits, source)
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(source, f"could not read file ({exc.strerror or type(exc).__name__})") from exc
    check_size(len(data), limits, source)

    expected = _SUFFIX_KIND[suffix]
    kind = sniff(data, source, expected=expected)
    if kind != expected:
        raise LoadError(source, f"extension {suffix} but content is {KIND_LABEL[kind]}")
    return assemble_document(data, kind, path.stem, manifest, limits, source)


def _load_bytes(
    data: bytes, name: str, manifest: dict[str, DocMeta] | None, limits: LoadLimits, source: str
) -> LoadedDocument:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise LoadError(source, "upload is not binary data")
    data = bytes(data)
    check_size(len(data), limits, source)
    kind = sniff(data, source)
    # Names may carry client paths ("C:\\x\\doc.pdf", "../../doc.pdf"): keep only the final component.
    stem = PurePosixPath(name.replace("\\", "/")).stem or "upload"
    return assemble_document(data, kind, stem, manifest, limits, source)
