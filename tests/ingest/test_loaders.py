"""Loaders on real files made in the test: each format, each refusal, uploads, and URLs from a live server."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import docx
import httpx
import pytest
from pypdf import PdfReader
from support import encrypt_pdf, make_pdf

from ingest.loaders import (
    SUPPORTED_SUFFIXES,
    LoadedDocument,
    LoadError,
    LoadLimits,
    discover,
    load_bytes,
    load_path,
    load_url,
)
from rag.store.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

# ------------------------------------------------------------------------------------------------
# Fixture builders


SAMPLE_PDF_PAGES = [
    ["Article 5 Prohibited practices", "No (social) scoring."],
    ["Article 6 High-risk systems"],
]


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Model Governance Policy", level=1)
    document.add_paragraph("This policy sets out how models are reviewed.")
    document.add_heading("Scope", level=2)
    document.add_paragraph("Applies to all   deployed systems.")
    document.add_paragraph("Impact assessment", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("Role", "Duty"), ("Provider", "Keep logs")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("Closing remark.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


HTML = """<!DOCTYPE html>
<html><head><title>AI Safety Page</title><style>p { color: red }</style>
<script>var leaked = "SCRIPT-SECRET";</script></head>
<body>
<header><h1>Site banner</h1></header>
<nav><a href="/">Home</a> <a href="/about">NAV-LINK</a></nav>
<main>
  <h1>Safety <em>Framework</em></h1>
  <p>Intro   text with <b>bold</b> words.</p>
  <h2>Scope</h2>
  <ul><li>First item</li><li>Second item</li></ul>
  <ol><li>Step one</li><li>Step two</li></ol>
  <table><tr><th>Term</th><th>Meaning</th></tr><tr><td>AI</td><td>Artificial intelligence</td></tr></table>
  <h3>Details</h3><p>Caf&eacute; &amp; more</p>
</main>
<footer>FOOTER-TEXT</footer>
<script>alert("SCRIPT-TWO")</script>
</body></html>
"""


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def refusal(call, *args, **kwargs) -> LoadError:
    with pytest.raises(LoadError) as info:
        call(*args, **kwargs)
    err = info.value
    assert err.reason and "\n" not in err.reason, "reasons are one line"
    return err


# ------------------------------------------------------------------------------------------------
# Text formats


def test_markdown_keeps_text_and_takes_title_from_first_heading(tmp_path):
    path = write(
        tmp_path, "My Notes_v2.md", "\ufeffPreamble line\n\n## The Real Title ##\r\n\r\nBody text.\n"
    )
    doc = load_path(path)
    assert isinstance(doc, LoadedDocument)
    assert doc.text == "Preamble line\n\n## The Real Title ##\n\nBody text."
    assert doc.meta.doc_id == "my-notes-v2"
    assert doc.meta.title == "The Real Title"
    assert doc.meta.source == str(path)


def test_plain_text_without_heading_is_titled_by_its_stem(tmp_path):
    doc = load_path(write(tmp_path, "board-minutes.txt", "Minutes of the meeting.\nNothing else."))
    assert doc.meta.title == "board-minutes"
    assert doc.text == "Minutes of the meeting.\nNothing else."


def test_long_titles_get_a_short_title(tmp_path):
    title = "A Framework for the Responsible Development and Deployment of Advanced AI Systems"
    doc = load_path(write(tmp_path, "framework.md", f"# {title}\n\nText."))
    assert doc.meta.title == title
    assert len(doc.meta.short_title) <= 40 and doc.meta.short_title.endswith("…")


def test_latin1_text_is_refused(tmp_path):
    err = refusal(load_path, write(tmp_path, "latin.txt", "Caf\xe9 na\xefve r\xe9sum\xe9".encode("latin-1")))
    assert err.reason == "not valid UTF-8 text"
    assert err.source == str(tmp_path / "latin.txt")


def test_binary_data_named_txt_is_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    err = refusal(load_path, write(tmp_path, "picture.txt", png))
    assert "image/png" in err.reason or "binary" in err.reason
    refusal(load_path, write(tmp_path, "noise.txt", bytes(range(256)) * 8))


def test_text_starting_like_a_magic_number_is_still_text(tmp_path):
    # "BM" is the bitmap signature; a weak magic matcher must not beat a valid UTF-8 text.
    doc = load_path(write(tmp_path, "bmw.txt", "BMW published an AI code of conduct."))
    assert doc.text.startswith("BMW")


@pytest.mark.parametrize("content", [b"", b"   \n\t \r\n", b"\xef\xbb\xbf  \n"])
def test_empty_documents_are_refused(tmp_path, content):
    assert refusal(load_path, write(tmp_path, "empty.md", content)).reason == "empty document"


def test_unknown_extension_missing_file_and_directory(tmp_path):
    assert refusal(load_path, write(tmp_path, "data.xyz", "hello")).reason == "unsupported file type .xyz"
    assert (
        refusal(load_path, write(tmp_path, "Makefile", "all:")).reason
        == "unsupported file type (no extension)"
    )
    assert refusal(load_path, tmp_path / "absent.md").reason == "file not found"
    assert "directory" in refusal(load_path, tmp_path).reason


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = write(tmp_path, "big.md", "# Big\n\n" + "x" * 5000)
    err = refusal(load_path, path, limits=LoadLimits(max_bytes=1024))
    assert err.reason.startswith("file too large (")
    assert "1.0 KB limit" in err.reason
    assert load_path(path, limits=LoadLimits(max_bytes=10_000)).meta.title == "Big"


# ------------------------------------------------------------------------------------------------
# HTML


def test_html_becomes_markdown_without_chrome_or_scripts(tmp_path):
    doc = load_path(write(tmp_path, "safety.html", HTML))
    text = doc.text
    assert doc.meta.title == "AI Safety Page"
    assert text.startswith("# Safety Framework\n\nIntro text with bold words.")
    assert "\n\n## Scope\n\n" in text and "\n\n### Details\n\n" in text
    assert "- First item\n\n- Second item" in text
    assert "1. Step one\n\n2. Step two" in text
    assert "Term | Meaning\n\nAI | Artificial intelligence" in text
    assert "Café & more" in text
    for dropped in ("SCRIPT-SECRET", "SCRIPT-TWO", "NAV-LINK", "FOOTER-TEXT", "Site banner", "color: red"):
        assert dropped not in text


def test_html_title_falls_back_to_first_h1_and_htm_works(tmp_path):
    doc = load_path(
        write(tmp_path, "page.htm", "<html><body><h1>Only Heading</h1><p>Para.</p></body></html>")
    )
    assert doc.meta.title == "Only Heading"
    assert doc.text == "# Only Heading\n\nPara."


def test_html_fragment_is_accepted_with_html_extension(tmp_path):
    doc = load_path(write(tmp_path, "fragment.html", "<h2>Part</h2><p>Fragment body.</p>"))
    assert doc.text == "## Part\n\nFragment body."


def test_html_declaring_latin1_is_decoded(tmp_path):
    page = '<html><head><meta charset="iso-8859-1"><title>T</title></head><body><p>Caf\xe9</p></body></html>'
    assert load_path(write(tmp_path, "latin.html", page.encode("latin-1"))).text == "Café"


def test_pathologically_nested_html_is_refused_not_crashed():
    err = refusal(load_bytes, b"<html><body>" + b"<div>" * 5000 + b"deep" + b"</div>" * 5000, "deep.html")
    assert err.reason == "HTML nested too deeply"


def test_html_with_only_chrome_is_empty(tmp_path):
    page = "<html><body><nav>menu</nav><script>x()</script></body></html>"
    assert refusal(load_path, write(tmp_path, "chrome.html", page)).reason == "empty document"


# ------------------------------------------------------------------------------------------------
# PDF


def test_handmade_pdf_is_extracted_by_pypdf_directly():
    reader = PdfReader(io.BytesIO(make_pdf(SAMPLE_PDF_PAGES)))
    assert len(reader.pages) == 2
    assert "No (social) scoring." in reader.pages[0].extract_text()


def test_pdf_pages_are_joined_and_metadata_used(tmp_path):
    data = make_pdf(
        SAMPLE_PDF_PAGES, info={"Title": "EU AI Act Extract", "CreationDate": "D:20240613120000Z"}
    )
    doc = load_path(write(tmp_path, "AI Act extract.pdf", data))
    assert doc.text == "Article 5 Prohibited practices\nNo (social) scoring.\n\nArticle 6 High-risk systems"
    assert doc.meta.title == "EU AI Act Extract"
    assert doc.meta.date == "2024-06-13"
    assert doc.meta.doc_id == "ai-act-extract"


def test_pdf_without_metadata_is_titled_by_its_first_line(tmp_path):
    doc = load_path(write(tmp_path, "plain.pdf", make_pdf(SAMPLE_PDF_PAGES)))
    assert doc.meta.title == "Article 5 Prohibited practices"
    assert doc.meta.date == ""


def test_pdf_with_bad_date_metadata_still_loads(tmp_path):
    data = make_pdf(SAMPLE_PDF_PAGES, info={"CreationDate": "D:20241399"})
    assert load_path(write(tmp_path, "baddate.pdf", data)).meta.date == "2024"


def test_encrypted_pdf_is_refused(tmp_path):
    path = write(tmp_path, "locked.pdf", encrypt_pdf(make_pdf(SAMPLE_PDF_PAGES), user_password="secret"))
    assert refusal(load_path, path).reason.startswith("encrypted PDF")


def test_pdf_encrypted_only_with_an_owner_password_opens(tmp_path):
    path = write(tmp_path, "restricted.pdf", encrypt_pdf(make_pdf(SAMPLE_PDF_PAGES), user_password=""))
    assert "Article 6 High-risk systems" in load_path(path).text


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_pdf_is_corrupt(tmp_path, keep):
    data = make_pdf(SAMPLE_PDF_PAGES)
    path = write(tmp_path, "cut.pdf", data[: int(len(data) * keep)])
    assert refusal(load_path, path).reason == "corrupt or unreadable PDF"


def test_garbage_after_pdf_header_is_corrupt(tmp_path):
    path = write(tmp_path, "junk.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 16)
    assert refusal(load_path, path).reason == "corrupt or unreadable PDF"


def test_pdf_without_text_is_reported_as_scanned(tmp_path):
    path = write(tmp_path, "scan.pdf", make_pdf([[], []]))
    assert refusal(load_path, path).reason == "no extractable text (scanned PDF?)"


def test_pdf_page_limit(tmp_path):
    path = write(tmp_path, "long.pdf", make_pdf([["one"], ["two"], ["three"]]))
    err = refusal(load_path, path, limits=LoadLimits(max_pdf_pages=2))
    assert "too many pages" in err.reason and "3" in err.reason
    assert load_path(path, limits=LoadLimits(max_pdf_pages=3)).text == "one\n\ntwo\n\nthree"


# ------------------------------------------------------------------------------------------------
# DOCX


def test_docx_headings_paragraphs_lists_and_tables(tmp_path):
    doc = load_path(write(tmp_path, "Governance Policy.docx", make_docx()))
    assert doc.text == (
        "# Model Governance Policy\n\n"
        "This policy sets out how models are reviewed.\n\n"
        "## Scope\n\n"
        "Applies to all deployed systems.\n\n"
        "- Impact assessment\n\n"
        "Role | Duty\n\n"
        "Provider | Keep logs\n\n"
        "Closing remark."
    )
    assert doc.meta.title == "Model Governance Policy"
    assert doc.meta.doc_id == "governance-policy"


def test_truncated_docx_is_corrupt(tmp_path):
    data = make_docx()
    err = refusal(load_path, write(tmp_path, "cut.docx", data[: len(data) // 2]))
    assert err.reason.startswith("corrupt or unreadable DOCX")


def test_docx_with_broken_xml_is_corrupt(tmp_path):
    data = make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document><unclosed"})
    assert refusal(load_path, write(tmp_path, "broken.docx", data)).reason == "corrupt or unreadable DOCX"


def test_zip_named_docx_is_refused_as_an_archive(tmp_path):
    data = make_zip({"notes.txt": b"hello", "policy.md": b"# Policy"})
    assert "archives are not extracted" in refusal(load_path, write(tmp_path, "bundle.docx", data)).reason


def test_empty_docx_is_empty(tmp_path):
    buf = io.BytesIO()
    docx.Document().save(buf)
    assert refusal(load_path, write(tmp_path, "blank.docx", buf.getvalue())).reason == "empty document"


# ------------------------------------------------------------------------------------------------
# Extension must agree with content


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("report.pdf", b"Just some text pretending to be a PDF.", "extension .pdf but content is text"),
        ("report.md", make_pdf(SAMPLE_PDF_PAGES), "extension .md but content is PDF"),
        ("report.txt", HTML.encode(), "extension .txt but content is HTML"),
        ("report.html", b"plain words, no markup", "extension .html but content is text"),
        ("report.docx", b"%PDF-1.4 not really", "extension .docx but content is PDF"),
        ("report.pdf", make_docx(), "extension .pdf but content is DOCX"),
    ],
)
def test_extension_must_match_content(tmp_path, name, data, reason):
    assert refusal(load_path, write(tmp_path, name, data)).reason == reason


# ------------------------------------------------------------------------------------------------
# Uploads: content decides, the name only names


def test_upload_type_is_sniffed_not_taken_from_name():
    pdf = load_bytes(make_pdf(SAMPLE_PDF_PAGES), "notes.txt")
    assert pdf.text.startswith("Article 5")
    html = load_bytes(HTML.encode(), "paper.pdf")
    assert html.meta.title == "AI Safety Page"
    word = load_bytes(make_docx(), "upload.bin")
    assert word.text.startswith("# Model Governance Policy")
    text = load_bytes(b"# Heading\n\nbody", "anything.pdf")
    assert text.meta.title == "Heading"


def test_upload_name_with_client_path_is_reduced_to_its_stem():
    doc = load_bytes(b"# T\n\nx", "C:\\Users\\me\\..\\Secret Plans.md", source="upload:1")
    assert doc.meta.doc_id == "secret-plans"
    assert doc.meta.source == "upload:1"
    assert load_bytes(b"# T\n\nx", "../../etc/passwd").meta.doc_id == "passwd"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty document"),
        (b"\x00\x01\x02\x03binary", "binary data, not a text document"),
        ("caf\xe9".encode("latin-1"), "not valid UTF-8 text"),
        (make_zip({"a.txt": b"x"}), "archives are not extracted"),
        (b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, "archives are not extracted"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "unsupported content (image/png)"),
    ],
)
def test_upload_refusals(data, reason):
    err = refusal(load_bytes, data, "upload.txt")
    assert reason in err.reason
    assert err.source == "upload.txt"


def test_upload_size_limit():
    err = refusal(load_bytes, b"a" * 3 * 1024 * 1024, "big.txt", limits=LoadLimits(max_bytes=2 * 1024 * 1024))
    assert err.reason == "file too large (3.0 MB > 2.0 MB limit)"


def test_upload_uses_manifest_metadata_for_known_names():
    manifest = load_manifest(CORPUS / "manifest.json")
    doc = load_bytes(b"# Japan's AI Diplomacy\n\ntext", "diplomat-japans-ai-diplomacy-2024.md", manifest)
    assert doc.meta.publisher == "The Diplomat"
    assert doc.meta.source == "diplomat-japans-ai-diplomacy-2024.md"
    assert manifest["diplomat-japans-ai-diplomacy-2024"].source != doc.meta.source, "manifest not mutated"


def test_unexpected_errors_become_load_errors(monkeypatch):
    from ingest.loaders import assemble

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(assemble, "extract_text", explode)
    err = refusal(load_bytes, b"hello", "x.txt")
    assert "unexpected error" in err.reason and "RuntimeError" in err.reason


# ------------------------------------------------------------------------------------------------
# The shipped corpus


def test_discover_finds_the_sixteen_corpus_documents():
    files = discover([CORPUS])
    assert len(files) == 16
    assert files == sorted(files)
    assert all(f.suffix == ".md" for f in files)
    assert not any(f.name in {"manifest.json", "README.md"} for f in files)


def test_corpus_loads_verbatim_with_manifest_metadata():
    manifest = load_manifest(CORPUS / "manifest.json")
    for path in discover([CORPUS]):
        doc = load_path(path, manifest)
        meta = manifest[path.stem]
        assert doc.meta.model_dump(exclude={"source"}) == meta.model_dump(exclude={"source"})
        assert doc.meta.source == str(path)
        assert doc.text == path.read_text(encoding="utf-8").strip()


def test_discover_expands_folders_and_keeps_explicit_files(tmp_path):
    corpus = tmp_path / "docs"
    (corpus / "sub").mkdir(parents=True)
    (corpus / ".git").mkdir()
    for name in ["b.md", "a.TXT", "sub/c.pdf", "sub/d.docx", "e.html", "README.md", "manifest.json",
                 "notes.xyz", ".hidden.md", ".git/x.md", "~$lock.docx"]:  # fmt: skip
        (corpus / name).write_text("x")
    explicit = tmp_path / "loose.xyz"
    explicit.write_text("x")
    found = discover([corpus, explicit, corpus / "b.md"])
    rel = [str(p.relative_to(tmp_path)) for p in found]
    assert rel == ["docs/a.TXT", "docs/b.md", "docs/e.html", "docs/sub/c.pdf", "docs/sub/d.docx", "loose.xyz"]
    assert discover([]) == []


def test_supported_suffixes():
    assert {".md", ".txt", ".html", ".htm", ".pdf", ".docx"} == set(SUPPORTED_SUFFIXES)


# ------------------------------------------------------------------------------------------------
# URLs, from a real local HTTP server

PDF_BYTES = make_pdf(SAMPLE_PDF_PAGES, info={"Title": "Served PDF"})


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {
        "/policy/page.html": (200, "text/html; charset=utf-8", HTML.encode()),
        "/docs/act.pdf": (200, "application/pdf", PDF_BYTES),
        "/download": (200, "application/octet-stream", PDF_BYTES),
        "/notes": (200, "text/plain; charset=iso-8859-1", "Caf\xe9 notes".encode("latin-1")),
        "/fragment": (200, "text/html", b"<p>Just a fragment.</p>"),
        "/big": (200, "text/plain", b"y" * 50_000),
        "/archive": (200, "application/zip", make_zip({"a.txt": b"x"})),
        "/empty": (200, "text/html", b""),
    }

    def do_GET(self) -> None:  # http.server's naming
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/policy/page.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if self.path != "/big":  # no Content-Length: the limit must hold while streaming
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass  # keep test output quiet


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url_html(server):
    url = f"{server}/policy/page.html"
    doc = load_url(url)
    assert doc.meta.title == "AI Safety Page"
    assert doc.meta.url == doc.meta.source == url
    assert doc.meta.doc_id == "127-0-0-1-policy-page-html"
    assert doc.text.startswith("# Safety Framework")


def test_url_pdf_by_content_type_and_by_sniffing(server):
    for path in ("/docs/act.pdf", "/download"):
        doc = load_url(server + path)
        assert doc.meta.title == "Served PDF"
        assert "No (social) scoring." in doc.text


def test_url_redirect_is_followed_and_keeps_the_requested_url(server):
    doc = load_url(f"{server}/moved")
    assert doc.meta.title == "AI Safety Page"
    assert doc.meta.url == f"{server}/moved"


def test_url_text_honours_declared_charset_and_fragments_follow_content_type(server):
    notes = load_url(f"{server}/notes")
    assert notes.text == "Café notes"
    assert notes.meta.title == "notes", "last path segment when the document has no title"
    assert load_url(f"{server}/fragment").text == "Just a fragment."


def test_url_errors(server):
    assert refusal(load_url, f"{server}/missing").reason == "HTTP 404 Not Found"
    assert refusal(load_url, f"{server}/loop").reason == "could not fetch URL: too many redirects"
    assert refusal(load_url, f"{server}/archive").reason.startswith("archives are not extracted")
    assert refusal(load_url, f"{server}/empty").reason == "empty document"
    err = refusal(load_url, f"{server}/big", limits=LoadLimits(max_bytes=10_000))
    assert err.reason.startswith("file too large")


def test_url_size_limit_uses_content_length_when_declared(server):
    err = refusal(load_url, f"{server}/docs/act.pdf", limits=LoadLimits(max_bytes=100))
    # The declared length is refused up front, so the message can name the real size.
    assert len(PDF_BYTES) < 1024
    assert err.reason == f"file too large ({len(PDF_BYTES)} bytes > 100 bytes limit)"


def test_unreachable_port_is_connection_refused():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port was free a moment ago and nothing listens on it now.
    err = refusal(load_url, f"http://127.0.0.1:{port}/doc.html", limits=LoadLimits(timeout_s=2))
    assert err.reason == "could not fetch URL: connection refused"


def test_url_timeout():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()  # accepts the connection but never answers
        port = sock.getsockname()[1]
        err = refusal(load_url, f"http://127.0.0.1:{port}/slow", limits=LoadLimits(timeout_s=0.5))
    assert err.reason == "could not fetch URL: timed out"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/doc.pdf", "unsupported URL scheme 'ftp' (only http and https)"),
        ("file:///etc/passwd", "unsupported URL scheme 'file' (only http and https)"),
        ("not a url", "unsupported URL scheme 'none' (only http and https)"),
        ("http://", "invalid URL (no host)"),
    ],
)
def test_url_schemes(url, reason):
    assert refusal(load_url, url).reason == reason


def test_url_with_injected_client(server):
    with httpx.Client() as client:
        assert load_url(f"{server}/policy/page.html", client=client).meta.title == "AI Safety Page"
