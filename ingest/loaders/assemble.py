"""From bytes of a known kind to a `LoadedDocument`: extract, tidy, and attach the metadata."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import ValidationError

from ingest.loaders.base import Extracted, Kind, LoadedDocument, LoadError, LoadLimits
from ingest.loaders.docx import extract_docx
from ingest.loaders.html import extract_html
from ingest.loaders.pdf import extract_pdf
from ingest.loaders.text import extract_text, normalise_newlines, tidy
from rag.store.doc_meta import DocMeta
from rag.store.manifest import shorten_title, slugify

__all__ = ["assemble_document", "guarded"]

log = logging.getLogger(__name__)


def guarded(source: str, load: Callable[[], LoadedDocument]) -> LoadedDocument:
    """The one place where unexpected exceptions become LoadErrors, so callers handle a single type."""
    try:
        return load()
    except LoadError:
        raise
    except Exception as exc:  # the contract is that nothing raw escapes
        log.exception("unexpected error loading %s", source)
        raise LoadError(source, f"unexpected error while loading ({type(exc).__name__})") from exc


def assemble_document(
    data: bytes,
    kind: Kind,
    stem: str,
    manifest: dict[str, DocMeta] | None,
    limits: LoadLimits,
    source: str,
    url: str = "",
    charset: str | None = None,
    fallback_title: str = "",
) -> LoadedDocument:
    """Extract `data` as `kind`; metadata from `manifest[stem]` if listed, else from the document."""
    extracted = _extract(data, kind, limits, source, charset)
    # Markdown/plain text is kept as written (offsets into it may be quoted elsewhere); generated text
    # from the other formats gets its whitespace normalised.
    text = normalise_newlines(extracted.text).strip() if kind == "text" else tidy(extracted.text)
    if not text:
        reason = "no extractable text (scanned PDF?)" if kind == "pdf" else "empty document"
        raise LoadError(source, reason)
    if not extracted.title.strip() and fallback_title:
        extracted.title = fallback_title
    meta = _meta_for(stem, extracted, manifest, source, url)
    log.info("loaded %s as %s: doc_id=%s, %d chars", source, kind, meta.doc_id, len(text))
    return LoadedDocument(meta=meta, text=text)


def _meta_for(
    stem: str, extracted: Extracted, manifest: dict[str, DocMeta] | None, source: str, url: str
) -> DocMeta:
    if manifest and stem in manifest:
        return manifest[stem].model_copy(update={"source": source}, deep=True)
    title = " ".join(extracted.title.split()) or stem
    try:
        return DocMeta(
            doc_id=slugify(stem),
            title=title,
            short_title=shorten_title(title),
            date=extracted.date,
            url=url,
            source=source,
        )
    except ValidationError:
        # Only the date comes from untrusted metadata; a bad one is dropped rather than failing the load.
        log.warning("%s: ignoring unusable date %r", source, extracted.date)
        return DocMeta(
            doc_id=slugify(stem), title=title, short_title=shorten_title(title), url=url, source=source
        )


def _extract(data: bytes, kind: Kind, limits: LoadLimits, source: str, charset: str | None) -> Extracted:
    if kind == "pdf":
        return extract_pdf(data, limits, source)
    if kind == "docx":
        return extract_docx(data, source)
    if kind == "html":
        return extract_html(data, source, charset)
    return extract_text(data, source, charset)
