"""The scale-out path for real: a `chroma run` server, llama-cpp-python's OpenAI-compatible server and
`policyqa serve --workers 2` sharing them, all as separate processes on loopback."""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ingest.indexer import Index
from ingest.pipeline import ingest
from rag.settings import Settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
DOCS = ["diplomat-japans-ai-diplomacy-2024.md", "g7-hiroshima-guiding-principles-2023.md"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} never answered 200")


def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "ANONYMIZED_TELEMETRY": "False", **(env or {})},
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory, services) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    from rag.answerers.local import default_model_path

    tmp = tmp_path_factory.mktemp("scale")
    procs: list[subprocess.Popen] = []
    try:
        chroma_port, llm_port, api_port = _free_port(), _free_port(), _free_port()
        procs.append(_start([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(tmp / "chroma"),
                             "--host", "127.0.0.1", "--port", str(chroma_port)]))
        procs.append(_start([sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_path()),
                             "--host", "127.0.0.1", "--port", str(llm_port), "--n_threads", "1", "--n_ctx", "2048",
                             "--model_alias", "smollm2"]))
        _wait(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat")

        corpus = tmp / "corpus"
        corpus.mkdir()
        for name in DOCS:
            shutil.copy(ROOT / "corpus" / name, corpus / name)
        settings = Settings(data_dir=tmp / "data", corpus_dir=ROOT / "corpus", chroma_host="127.0.0.1",
                            chroma_port=chroma_port, _env_file=None)
        report = ingest([str(corpus)], settings, Index(settings, services.embedder))
        assert not report.failed

        env = {
            "POLICYQA_DATA_DIR": str(tmp / "data"),
            "POLICYQA_CHROMA_HOST": "127.0.0.1",
            "POLICYQA_CHROMA_PORT": str(chroma_port),
            "POLICYQA_OPENAI_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
            "POLICYQA_OPENAI_MODEL": "smollm2",
            "POLICYQA_LLM_MAX_TOKENS": "48",
            "POLICYQA_RATE_LIMIT_PER_MINUTE": "100000",
        }
        procs.append(_start([sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port",
                             str(api_port), "--workers", "2"], env))
        _wait(f"http://127.0.0.1:{llm_port}/v1/models")
        _wait(f"http://127.0.0.1:{api_port}/readyz", timeout=300)
        yield {"api": f"http://127.0.0.1:{api_port}", "data": str(tmp / "data")}
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_workers_share_the_chroma_server(stack):
    def ask(i: int) -> dict:
        r = httpx.post(f"{stack['api']}/api/ask", json={"question": "When was Japan's AI Safety Institute set up?"},
                       timeout=120)
        assert r.status_code == 200, r.text
        return r.json()

    with cf.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(ask, range(8)))
    for a in answers:
        assert not a["abstained"] and "2024" in a["answer"]
        assert {s["doc_id"] for s in a["sources"]} <= {Path(d).stem for d in DOCS}  # only what the server holds
    assert not (Path(stack["data"]) / "chroma").exists()  # nothing went to an embedded store
    docs = httpx.get(f"{stack['api']}/api/documents", timeout=30).json()
    assert len(docs) == 2


def test_openai_mode_through_the_llm_server(stack):
    r = httpx.post(f"{stack['api']}/api/ask", json={"question": "What is the Hiroshima AI Process?", "mode": "openai",
                                                     "top_k": 2}, timeout=300)
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["mode"] == "openai" and a["answer"].strip()
    assert not any("backend failed" in w for w in a["warnings"]), a["warnings"]
