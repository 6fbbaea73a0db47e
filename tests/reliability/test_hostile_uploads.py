"""Hostile uploads through POST /api/documents: names that try to be paths, content that lies about its
type, archives, locked and oversized PDFs. Refusals are 4xx with a reason; nothing lands on disk."""

from __future__ import annotations

import gzip
import io
import os
import re
import tarfile
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reliability_helpers import encrypt_pdf, make_pdf

pytestmark = pytest.mark.slow

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def doc(tag: str) -> bytes:
    return (
        f"# Lighthouse Keeping Rules {tag}\n\n"
        "Every lighthouse keeper shall log the lamp hours each night. The harbour authority inspects "
        "the lighthouse logbooks every autumn and keeps them for ten years.\n"
    ).encode()


@pytest.fixture(scope="module")
def uploads(app_client) -> TestClient:  # type: ignore[no-untyped-def]
    with app_client(max_upload_bytes=64 * 1024, max_pdf_pages=2) as c:
        yield c


def snapshot(*folders: Path) -> set[str]:
    out: set[str] = set()
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d not in (".venv", ".git", "node_modules")]
            out.update(os.path.join(dirpath, f) for f in filenames)
    return out


HOSTILE_NAMES = [
    "../../etc/passwd",
    "../../../../../../tmp/pq-escape.md",
    "/etc/passwd",
    "..\\..\\windows\\system32\\drivers\\etc\\hosts",
    "C:\\Users\\victim\\evil.md",
    "a/b/../../../c.md",
    "....//....//etc//shadow.md",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "evil\x00.md",
    "nul\x00/../../etc/passwd",
    "..",
    "/",
    "",
]


def _last_component(name: str) -> str:
    return name.replace("\\", "/").replace("\x00", "").rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n) for n in HOSTILE_NAMES])
def test_file_names_never_become_paths(
    uploads: TestClient, auth: dict[str, str], settings, name: str
) -> None:  # type: ignore[no-untyped-def]
    watched = [settings.data_dir, Path(__file__).resolve().parents[2], Path("/tmp"), Path("/etc")]
    before = snapshot(*watched)
    passwd = Path("/etc/passwd").read_bytes()
    r = uploads.post(
        "/api/documents?replace=true", files={"file": (name, doc(repr(name)), "text/plain")}, headers=auth
    )
    try:
        # A name the multipart layer cannot carry may be refused; it must never be a 5xx or a path.
        assert r.status_code in (201, 400, 422), r.text
        if r.status_code == 201:
            doc_id = r.json()["doc_id"]
            assert SLUG.match(doc_id), doc_id
            assert uploads.get(f"/api/documents/{doc_id}").status_code == 200
    finally:
        if r.status_code == 201:
            uploads.delete(f"/api/documents/{r.json()['doc_id']}", headers=auth)
    # The store adds files of its own; none is named after the upload, inside the data dir or out.
    last = _last_component(name)
    if len(last) >= 3 and last != "..":
        created = snapshot(*watched) - before
        assert not [p for p in created if os.path.basename(p).startswith(last)], created
    assert Path("/etc/passwd").read_bytes() == passwd


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    return buf.getvalue()


def _targz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for n, data in members.items():
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


REFUSED = [
    pytest.param(
        "notes.md",
        b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8,
        422,
        "application/x-executable",
        id="elf-named-md",
    ),
    pytest.param("photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 422, "", id="png-named-pdf"),
    pytest.param(
        "bundle.md",
        _zip({"../../etc/cron.d/x": b"* * * * * evil", "a.md": doc("zip")}),
        422,
        "archives are not extracted",
        id="zip-slip",
    ),
    pytest.param(
        "bundle.docx", _zip({"notes.txt": b"hello"}), 422, "archives are not extracted", id="zip-named-docx"
    ),
    pytest.param("corpus.tar.gz", _targz({"../../x.md": doc("tar")}), 422, "", id="tar-gz"),
    pytest.param("bomb.txt", gzip.compress(b"A" * 5_000_000), 422, "", id="gzip-bomb"),
    pytest.param(
        "locked.pdf",
        encrypt_pdf(make_pdf([["Secret text"]]), "secret"),
        422,
        "encrypted PDF",
        id="encrypted-pdf",
    ),
    pytest.param(
        "long.pdf",
        make_pdf([["Page one"], ["Page two"], ["Page three"]]),
        413,
        "too many pages",
        id="pdf-over-page-limit",
    ),
    pytest.param("big.md", b"# Big\n\n" + b"word " * 14_000, 413, "too large", id="over-upload-limit"),
    pytest.param("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 16, 422, "corrupt", id="corrupt-pdf"),
]


@pytest.mark.parametrize(("name", "data", "status", "reason"), REFUSED)
def test_bad_content_is_refused_with_a_reason(
    uploads: TestClient, auth: dict[str, str], settings, name: str, data: bytes, status: int, reason: str
) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(settings.data_dir)
    r = uploads.post("/api/documents", files={"file": (name, data, "application/octet-stream")}, headers=auth)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert detail and reason in detail
    # Nothing extracted: no member of an archive appears on disk.
    assert not [p for p in snapshot(settings.data_dir) - before if "cron" in p or p.endswith((".md", "x.md"))]


def test_type_comes_from_the_content_not_the_name(uploads: TestClient, auth: dict[str, str]) -> None:
    pdf = make_pdf([["Lighthouse logbooks are inspected every autumn by the harbour authority."]])
    html = (
        b"<!doctype html><html><head><title>Harbour Notice</title></head>"
        b"<body><h1>Harbour Notice</h1><p>The harbour closes at dusk.</p></body></html>"
    )
    cases = [
        ("looks-like-text.md", pdf, "inspected every autumn"),
        ("really-html.txt", html, "The harbour closes at dusk."),
    ]
    for name, data, text in cases:
        r = uploads.post(
            "/api/documents?replace=true", files={"file": (name, data, "text/markdown")}, headers=auth
        )
        assert r.status_code == 201, r.text
        doc_id = r.json()["doc_id"]
        try:
            stored = uploads.get(f"/api/documents/{doc_id}").json()["text"]
            assert text in stored and "<p>" not in stored and "%PDF" not in stored
        finally:
            uploads.delete(f"/api/documents/{doc_id}", headers=auth)
