"""Over a real socket: the app under uvicorn (in a thread, over the session's services) driven by a real
browser and by raw HTTP clients.

* A document whose title, headings and text carry <script>/onerror markup is shown as text in the chat
  UI's source cards and in the document view: no dialog fires, no element is injected.
* Body limits hold on the wire: a huge declared Content-Length is refused before any byte is read, and a
  chunked body is cut off once it passes the limit.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from reliability_helpers import free_port, wait_until
from support import chromium_executable

from rag.container import Services
from rag.core.settings import Settings

pytestmark = pytest.mark.slow

MAX_BODY = 64 * 1024
TITLE = "<script>alert('title')</script> Zebra Crossing Ordinance"
HOSTILE_DOC = (
    f"# {TITLE}\n\n"
    "## Section 1 <img src=x onerror=\"alert('heading')\">\n\n"
    "Every zebra crossing shall be painted with luminous stripes <script>alert('body')</script> so that "
    "pedestrians can be seen at night. <img src=x onerror=\"alert('text')\"> The municipal road office "
    "inspects the luminous stripes every spring.\n"
).encode()
QUESTION = "How often does the municipal road office inspect the luminous stripes of zebra crossings?"
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def live(settings: Settings, services: Services) -> Iterator[str]:
    import uvicorn

    from ui.app import create_app

    app = create_app(settings.model_copy(update={"max_body_bytes": MAX_BODY}), services)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-live", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 60, 0.05, "uvicorn to start")
        assert app.state.policyqa.wait_ready(120)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


# -- body limits on the wire -------------------------------------------------------------------------------


def read_response(sock: socket.socket, timeout_s: float = 15.0) -> bytes:
    """One whole HTTP response: headers, then Content-Length bytes of body (or until the server closes)."""
    sock.settimeout(timeout_s)
    data = b""
    while True:
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                None,
            )
            if length is not None and len(body) >= length:
                return data
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            return data
        if not chunk:
            return data
        data += chunk


def test_huge_declared_body_is_refused_before_it_is_sent(live: str) -> None:
    port = int(live.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000000000\r\n\r\n{"question": '
        )
        reply = read_response(s).decode(errors="replace")  # answered without waiting for the gigabyte
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    assert "request body too large" in reply


def test_chunked_body_is_cut_off_at_the_limit(live: str) -> None:
    """A body with no Content-Length, sent 1 KB at a time: the 413 arrives soon after the limit."""
    port = int(live.rsplit(":", 1)[1])
    piece = b'{"role": "user", "content": "' + b"z" * 1000 + b'"},'
    sent_kb, reply = 0, b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        first = b'{"question": "q?", "history": ['
        s.sendall(b"%x\r\n%s\r\n" % (len(first), first))
        for _ in range(4096):  # 4 MB if the server kept reading
            try:
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            except OSError:  # the server answered and closed: stop sending
                break
            sent_kb += 1
            if select.select([s], [], [], 0.005)[0]:
                break
        reply = read_response(s)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"too large" in reply
    assert sent_kb < 4 * MAX_BODY // 1024, f"refused only after {sent_kb} KB"
    assert httpx.get(f"{live}/healthz").status_code == 200


# -- XSS in a real browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator:  # type: ignore[type-arg]
    executable = chromium_executable()  # missing Chromium fails the test: it is never skipped
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture()
def hostile_doc(live: str, auth: dict[str, str]) -> Iterator[str]:
    r = httpx.post(
        f"{live}/api/documents?replace=true",
        files={"file": ("zebra-crossing-ordinance.md", HOSTILE_DOC, "text/markdown")},
        headers=auth,
        timeout=120,
    )
    assert r.status_code == 201, r.text
    doc_id = r.json()["doc_id"]
    try:
        assert httpx.get(f"{live}/api/documents/{doc_id}").json()["title"].startswith("<script>")
        yield doc_id
    finally:
        httpx.delete(f"{live}/api/documents/{doc_id}", headers=auth, timeout=60)


@pytest.mark.browser
def test_script_in_a_document_title_is_shown_as_text(browser, live: str, hostile_doc: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []
    context.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = context.new_page()
    try:
        page.goto(f"{live}/", wait_until="domcontentloaded")
        box = page.locator("#pq-question textarea")
        box.wait_for(timeout=60_000)
        box.fill(QUESTION)
        box.press("Enter")
        card = page.locator(".pq-card", has_text="Zebra Crossing Ordinance").first
        card.wait_for(timeout=ANSWER_TIMEOUT_MS)

        # Source card: the markup is visible text, and none of it became an element.
        assert card.locator(".pq-title").inner_text() == TITLE
        transcript = page.locator("#pq-transcript")
        assert transcript.locator("script").count() == 0
        assert transcript.locator("img").count() == 0
        assert "alert('body')" in card.inner_text() or "alert('text')" in card.inner_text()

        # Document view, opened from the card's link.
        href = card.locator("a.pq-open").get_attribute("href")
        assert href and href.startswith(f"/documents/{hostile_doc}")
        view = context.new_page()
        view.goto(f"{live}{href}")
        assert view.locator("h1").inner_text() == TITLE
        assert view.title().startswith("<script>alert('title')</script>")
        assert view.locator("script").count() == 0 and view.locator("img").count() == 0
        assert "<script>alert('body')</script>" in view.locator("main").inner_text()
        view.close()
        page.wait_for_timeout(300)  # a late onerror would fire about now
        assert dialogs == []
    finally:
        context.close()
