"""The scale-out path for real: a `chroma run` server, llama-cpp-python's OpenAI-compatible server and
`policyqa serve --workers 2` sharing them, all as separate processes on loopback."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import support

from ingest.pipeline import ingest
from rag.core.settings import Settings
from rag.store.index import Index

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
DOCS = ["diplomat-japans-ai-diplomacy-2024.md", "g7-hiroshima-guiding-principles-2023.md"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, services) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("scale")
    with contextlib.ExitStack() as stack:
        chroma_port = stack.enter_context(support.chroma_server(tmp / "chroma"))
        llm_url = stack.enter_context(support.llama_server())
        api_port = support.free_port()

        corpus = tmp / "corpus"
        corpus.mkdir()
        for name in DOCS:
            shutil.copy(ROOT / "corpus" / name, corpus / name)
        settings = Settings(
            data_dir=tmp / "data",
            corpus_dir=ROOT / "corpus",
            chroma_host="127.0.0.1",
            chroma_port=chroma_port,
            _env_file=None,
        )
        report = ingest([str(corpus)], settings, Index(settings, services.embedder))
        assert not report.failed

        env = {
            "POLICYQA_DATA_DIR": str(tmp / "data"),
            "POLICYQA_CHROMA_HOST": "127.0.0.1",
            "POLICYQA_CHROMA_PORT": str(chroma_port),
            "POLICYQA_OPENAI_BASE_URL": llm_url,
            "POLICYQA_OPENAI_MODEL": "smollm2",
            "POLICYQA_LLM_MAX_TOKENS": "48",
            "POLICYQA_RATE_LIMIT_PER_MINUTE": "100000",
        }
        api = support.start(
            [
                sys.executable,
                "-m",
                "cli.main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
                "--workers",
                "2",
            ],
            env,
        )
        stack.callback(support.stop, api)
        support.wait_http(f"http://127.0.0.1:{api_port}/readyz", 300, api)
        yield {"api": f"http://127.0.0.1:{api_port}", "data": str(tmp / "data")}


def _honouring_retry_after(method: str, url: str, **kw: Any) -> httpx.Response:
    """/readyz answered from one worker; another may still be loading and say 503 + Retry-After, which a
    well-behaved client honours (the kernel hands each new connection to either worker)."""
    for _ in range(120):
        r = httpx.request(method, url, **kw)
        if r.status_code != 503:
            return r
        time.sleep(float(r.headers.get("retry-after", 1)))
    return r


def test_workers_share_the_chroma_server(stack):
    def ask(i: int) -> dict:
        r = _honouring_retry_after(
            "POST",
            f"{stack['api']}/api/ask",
            json={"question": "When was Japan's AI Safety Institute set up?"},
            timeout=120,
        )
        assert r.status_code == 200, r.text
        return r.json()

    with cf.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(ask, range(8)))
    for a in answers:
        assert not a["abstained"] and "2024" in a["answer"]
        assert {s["doc_id"] for s in a["sources"]} <= {
            Path(d).stem for d in DOCS
        }  # only what the server holds
    assert not (Path(stack["data"]) / "chroma").exists()  # nothing went to an embedded store
    docs = _honouring_retry_after("GET", f"{stack['api']}/api/documents", timeout=30).json()
    assert len(docs) == 2


def test_openai_mode_through_the_llm_server(stack):
    r = _honouring_retry_after(
        "POST",
        f"{stack['api']}/api/ask",
        json={"question": "What is the Hiroshima AI Process?", "mode": "openai", "top_k": 2},
        timeout=300,
    )
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["mode"] == "openai" and a["answer"].strip()
    assert not any("backend failed" in w for w in a["warnings"]), a["warnings"]
