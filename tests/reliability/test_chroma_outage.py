"""A real `chroma run` server that is down at start-up, then stopped and restarted under a running app.

Through the whole app (TestClient, POLICYQA_CHROMA_HOST/PORT settings): /readyz says what is wrong,
questions get a 503 with a clear message (never a 500, on the streaming routes too), and when the
same server (same --path, same port) comes back the app recovers by itself, with no restart.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reliability_helpers import CORPUS, ChromaServer, free_port, parse_sse, wait_until

from ingest.pipeline import ingest
from rag.container import Services, open_index
from rag.core.settings import Settings

pytestmark = pytest.mark.slow

DOCS = ["diplomat-japans-ai-diplomacy-2024.md", "g7-leaders-statement-hiroshima-ai-process-2023-10-30.md"]
QUESTION = "When was Japan's AI Safety Institute set up?"
ASKS = [
    ("/api/ask", {"question": QUESTION}),
    ("/api/ask/stream", {"question": QUESTION}),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
    ("/v1/chat/completions", {"stream": True, "messages": [{"role": "user", "content": QUESTION}]}),
]
# STORE_RETRY_S (5 s) between start-up attempts, plus loading on a busy machine.
RECOVERY_S = 60


def assert_store_down(c: TestClient, port: int) -> None:
    r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["ready"] is False
    assert "unreachable" in r.json()["detail"] and str(port) in r.json()["detail"], r.json()
    assert c.get("/healthz").status_code == 200  # the process itself is fine
    for path, body in ASKS:
        t0 = time.monotonic()
        r = c.post(path, json=body)
        assert r.status_code == 503, (path, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/json")
        assert "unreachable" in r.json()["detail"] and str(port) in r.json()["detail"]
        assert int(r.headers["retry-after"]) >= 1
        assert time.monotonic() - t0 < 5, path
    r = c.get("/api/documents")
    assert r.status_code == 503 and "unreachable" in r.json()["detail"]


def assert_serving(c: TestClient) -> None:
    ready = c.get("/readyz").json()
    assert ready["ready"] and ready["documents"] == len(DOCS), ready
    for path, body in ASKS:
        r = c.post(path, json=body)
        assert r.status_code == 200, (path, r.text[:300])
        assert "2024" in r.text and "error" not in r.text.split("event: result")[0]


@pytest.fixture()
def chroma(tmp_path: Path, services: Services) -> ChromaServer:  # type: ignore[misc]
    """A Chroma server holding two corpus documents, ingested through the real pipeline."""
    server = ChromaServer(tmp_path / "chroma", free_port(), tmp_path / "chroma.log").start()
    try:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        for name in DOCS:
            shutil.copy(CORPUS / name, corpus / name)
        settings = chroma_settings(services.settings, tmp_path, server.port)
        report = ingest([str(corpus)], settings, open_index(settings, embedder=services.embedder))
        assert not report.failed and report.chunks
        yield server
    finally:
        server.stop()


def chroma_settings(base: Settings, tmp_path: Path, port: int) -> Settings:
    return base.model_copy(
        update={"data_dir": tmp_path / "data", "chroma_host": "127.0.0.1", "chroma_port": port}
    )


def test_chroma_down_at_start_then_mid_life_and_back(
    chroma: ChromaServer, services: Services, tmp_path: Path
) -> None:
    from ui.app import create_app

    settings = chroma_settings(services.settings, tmp_path, chroma.port)
    svc = Services(settings)
    svc.__dict__["embedder"] = services.embedder  # only the store is under test

    chroma.stop()  # 1. down before the app starts
    app = create_app(settings, svc)
    state = app.state.policyqa
    with TestClient(app) as c:
        wait_until(lambda: state.load_error is not None, 30, 0.1, "the first connection attempt")
        assert not state.ready.is_set()
        r = c.get("/readyz")
        assert r.status_code == 503 and "unreachable" in r.json()["detail"]
        r = c.post("/api/ask", json={"question": QUESTION})
        assert r.status_code == 503 and "unreachable" in r.json()["detail"] and r.headers["retry-after"]

        chroma.start()  # 2. it comes up: the app loads by itself
        wait_until(lambda: c.get("/readyz").status_code == 200, RECOVERY_S, 0.5, "recovery after start-up")
        assert_serving(c)

        # 3. it goes away under a running app. First mid-request: the pre-flight store check is made to
        # answer "up" (as it would within its one-second cache), so the chain itself hits the dead server.
        chroma.stop()
        state.store.problem = lambda index: None  # type: ignore[method-assign]
        # A small store is searched from memory; the store is read on the searcher's refresh check
        # (every few seconds). Make that check due, so this request is the one that meets the dead server.
        svc.searcher._checked_at = float("-inf")
        r = c.post("/api/ask/stream", json={"question": QUESTION})  # status line already sent: in-band
        assert r.status_code == 200
        events = parse_sse(r.text)
        assert [e for e, _ in events][-2:] == ["error", "done"], events
        assert "unreachable" in json.loads(events[-2][1])["detail"]
        svc.searcher._checked_at = float("-inf")
        r = c.post("/api/ask", json={"question": QUESTION})  # the error handler turns it into a 503
        assert r.status_code == 503 and "unreachable" in r.json()["detail"], r.text
        del state.store.problem  # the real check again
        assert_store_down(c, chroma.port)

        chroma.start()  # 4. the same server comes back: no restart of the app needed
        recovered = wait_until(lambda: c.get("/readyz").status_code == 200, RECOVERY_S, 0.2, "recovery")
        assert recovered < 10  # the store probe caches for about a second, nothing longer
        assert_serving(c)
