"""PDF text per page (pypdf), with the title and date the document declares."""

from __future__ import annotations

import io
import logging
import re

from ingest.loaders.base import Extracted, LoadError, LoadLimits

__all__ = ["extract_pdf"]

log = logging.getLogger(__name__)


def extract_pdf(data: bytes, limits: LoadLimits, source: str) -> Extracted:
    """Text of the readable pages; refuses encrypted, corrupt and over-long PDFs."""
    # Imported here: pypdf is only needed for PDFs, and its import is not free.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt_or_refuse(reader, source)
        n_pages = len(reader.pages)
    except LoadError:
        raise
    except (DependencyError, FileNotDecryptedError) as exc:
        raise LoadError(source, "encrypted PDF") from exc
    except Exception as exc:  # pypdf raises many types on bad input
        log.info("%s: pypdf could not open it: %s", source, exc)
        raise LoadError(source, "corrupt or unreadable PDF") from exc
    if n_pages > limits.max_pdf_pages:
        raise LoadError(source, f"PDF has too many pages ({n_pages} > {limits.max_pdf_pages} limit)")

    pages, failed = _pdf_pages(reader, source)
    if not pages and failed:
        raise LoadError(source, "corrupt or unreadable PDF")
    text = "\n\n".join(pages)
    title, date = _pdf_metadata(reader)
    if not title:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
    return Extracted(text=text, title=title, date=date)


def _decrypt_or_refuse(reader: object, source: str) -> None:
    from pypdf import PasswordType

    # Many public PDFs are "encrypted" with an empty user password only to set permissions; those open.
    try:
        result = reader.decrypt("")  # type: ignore[attr-defined]
    except Exception as exc:  # e.g. AES without the cryptography package
        raise LoadError(source, "encrypted PDF") from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise LoadError(source, "encrypted PDF (password required)")


def _pdf_pages(reader: object, source: str) -> tuple[list[str], int]:
    pages: list[str] = []
    failed = 0
    for number, page in enumerate(reader.pages, start=1):  # type: ignore[attr-defined]
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001 - one broken page should not lose the whole document
            failed += 1
            log.warning("%s: page %d unreadable: %s", source, number, exc)
            continue
        text = text.replace("\x00", "").strip()
        if text:
            pages.append(text)
    return pages, failed


_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def _pdf_metadata(reader: object) -> tuple[str, str]:
    try:
        info = reader.metadata or {}  # type: ignore[attr-defined]
        title = str(info.get("/Title") or "").strip()
        raw_date = str(info.get("/CreationDate") or "").strip()
    except Exception:  # noqa: BLE001 - metadata is optional; a broken info dict is not a failed load
        return "", ""
    # Word exports title every PDF "Microsoft Word - file.docx"; that names the file, not the document.
    if title.lower().startswith("microsoft word - ") or title.lower() in {"untitled", "title"}:
        title = ""
    return title, _iso_from_pdf_date(raw_date)


def _iso_from_pdf_date(raw: str) -> str:
    match = _PDF_DATE.match(raw)
    if not match:
        return ""
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        return year
    if month and day and 1 <= int(day) <= 31:
        return f"{year}-{month}-{day}"
    return f"{year}-{month}" if month else year
