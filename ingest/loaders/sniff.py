"""Decide what a document is from its bytes: text, HTML, PDF or DOCX, or refuse it.

The type is decided by content, never by name alone: an upload's name is attacker-controlled, and a
file's extension must agree with what is inside.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from typing import NoReturn

import filetype

from ingest.loaders.base import Kind, LoadError

__all__ = ["sniff"]


_HTML_DOCUMENT = re.compile(rb"<(!doctype\s+html|html|head|body)[\s>/]", re.IGNORECASE)
# In a file that already says .html, any common block tag is enough: fragments are legitimate HTML.
_HTML_FRAGMENT = re.compile(
    rb"<(title|meta|p|div|h[1-6]|ul|ol|li|table|article|section|main|span|a|br|em|strong|b|i)[\s>/]",
    re.IGNORECASE,
)
_SNIFF_WINDOW = 8192


def sniff(data: bytes, source: str, expected: Kind | None = None, charset: str | None = None) -> Kind:
    """Decide the kind from the bytes.

    `expected` (from the extension or Content-Type) only resolves HTML fragments; `charset` (from
    Content-Type) replaces UTF-8 as the test of "is this text".
    """
    if not data.strip():
        raise LoadError(source, "empty document")
    window = data[:_SNIFF_WINDOW]
    # Some writers put junk before the header; pypdf copes, and so should the sniffer.
    if b"%PDF-" in window[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(data, source)
    if b"\x00" in window:
        _refuse_binary(window, source, "binary data, not a text document")
    text_window = window.lstrip(b"\xef\xbb\xbf \t\r\n")
    # Checked on bytes, before any UTF-8 test: HTML declares its own charset and bs4 honours it.
    if text_window.startswith(b"<") and _HTML_DOCUMENT.search(text_window):
        return "html"
    if not _is_text_prefix(window, charset):
        # Magic-number matchers are weak (a text starting "BM" "is" a bitmap), so they only get to
        # name the format once the bytes are known not to be text.
        _refuse_binary(window, source, f"not valid {charset} text" if charset else "not valid UTF-8 text")
    if expected == "html" and _HTML_FRAGMENT.search(text_window):
        return "html"
    return "text"


def _refuse_binary(window: bytes, source: str, default_reason: str) -> NoReturn:
    guessed = filetype.guess(window)
    if guessed is None:
        raise LoadError(source, default_reason)
    if guessed.mime in ("application/x-executable", "application/x-msdownload", "application/x-mach-binary"):
        raise LoadError(source, f"executable file, not a document ({guessed.mime})")
    if filetype.is_archive(window):
        raise LoadError(source, f"archives are not extracted ({guessed.mime})")
    raise LoadError(source, f"unsupported content ({guessed.mime})")


def _is_text_prefix(window: bytes, charset: str | None) -> bool:
    try:
        decoder = codecs.getincrementaldecoder(charset or "utf-8")()
    except LookupError:
        decoder = codecs.getincrementaldecoder("utf-8")()
    # Incremental decoding tolerates a multi-byte character cut off at the end of the window.
    try:
        decoder.decode(window, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_zip(data: bytes, source: str) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise LoadError(source, "corrupt or unreadable DOCX (damaged zip container)") from exc
    if "word/document.xml" in names:
        return "docx"
    raise LoadError(source, "archives are not extracted (zip file that is not a DOCX)")
