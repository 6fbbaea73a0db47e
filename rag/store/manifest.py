"""The corpus manifest (`manifest.json`) read into `DocMeta` records, one per document, keyed by doc_id.

The manifest (`corpus/manifest.json`) is a JSON list, one object per corpus file. The fields the
pipeline uses are mapped onto `DocMeta`; everything else (retrieved_from, complete, chars, notes, the
file name itself...) is kept verbatim in `provenance`, so no curation detail is lost on the way to
the index.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from rag.store.doc_meta import DocMeta

log = logging.getLogger(__name__)

# Manifest keys that map onto DocMeta fields; every other key goes to provenance untouched.
_MAPPED_KEYS = {"title", "short_title", "publisher", "date", "original_url", "license", "aliases"}

# The manifest's file name, in the shipped corpus and in any folder being ingested.
MANIFEST_FILE = "manifest.json"
SHORT_TITLE_MAX = 40
SLUG_MAX = 80


class ManifestError(ValueError):
    """The manifest is missing, not JSON, or has an entry that cannot become a DocMeta."""


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by '-'; stable, so a re-ingested document keeps its id."""
    # Accents fold away (Café -> cafe); any other non-ASCII character separates words like punctuation.
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    # Long URLs would make unwieldy ids; cut at a separator so the slug stays readable.
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] or slug[:SLUG_MAX]
    return slug or "document"


def shorten_title(title: str, limit: int = SHORT_TITLE_MAX) -> str:
    """Cut at a word boundary so heading paths stay short but readable."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    head = title[: limit - 1]
    if title[limit - 1] == " ":
        cut = head  # the cut already falls between words
    elif " " in head[limit // 2 :]:
        cut = head.rsplit(" ", 1)[0]
    else:
        cut = head  # one very long word: a word boundary would throw away most of the room
    return (cut.rstrip(" ,;:-–—(") or head) + "…"


def load_manifest(path: Path) -> dict[str, DocMeta]:
    """Read the corpus manifest, keyed by doc_id (the file name without its extension)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: manifest not found") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: unreadable manifest ({exc})") from exc
    if not isinstance(raw, list):
        raise ManifestError(f"{path}: expected a JSON list of documents")

    out: dict[str, DocMeta] = {}
    for i, entry in enumerate(raw):
        meta = _entry_to_meta(entry, Path(path).parent, where=f"{path}[{i}]")
        if meta.doc_id in out:
            raise ManifestError(f"{path}[{i}]: duplicate doc_id {meta.doc_id!r}")
        out[meta.doc_id] = meta
    log.debug("manifest %s: %d documents", path, len(out))
    return out


def _entry_to_meta(entry: Any, corpus_dir: Path, where: str) -> DocMeta:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: expected an object")
    file_name = entry.get("file")
    if not isinstance(file_name, str) or not file_name.strip():
        raise ManifestError(f"{where}: missing 'file'")
    title = entry.get("title") or PurePosixPath(file_name).stem
    try:
        return DocMeta(
            doc_id=PurePosixPath(file_name).stem,
            title=title,
            short_title=entry.get("short_title") or shorten_title(title),
            publisher=entry.get("publisher") or "",
            date=str(entry.get("date") or ""),
            url=entry.get("original_url") or "",
            license=entry.get("license") or "",
            source=str(corpus_dir / file_name),
            aliases=list(entry.get("aliases") or []),
            provenance={k: v for k, v in entry.items() if k not in _MAPPED_KEYS},
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ManifestError(f"{where} ({file_name}): {field}: {first['msg']}") from exc
