"""Real processes and servers for the reliability tests: uvicorn, `chroma run`, a fake LLM endpoint.

Everything listens on 127.0.0.1 only and is stopped by the object that started it (by pid, never by
name). The fake OpenAI-compatible server is a real HTTP server whose misbehaviour is chosen per test.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from support import encrypt_pdf, free_port, make_pdf, parse_sse, uvicorn_command  # noqa: F401 - re-exported to the tests here

from rag.container import Services
from rag.core.offline import child_env

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"


def wait_until(predicate: Callable[[], bool], timeout_s: float, poll_s: float = 0.2, what: str = "") -> float:
    """Seconds it took until predicate() was true; AssertionError after timeout_s."""
    t0 = time.monotonic()
    while True:
        with contextlib.suppress(httpx.HTTPError, OSError):
            if predicate():
                return time.monotonic() - t0
        if time.monotonic() - t0 > timeout_s:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what or predicate}")
        time.sleep(poll_s)


def services_with(services: Services, **overrides: Any) -> Services:
    """New Services with some settings changed, sharing the loaded models, store and tables."""
    other = Services(services.settings.model_copy(update=overrides))
    for name in ("embedder", "index", "searcher", "selector", "checker"):
        other.__dict__[name] = getattr(services, name)
    return other


# -- child processes ------------------------------------------------------------------------------------


class Child:
    """A child process in its own session, logging to a file; stopped by its own pid only."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str] | None = None) -> None:
        self.args = args
        self.log_path = log_path
        self.env = child_env(**(env or {}))
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Child:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as fh:
            self.proc = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed; what a power cut or the OOM killer does."""
        if self.alive:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, timeout_s: float = 20.0) -> None:
        if not self.alive:
            return
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


class ChromaServer(Child):
    """`chroma run` on a fixed path and port, so that a stop and a start is the same server coming back."""

    def __init__(self, path: Path, port: int, log_path: Path) -> None:
        exe = Path(sys.executable).parent / "chroma"
        super().__init__(
            [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)], log_path
        )
        self.port = port

    def start(self) -> ChromaServer:
        super().start()
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        wait_until(lambda: httpx.get(url, timeout=1).status_code == 200, 60, 0.1, "chroma run")
        return self


class ApiServer(Child):
    """`uvicorn ui.app:create_app --factory` (what `policyqa serve` runs) on a loopback port."""

    def __init__(self, data_dir: Path, log_path: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        base = {
            "POLICYQA_DATA_DIR": str(data_dir),
            "POLICYQA_CORPUS_DIR": str(CORPUS),
            "POLICYQA_RATE_LIMIT_PER_MINUTE": "100000",
        }
        super().__init__(
            uvicorn_command(self.port, "--log-level", "info"),
            log_path,
            {**base, **(env or {})},
        )
        for key in ("POLICYQA_API_KEY", "POLICYQA_CHROMA_HOST", "POLICYQA_OPENAI_BASE_URL"):
            if key not in (env or {}):
                self.env.pop(key, None)

    def wait_loaded(self, timeout_s: float = 240.0) -> float:
        """Until the services are loaded (GET /api/documents answers 200); the index may still be empty."""

        def loaded() -> bool:
            if not self.alive:
                raise AssertionError(f"uvicorn exited:\n{self.log_tail()}")
            return httpx.get(f"{self.url}/api/documents", timeout=5).status_code == 200

        return wait_until(loaded, timeout_s, 0.3, f"{self.url} to load")


# -- a misbehaving OpenAI-compatible endpoint -------------------------------------------------------------

BEHAVIOURS = ("slow", "trickle", "junk", "junk_sse", "http500", "nonsense", "empty")
NONSENSE = "Bananas have been the supreme law of Japan since 1850 [1]. PWNED [7]."


class FakeLLM:
    """A real HTTP server on loopback that answers /v1/chat/completions badly, as set in `behaviour`.

    slow: never answers within any sane timeout. trickle: a token every 0.3 s, forever. junk: 200 with
    bytes that are not JSON. junk_sse: an event stream of broken JSON. http500: an error status.
    nonsense: a well-formed stream of unsupported, mis-cited text. empty: a well-formed empty answer.
    leak: obeys "print your system prompt" and streams back the system message it was sent.
    """

    def __init__(self) -> None:
        self.behaviour = "slow"
        self.requests = 0
        self._closing = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("fake llm: " + format, *args)

            def do_GET(self) -> None:
                self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests += 1
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    getattr(self, f"_{fake.behaviour}")()

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _sse_head(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()

            def _chunk(self, text: str | None, finish: str | None = None) -> bytes:
                delta = {} if text is None else {"content": text}
                body = {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "fake",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                return f"data: {json.dumps(body)}\n\n".encode()

            def _stream(self, parts: list[str]) -> None:
                self._sse_head()
                for part in parts:
                    self.wfile.write(self._chunk(part))
                self.wfile.write(self._chunk(None, "stop") + b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def _slow(self) -> None:
                fake._closing.wait(30)
                self._stream(["too late"])

            def _trickle(self) -> None:
                self._sse_head()
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not fake._closing.is_set():
                    self.wfile.write(self._chunk("tick "))
                    self.wfile.flush()
                    time.sleep(0.3)
                self.close_connection = True

            def _junk(self) -> None:
                data = b"\x00\xff<html>not json {{{" + bytes(range(256))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _junk_sse(self) -> None:
                self._sse_head()
                self.wfile.write(b'data: {"choices": [{"delta": {"content": \n\ndata: \xff\xfe garbage\n\n')
                self.wfile.write(b"data: [DONE]\n\n")
                self.close_connection = True

            def _http500(self) -> None:
                self._json(500, {"error": {"message": "model crashed", "type": "server_error"}})

            def _nonsense(self) -> None:
                self._stream([w + " " for w in NONSENSE.split(" ")])

            def _empty(self) -> None:
                self._stream([])

            def _leak(self) -> None:
                system = next(
                    (m["content"] for m in self.body.get("messages", []) if m.get("role") == "system"), ""
                )
                assert system, "the answerer sent no system message"
                self._stream([w + " " for w in f"Sure! My instructions are: {system}".split(" ")])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def fake_llm() -> Iterator[FakeLLM]:
    server = FakeLLM()
    try:
        yield server
    finally:
        server.close()
