"""Access control and every request limit, each tried against the app with small limits configured.

tests/ui/test_api.py checks the defaults on /api/ask; here each limit is a setting turned down, and
every route that answers questions must enforce it.
"""

from __future__ import annotations

import hmac
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reliability_helpers import CORPUS, wait_until

pytestmark = pytest.mark.slow

QUESTION = "What are the four functions of the NIST AI RMF?"  # under 60 characters
OFF_TOPIC = "What is the boiling point of tungsten?"
ASK_ROUTES = ["/api/ask", "/api/ask/stream", "/v1/chat/completions"]
LIMITS = {
    "max_question_chars": 60,
    "max_history_turns": 2,
    "max_top_k": 3,
    "max_body_bytes": 4096,
}


def body_for(
    path: str, question: str, history: list[dict[str, str]] | None = None, top_k: int | None = None
) -> dict:
    history = history or []
    if path.startswith("/v1/"):
        return {"messages": [*history, {"role": "user", "content": question}], "top_k": top_k}
    return {"question": question, "history": history, "top_k": top_k}


def turns(n: int, content: str = "What does the NIST AI RMF cover?") -> list[dict[str, str]]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": content} for i in range(n)]


@pytest.fixture(scope="module")
def limited(app_client) -> TestClient:  # type: ignore[no-untyped-def]
    with app_client(**LIMITS) as c:
        yield c


# -- limits ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ASK_ROUTES)
def test_question_history_and_top_k_limits_follow_the_settings(limited: TestClient, path: str) -> None:
    at_limit = body_for(path, QUESTION.ljust(60, "?"), turns(2), top_k=3)
    assert limited.post(path, json=at_limit).status_code == 200

    r = limited.post(path, json=body_for(path, QUESTION.ljust(61, "?")))
    assert r.status_code == 422 and "too long" in r.json()["detail"] and "60" in r.json()["detail"]
    r = limited.post(path, json=body_for(path, QUESTION, turns(3)))
    assert r.status_code == 422 and "history" in r.json()["detail"]
    r = limited.post(path, json=body_for(path, QUESTION, top_k=4))
    assert r.status_code == 422 and "top_k" in r.json()["detail"]


@pytest.mark.parametrize("path", [*ASK_ROUTES, "/api/documents"])
def test_body_over_max_body_bytes_is_413(limited: TestClient, path: str, auth: dict[str, str]) -> None:
    # Valid by the schema (each turn is far under its own cap); only the total is too big.
    big = body_for(path, QUESTION, turns(2, "x" * 3000))
    r = limited.post(path, json=big, headers=auth)
    if path == "/api/documents":
        # Uploads have their own, larger cap (max_upload_bytes): this JSON is refused as a bad body instead.
        assert r.status_code == 422
        return
    assert r.status_code == 413, r.text
    assert r.json()["detail"] == "request body too large (limit 4096 bytes)"


def test_chunked_body_without_length_is_cut_off(limited: TestClient) -> None:
    sent: list[int] = []

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"question": "' + QUESTION.encode() + b'", "history": ['
        for _ in range(1000):  # 1000 × 1 KB: would be 1 MB if read to the end
            sent.append(1)
            yield b'{"role": "user", "content": "' + b"y" * 1000 + b'"},'
        yield b"]}"

    r = limited.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert "too large" in r.json()["detail"]


def test_rate_limit_is_per_client_on_ask_and_chat(app_client) -> None:  # type: ignore[no-untyped-def]
    with app_client(rate_limit_per_minute=2) as owner:
        app = owner.app
        a = TestClient(app, client=("10.0.0.1", 40000))
        b = TestClient(app, client=("10.0.0.2", 40000))
        chat = {"messages": [{"role": "user", "content": OFF_TOPIC}]}
        assert a.post("/api/ask", json={"question": OFF_TOPIC}).status_code == 200
        assert a.post("/v1/chat/completions", json=chat).status_code == 200
        for path, body in (("/api/ask", {"question": OFF_TOPIC}), ("/v1/chat/completions", chat)):
            r = a.post(path, json=body)
            assert r.status_code == 429, path
            assert 1 <= int(r.headers["retry-after"]) <= 60
        # Another client has its own budget.
        assert b.post("/v1/chat/completions", json=chat).status_code == 200


# -- access ---------------------------------------------------------------------------------------------


def test_cors_is_off_by_default_and_strict_when_on(client: TestClient, app_client) -> None:  # type: ignore[no-untyped-def]
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    # Every part of the app, the mounted Gradio UI included (it has a CORS layer of its own).
    for path in ("/api/ask", "/v1/chat/completions", "/gradio_api/info", "/"):
        r = client.options(path, headers=preflight)
        assert "access-control-allow-origin" not in r.headers, path
    for path in ("/api/documents", "/gradio_api/info", "/config"):
        r = client.get(path, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers, path
    with app_client(cors_origins=["https://policy.example"]) as c:
        r = c.options("/api/ask", headers=preflight)
        assert r.headers.get("access-control-allow-origin") != "https://evil.example"
        r = c.get("/api/documents", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_key_is_compared_in_constant_time(client: TestClient, auth: dict[str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    key = auth["Authorization"].removeprefix("Bearer ")
    for wrong in ("x", key[:-1] + "X", key + "-longer"):
        r = client.delete("/api/documents/no-such-doc", headers={"Authorization": f"Bearer {wrong}"})
        assert r.status_code == 401
    assert [a for a, _ in compared] == [b"x", (key[:-1] + "X").encode(), (key + "-longer").encode()]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dXNlcjpwYXNz"}]
)
def test_ingest_endpoint_needs_the_key(client: TestClient, app_client, headers: dict) -> None:  # type: ignore[no-untyped-def]
    for method in ("POST", "GET"):
        r = client.request(method, "/api/ingest", headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    if not headers:
        with app_client(api_key=None) as c:
            r = c.post("/api/ingest", headers={"Authorization": "Bearer anything"})
            assert r.status_code == 403 and "disabled" in r.json()["detail"]


def test_reingest_runs_in_the_background_one_at_a_time(
    app_client, auth: dict[str, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # One corpus document with its manifest: indexed already, so the run is quick and changes nothing.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = "diplomat-japans-ai-diplomacy-2024"
    shutil.copy(CORPUS / f"{doc}.md", corpus)
    shutil.copy(CORPUS / "manifest.json", corpus)
    with app_client(corpus_dir=corpus, data_dir=tmp_path / "data") as c:
        state = c.app.state.policyqa
        assert c.get("/api/ingest", headers=auth).status_code == 404
        with state.writes.writing("the test holds the index", timeout=5):  # the run waits behind this
            r = c.post("/api/ingest", headers=auth)
            assert r.status_code == 202, r.text
            assert r.headers["location"] == "/api/ingest" and r.json()["state"] == "running"
            again = c.post("/api/ingest", headers=auth)
            assert again.status_code == 409 and again.headers["retry-after"]
            upload = c.post(
                "/api/documents",
                files={"file": ("x.md", b"# X\n\nSome text.", "text/markdown")},
                headers=auth,
            )
            assert upload.status_code == 409 and "re-ingest" in upload.json()["detail"]
            assert c.get("/api/ingest", headers=auth).json()["state"] == "running"

        def finished() -> bool:
            return c.get("/api/ingest", headers=auth).json()["state"] != "running"

        wait_until(finished, 120, 0.5, "the re-ingest to finish")
        run = c.get("/api/ingest", headers=auth).json()
        assert run["state"] == "succeeded", run
        assert [(f["doc_id"], f["status"], f["embedded"]) for f in run["files"]] == [(doc, "unchanged", 0)]
        assert run["finished_at"] and "1 file(s)" in run["detail"]
        assert not list((tmp_path / "data" / "writes-in-progress").glob("*.json"))
