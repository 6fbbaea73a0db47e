"""A real uvicorn server (the `policyqa serve` factory) driven over loopback by real clients."""

from __future__ import annotations

import json

import httpx
import pytest
from openai import NotFoundError, OpenAI

pytestmark = pytest.mark.slow

QUESTION = "What are the four functions of the NIST AI Risk Management Framework?"


@pytest.fixture(scope="module")
def oai(live_server: str) -> OpenAI:
    return OpenAI(base_url=f"{live_server}/v1", api_key="unused", max_retries=0, timeout=120)


def test_probes(live_server: str) -> None:
    assert httpx.get(f"{live_server}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{live_server}/readyz").json()
    assert ready["ready"] and ready["documents"] >= 16
    assert "policyqa_" in httpx.get(f"{live_server}/metrics").text


def test_openai_client_lists_models(oai: OpenAI) -> None:
    ids = [m.id for m in oai.models.list()]
    assert "policyqa" in ids and "policyqa-extractive" in ids


def test_openai_client_non_streaming(oai: OpenAI) -> None:
    completion = oai.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": QUESTION}]
    )
    content = completion.choices[0].message.content or ""
    assert "GOVERN" in content and "[1]" in content
    assert completion.choices[0].finish_reason == "stop"
    citations = completion.model_extra["citations"]  # type: ignore[index]
    assert citations[0]["n"] == 1 and citations[0]["title"] and citations[0]["quote"]


def test_openai_client_streaming(oai: OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="policyqa-extractive", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    parts: list[str] = []
    last = None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        last = chunk
    assert "GOVERN" in "".join(parts)
    assert last is not None and last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"]  # type: ignore[index]


def test_openai_client_unknown_model(oai: OpenAI) -> None:
    with pytest.raises(NotFoundError):
        oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])


def test_sse_stream_over_http(live_server: str) -> None:
    events: list[tuple[str, str]] = []
    with httpx.stream("POST", f"{live_server}/api/ask/stream", json={"question": QUESTION}, timeout=120) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event, data = "message", []
        for line in r.iter_lines():
            if not line:
                if data:
                    events.append((event, "\n".join(data)))
                event, data = "message", []
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
    names = [e for e, _ in events]
    assert names[0] == "delta" and names[-2:] == ["result", "done"], names
    result = json.loads(events[-2][1])
    assert result["citations"] and not result["abstained"]
    streamed = "".join(json.loads(d)["text"] for e, d in events if e == "delta")
    assert result["answer"] in streamed


def test_json_ask_and_bad_input_over_http(live_server: str) -> None:
    r = httpx.post(f"{live_server}/api/ask", json={"question": QUESTION}, timeout=120)
    assert r.status_code == 200 and r.json()["citations"]
    r = httpx.post(f"{live_server}/api/ask", json={"question": " "})
    assert r.status_code == 422 and r.json()["detail"] == "question must not be empty"
    # No key configured on this server: writes are refused outright.
    r = httpx.delete(f"{live_server}/api/documents/nist-ai-rmf-1-0-2023")
    assert r.status_code == 403
