"""A generative backend that is slow, trickles, or answers garbage: every request still gets a cited
extractive answer with a warning, within a bounded time, and the server stays healthy.

The backend is a real HTTP server on loopback (reliability_helpers.FakeLLM) reached through the real
OpenAI answerer (langchain-openai over httpx), in `openai` mode.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from reliability_helpers import BEHAVIOURS, FakeLLM, fake_llm, parse_sse, services_with, wait_until

pytestmark = pytest.mark.slow

QUESTION = "When was Japan's AI Safety Institute set up?"
TIMEOUT_S = 2.0
# The backend's timeout, plus retrieval, verification and the extractive answer on a busy 2-core box.
BOUND_S = TIMEOUT_S + 8.0


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeLLM]:
    with fake_llm() as server:
        yield server


@pytest.fixture(scope="module")
def openai_client(app_client, services, llm: FakeLLM) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    svc = services_with(services, openai_base_url=llm.base_url, openai_model="fake", llm_timeout_s=TIMEOUT_S)
    with app_client(svc=svc) as c:
        yield c


def assert_extractive_fallback(answer: dict, behaviour: str) -> None:
    assert answer["mode"] == "openai"
    assert answer["citations"] and "[1]" in answer["answer"], answer
    assert "2024" in answer["answer"]  # the extractive date answer
    assert "PWNED" not in answer["answer"] and "Bananas" not in answer["answer"]
    assert any("extractive" in w for w in answer["warnings"]), (behaviour, answer["warnings"])


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_bad_backend_falls_back_in_bounded_time(
    openai_client: TestClient, llm: FakeLLM, behaviour: str
) -> None:
    llm.behaviour = behaviour
    seen = llm.requests
    t0 = time.monotonic()
    r = openai_client.post("/api/ask", json={"question": QUESTION, "mode": "openai"})
    elapsed = time.monotonic() - t0
    assert r.status_code == 200, r.text
    assert llm.requests > seen  # the backend really was asked
    assert elapsed < BOUND_S, f"{behaviour}: {elapsed:.1f}s"
    assert_extractive_fallback(r.json(), behaviour)


@pytest.mark.parametrize("behaviour", ["slow", "trickle", "junk_sse"])
def test_bad_backend_on_the_streaming_routes(openai_client: TestClient, llm: FakeLLM, behaviour: str) -> None:
    llm.behaviour = behaviour
    t0 = time.monotonic()
    r = openai_client.post("/api/ask/stream", json={"question": QUESTION, "mode": "openai"})
    assert r.status_code == 200
    events = parse_sse(r.text)
    assert [e for e, _ in events][-2:] == ["result", "done"], events[-3:]
    assert_extractive_fallback(json.loads(events[-2][1]), behaviour)

    body = {"model": "policyqa-openai", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    r = openai_client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200
    chunks = [json.loads(d) for _, d in parse_sse(r.text) if d != "[DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    # Only the verified answer reaches OpenAI clients: never the backend's ticks or junk.
    assert "2024" in text and "tick" not in text
    assert chunks[-1]["warnings"] and chunks[-1]["citations"]
    assert time.monotonic() - t0 < 2 * BOUND_S


def test_process_stays_healthy_after_the_faults(openai_client: TestClient) -> None:
    state = openai_client.app.state.policyqa  # type: ignore[attr-defined]
    wait_until(lambda: state.slots.in_use == 0, 30, 0.1, "generation slots to be released")
    assert openai_client.get("/healthz").status_code == 200
    assert openai_client.get("/readyz").json()["ready"] is True
    r = openai_client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200 and not r.json()["warnings"] and r.json()["citations"]


def test_concurrent_generation_cap_is_503_with_retry_after(app_client, services, llm: FakeLLM) -> None:  # type: ignore[no-untyped-def]
    """One slow generation fills the only slot; every other LLM question is turned away at once, then served.
    Extractive questions do not wait on the LLM cap at all."""
    llm.behaviour = "slow"
    svc = services_with(services, openai_base_url=llm.base_url, openai_model="fake", llm_timeout_s=4.0)
    with app_client(svc=svc, max_concurrent_generations=1) as c:
        state = c.app.state.policyqa  # type: ignore[attr-defined]
        first: dict = {}
        worker = threading.Thread(
            target=lambda: first.setdefault(
                "r", c.post("/api/ask", json={"question": QUESTION, "mode": "openai"})
            )
        )
        worker.start()
        try:
            wait_until(lambda: state.slots.in_use == 1, 10, 0.02, "the slow generation to start")
            for path, body in (
                ("/api/ask", {"question": QUESTION, "mode": "openai"}),
                ("/api/ask/stream", {"question": QUESTION, "mode": "openai"}),
                (
                    "/v1/chat/completions",
                    {"model": "policyqa-openai", "messages": [{"role": "user", "content": QUESTION}]},
                ),
            ):
                t0 = time.monotonic()
                r = c.post(path, json=body)
                assert r.status_code == 503, (path, r.text)
                assert int(r.headers["retry-after"]) >= 1 and "busy" in r.json()["detail"]
                assert time.monotonic() - t0 < 2  # refused at once, not queued behind the slow one
            assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200  # extractive goes ahead
        finally:
            worker.join(30)
        assert first["r"].status_code == 200
        assert state.slots.in_use == 0
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200
