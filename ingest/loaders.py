"""Turn files, uploads and URLs into `LoadedDocument`s: markdown-ish text plus `DocMeta`.

Headings come out as '#' lines whatever the input format, so the structure-aware chunker sees the same
shape for markdown, HTML and DOCX. The type of a document is decided by its content, never by its name
alone: an upload's name is attacker-controlled, and a file's extension must agree with what is inside.

Every failure is a `LoadError` with a one-line reason meant for the person who supplied the document.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, NoReturn

import filetype
import httpx
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from pydantic import BaseModel, ValidationError

from ingest.manifest import shorten_title, slugify
from rag.store.doc_meta import DocMeta

log = logging.getLogger(__name__)

Kind = Literal["text", "html", "pdf", "docx"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".md", ".txt", ".html", ".htm", ".pdf", ".docx"})
_SUFFIX_KIND: dict[str, Kind] = {
    ".md": "text",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
_KIND_LABEL: dict[Kind, str] = {"text": "text", "html": "HTML", "pdf": "PDF", "docx": "DOCX"}
# Corpus bookkeeping files that sit next to the documents but are not documents.
_CORPUS_SKIP = {"manifest.json", "readme.md"}


class LoadError(Exception):
    """A document could not be loaded; `reason` is one line, fit to show to the user."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = str(source)
        self.reason = " ".join(str(reason).split()) or "could not load document"
        super().__init__(f"{self.source}: {self.reason}")


class LoadedDocument(BaseModel):
    meta: DocMeta
    text: str


@dataclass(frozen=True)  # frozen: the default instance is shared by every call
class LoadLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_pdf_pages: int = 2000
    timeout_s: float = 20.0


DEFAULT_LIMITS = LoadLimits()


@dataclass
class _Extracted:
    """What a format parser found: the text plus any title/date the document declares."""

    text: str
    title: str = ""
    date: str = ""


# ---------------------------------------------------------------------------------------------------
# Public entry points


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
    source = str(path)
    return _guarded(source, lambda: _load_path(Path(path), manifest, limits, source))


def load_bytes(
    data: bytes,
    name: str,
    manifest: dict[str, DocMeta] | None = None,
    limits: LoadLimits = DEFAULT_LIMITS,
    source: str = "",
) -> LoadedDocument:
    """Load an upload. The type is sniffed from the content; `name` only names the document."""
    source = source or name
    return _guarded(source, lambda: _load_bytes(data, name, manifest, limits, source))


def load_url(
    url: str, limits: LoadLimits = DEFAULT_LIMITS, client: httpx.Client | None = None
) -> LoadedDocument:
    return _guarded(url, lambda: _load_url(url, limits, client))


def _guarded(source: str, load: Callable[[], LoadedDocument]) -> LoadedDocument:
    """The one place where unexpected exceptions become LoadErrors, so callers handle a single type."""
    try:
        return load()
    except LoadError:
        raise
    except Exception as exc:  # the contract is that nothing raw escapes
        log.exception("unexpected error loading %s", source)
        raise LoadError(source, f"unexpected error while loading ({type(exc).__name__})") from exc


# ---------------------------------------------------------------------------------------------------
# Files and uploads


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
        _check_size(size, limits, source)
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(source, f"could not read file ({exc.strerror or type(exc).__name__})") from exc
    _check_size(len(data), limits, source)

    expected = _SUFFIX_KIND[suffix]
    kind = _sniff(data, source, expected=expected)
    if kind != expected:
        raise LoadError(source, f"extension {suffix} but content is {_KIND_LABEL[kind]}")
    return _assemble(data, kind, path.stem, manifest, limits, source)


def _load_bytes(
    data: bytes, name: str, manifest: dict[str, DocMeta] | None, limits: LoadLimits, source: str
) -> LoadedDocument:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise LoadError(source, "upload is not binary data")
    data = bytes(data)
    _check_size(len(data), limits, source)
    kind = _sniff(data, source)
    # Names may carry client paths ("C:\\x\\doc.pdf", "../../doc.pdf"): keep only the final component.
    stem = PurePosixPath(name.replace("\\", "/")).stem or "upload"
    return _assemble(data, kind, stem, manifest, limits, source)


def _check_size(size: int, limits: LoadLimits, source: str) -> None:
    if size > limits.max_bytes:
        raise LoadError(
            source, f"file too large ({_human_size(size)} > {_human_size(limits.max_bytes)} limit)"
        )


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _assemble(
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
    extracted = _extract(data, kind, limits, source, charset)
    # Markdown/plain text is kept as written (offsets into it may be quoted elsewhere); generated text
    # from the other formats gets its whitespace normalised.
    text = _normalise_newlines(extracted.text).strip() if kind == "text" else _tidy(extracted.text)
    if not text:
        reason = "no extractable text (scanned PDF?)" if kind == "pdf" else "empty document"
        raise LoadError(source, reason)
    if not extracted.title.strip() and fallback_title:
        extracted.title = fallback_title
    meta = _meta_for(stem, extracted, manifest, source, url)
    log.info("loaded %s as %s: doc_id=%s, %d chars", source, kind, meta.doc_id, len(text))
    return LoadedDocument(meta=meta, text=text)


def _meta_for(
    stem: str, extracted: _Extracted, manifest: dict[str, DocMeta] | None, source: str, url: str
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


# ---------------------------------------------------------------------------------------------------
# Sniffing

_HTML_DOCUMENT = re.compile(rb"<(!doctype\s+html|html|head|body)[\s>/]", re.IGNORECASE)
# In a file that already says .html, any common block tag is enough: fragments are legitimate HTML.
_HTML_FRAGMENT = re.compile(
    rb"<(title|meta|p|div|h[1-6]|ul|ol|li|table|article|section|main|span|a|br|em|strong|b|i)[\s>/]",
    re.IGNORECASE,
)
_SNIFF_WINDOW = 8192


def _sniff(data: bytes, source: str, expected: Kind | None = None, charset: str | None = None) -> Kind:
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


# ---------------------------------------------------------------------------------------------------
# Extraction per format


def _extract(data: bytes, kind: Kind, limits: LoadLimits, source: str, charset: str | None) -> _Extracted:
    if kind == "pdf":
        return _extract_pdf(data, limits, source)
    if kind == "docx":
        return _extract_docx(data, source)
    if kind == "html":
        return _extract_html(data, source, charset)
    return _extract_text(data, source, charset)


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


def _extract_text(data: bytes, source: str, charset: str | None) -> _Extracted:
    text = _decode_text(data, source, charset)
    if "\x00" in text:
        raise LoadError(source, "binary data, not a text document")
    heading = _MD_HEADING.search(text)
    return _Extracted(text=text, title=heading.group(2) if heading else "")


# -- HTML ---------------------------------------------------------------------------------------------

_HTML_DROP = {
    "script", "style", "nav", "header", "footer", "noscript", "template", "svg", "iframe",
    "head", "title", "meta", "link", "button", "select", "object", "embed", "canvas",
}  # fmt: skip
_HTML_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "hr", "html", "li", "main", "ol", "p",
    "section", "summary", "table", "tbody", "tfoot", "thead", "ul",
}  # fmt: skip
_HEADING_TAGS = {f"h{i}": i for i in range(1, 7)}


def _extract_html(data: bytes, source: str, charset: str | None) -> _Extracted:
    with warnings.catch_warnings():
        # bs4 warns about markup that "looks like a filename/URL"; content is content here.
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(data, "html.parser", from_encoding=charset)
    title = ""
    if soup.title and soup.title.get_text(strip=True):
        title = soup.title.get_text(" ", strip=True)
    else:
        first_h1 = soup.find("h1")
        if first_h1:
            title = first_h1.get_text(" ", strip=True)
    blocks: list[str] = []
    try:
        _HtmlBlocks(blocks).walk(soup.body or soup)
    except RecursionError as exc:
        # Thousands of nested tags are an attack or a broken generator, not a document.
        raise LoadError(source, "HTML nested too deeply") from exc
    return _Extracted(text="\n\n".join(blocks), title=title)


class _HtmlBlocks:
    """Flatten HTML into blank-line separated blocks; inline markup is merged into its paragraph."""

    def __init__(self, out: list[str]) -> None:
        self.out = out

    def walk(self, node: Tag, prefix: str = "") -> None:
        buf: list[str] = []
        pending_prefix = [prefix]  # the list-item marker belongs to the first paragraph only

        def flush() -> None:
            text = _clean_inline("".join(buf))
            buf.clear()
            if text:
                self.out.append(pending_prefix[0] + text)
                pending_prefix[0] = ""

        self._children(node, buf, flush)
        flush()

    def _children(self, node: Tag, buf: list[str], flush: Callable[[], None]) -> None:
        item_no = _list_start(node)
        for child in node.children:
            if isinstance(child, Comment | Declaration | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                buf.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _HTML_DROP:
                continue
            name = child.name
            if name == "br":
                buf.append("\n")
            elif name in _HEADING_TAGS:
                flush()
                text = _clean_inline(child.get_text(" "))
                if text:
                    self.out.append("#" * _HEADING_TAGS[name] + " " + text.replace("\n", " "))
            elif name == "pre":
                flush()
                text = child.get_text().strip("\n")
                if text.strip():
                    self.out.append(text)
            elif name == "tr":
                flush()
                self._row(child)
            elif name in _HTML_BLOCKS:
                flush()
                marker = ""
                if name == "li":
                    marker = f"{item_no}. " if item_no is not None else "- "
                    item_no = item_no + 1 if item_no is not None else None
                self.walk(child, marker)
            else:
                self._children(child, buf, flush)  # inline: same paragraph

    def _row(self, row: Tag) -> None:
        cells = [
            _clean_inline(c.get_text(" ")).replace("\n", " ")
            for c in row.find_all(["td", "th"], recursive=False)
        ]
        cells = [c for c in cells if c]
        if cells:
            self.out.append(" | ".join(cells))


def _list_start(node: Tag) -> int | None:
    if node.name != "ol":
        return None
    try:
        return int(str(node.get("start", "1")))
    except ValueError:
        return 1


def _clean_inline(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# -- PDF ----------------------------------------------------------------------------------------------


def _extract_pdf(data: bytes, limits: LoadLimits, source: str) -> _Extracted:
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
    return _Extracted(text=text, title=title, date=date)


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


# -- DOCX ---------------------------------------------------------------------------------------------


def _extract_docx(data: bytes, source: str) -> _Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        first_heading = ""
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                block, level = _docx_paragraph(item)
                if level and not first_heading:
                    first_heading = block.lstrip("#").strip()
                if block:
                    blocks.append(block)
            elif isinstance(item, Table):
                blocks.extend(_docx_table(item))
        core_title = (document.core_properties.title or "").strip()
    except Exception as exc:  # python-docx/lxml raise many types on damaged files
        log.info("%s: python-docx could not read it: %s", source, exc)
        raise LoadError(source, "corrupt or unreadable DOCX") from exc
    return _Extracted(text="\n\n".join(blocks), title=first_heading or core_title)


_DOCX_HEADING = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def _docx_paragraph(paragraph: object) -> tuple[str, int]:
    """Markdown for one paragraph and its heading level (0 for body text)."""
    text = " ".join(paragraph.text.split())  # type: ignore[attr-defined]
    if not text:
        return "", 0
    style = getattr(paragraph, "style", None)
    style_name = (getattr(style, "name", "") or "").strip()
    if style_name.lower() == "title":
        return f"# {text}", 1
    match = _DOCX_HEADING.match(style_name)
    if match:
        level = min(max(int(match.group(1)), 1), 6)
        return "#" * level + " " + text, level
    if style_name.lower().startswith("list"):
        return f"- {text}", 0
    return text, 0


def _docx_table(table: object) -> list[str]:
    rows: list[str] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # Merged cells are returned once per grid column; show each underlying cell once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


# ---------------------------------------------------------------------------------------------------
# URLs

_HTML_MIMES = {"text/html", "application/xhtml+xml"}
_TEXT_MIMES = {"text/plain", "text/markdown", "text/x-markdown"}


def _load_url(url: str, limits: LoadLimits, client: httpx.Client | None) -> LoadedDocument:
    parsed = _parse_url(url)
    if client is None:
        with httpx.Client(timeout=limits.timeout_s, follow_redirects=True) as own_client:
            data, content_type = _fetch(own_client, url, limits)
    else:
        data, content_type = _fetch(client, url, limits)
    _check_size(len(data), limits, url)

    mime, charset = _parse_content_type(content_type)
    kind = _sniff(data, url, expected="html" if mime in _HTML_MIMES else None, charset=charset)
    # The bytes decide binary formats; the header only settles what kind of text a text response is.
    if kind == "text" and mime in _HTML_MIMES:
        kind = "html"
    path = parsed.path.rstrip("/")
    # Without a title inside the document, the last path segment reads better than host+path.
    fallback = PurePosixPath(path).name or parsed.host
    return _assemble(
        data, kind, parsed.host + path, None, limits, url, url=url, charset=charset, fallback_title=fallback
    )


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except Exception as exc:  # httpx.InvalidURL and friends
        raise LoadError(url, "invalid URL") from exc
    if parsed.scheme not in {"http", "https"}:
        scheme = parsed.scheme or "none"
        raise LoadError(url, f"unsupported URL scheme '{scheme}' (only http and https)")
    if not parsed.host:
        raise LoadError(url, "invalid URL (no host)")
    return parsed


def _fetch(client: httpx.Client, url: str, limits: LoadLimits) -> tuple[bytes, str]:
    # httpx timeouts are per network operation; a server trickling bytes needs an overall deadline too.
    deadline = time.monotonic() + limits.timeout_s
    try:
        with client.stream("GET", url, timeout=limits.timeout_s, follow_redirects=True) as response:
            if not response.is_success:  # a 3xx here is a redirect that could not be followed
                phrase = response.reason_phrase or ""
                raise LoadError(url, f"HTTP {response.status_code} {phrase}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                _check_size(int(declared), limits, url)
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > limits.max_bytes:
                    raise LoadError(url, f"file too large (over {_human_size(limits.max_bytes)} limit)")
                if time.monotonic() > deadline:
                    raise LoadError(url, "could not fetch URL: timed out")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "")
    except LoadError:
        raise
    except httpx.TimeoutException as exc:
        raise LoadError(url, "could not fetch URL: timed out") from exc
    except httpx.TooManyRedirects as exc:
        raise LoadError(url, "could not fetch URL: too many redirects") from exc
    except httpx.HTTPError as exc:
        raise LoadError(url, f"could not fetch URL: {_network_reason(exc)}") from exc


def _network_reason(exc: Exception) -> str:
    message = str(exc).lower()
    if "refused" in message:
        return "connection refused"
    if (
        "name or service not known" in message
        or "nodename nor servname" in message
        or "getaddrinfo" in message
    ):
        return "host not found"
    if "ssl" in message or "certificate" in message:
        return "TLS error"
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return first_line[:120] or type(exc).__name__


def _parse_content_type(header: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in header.split(";")]
    mime = parts[0].lower() if parts else ""
    charset = None
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return mime, charset


# ---------------------------------------------------------------------------------------------------


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _tidy(text: str) -> str:
    """Generated text: one newline convention, no trailing spaces, at most one blank line in a row."""
    text = "\n".join(line.rstrip() for line in _normalise_newlines(text).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
