"""Plain text and markdown: decoding, the title from the first heading, newline tidying."""

from __future__ import annotations

import re

from ingest.loaders.base import Extracted, LoadError

__all__ = ["extract_text", "normalise_newlines", "tidy"]


def _decode_text(data: bytes, source: str, charset: str | None = None) -> str:
    # A declared charset (HTTP header) is honoured; otherwise text must be UTF-8, BOM allowed.
    encoding = (charset or "utf-8").lower()
    if encoding in {"utf-8", "utf8"}:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except LookupError:
        return _decode_text(data, source)
    except UnicodeDecodeError as exc:
        raise LoadError(
            source, "not valid UTF-8 text" if encoding == "utf-8-sig" else f"not valid {charset} text"
        ) from exc


_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


def extract_text(data: bytes, source: str, charset: str | None) -> Extracted:
    """Decoded text, titled by its first markdown heading."""
    text = _decode_text(data, source, charset)
    if "\x00" in text:
        raise LoadError(source, "binary data, not a text document")
    heading = _MD_HEADING.search(text)
    return Extracted(text=text, title=heading.group(2) if heading else "")


def normalise_newlines(text: str) -> str:
    """Unix newlines only, no byte-order mark."""
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def tidy(text: str) -> str:
    """Generated text: one newline convention, no trailing spaces, at most one blank line in a row."""
    text = "\n".join(line.rstrip() for line in normalise_newlines(text).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
