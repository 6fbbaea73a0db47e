"""Every route through the in-process app (TestClient), over the real index and chain."""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support import parse_sse

from rag.core.models import Answer

pytestmark = pytest.mark.slow

QUESTION = "What are the four functions of the NIST AI Risk Management Framework?"
OFF_TOPIC = "What is the boiling point of tungsten in degrees Kelvin?"
NIST = "nist-ai-rmf-1-0-2023"


@pytest.fixture(scope="module")
def auth(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {settings.api_key.get_secret_value()}"}


class ChainWrapper:
    """Stands in for the chain (a pydantic model, so its methods cannot be patched one by one)."""

    def __init__(self, real, invoke) -> None:  # type: ignore[no-untyped-def]
        self._real = real
        self.invoke = invoke

    def stream(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return self._real.stream(*args, **kwargs)


# -- probes, docs, metrics -------------------------------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_readyz_when_loaded(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] is True
    assert body["documents"] >= 16 and body["chunks"] > 100
    assert "extractive" in body["modes"]


def test_not_ready_before_loading(app, settings, services) -> None:  # type: ignore[no-untyped-def]
    from ui.app import create_app

    # No `with`: the lifespan never runs, so nothing is loaded and the probes must say so.
    cold = TestClient(create_app(settings, services))
    r = cold.get("/readyz")
    assert r.status_code == 503
    assert r.json()["ready"] is False and "loading" in r.json()["detail"]
    assert cold.get("/healthz").status_code == 200
    r = cold.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 503 and r.headers["retry-after"]
    assert "loading" in r.json()["detail"]


def test_readyz_chroma_server_unreachable(settings, services, free_port) -> None:  # type: ignore[no-untyped-def]
    from rag.container import Services
    from ui.app import create_app

    bad = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": free_port()})
    svc = Services(bad)
    svc.__dict__["embedder"] = services.embedder  # share the loaded model: only the store is under test
    app = create_app(bad, svc)
    with TestClient(app) as c:
        deadline = time.monotonic() + 60
        while app.state.policyqa.load_error is None and time.monotonic() < deadline:
            time.sleep(0.2)
        r = c.get("/readyz")
        assert r.status_code == 503
        assert "unreachable" in r.json()["detail"]
        assert str(bad.chroma_port) in r.json()["detail"]
        r = c.get("/api/documents")
        assert r.status_code == 503 and "unreachable" in r.json()["detail"]


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/ask",
        "/api/ask/stream",
        "/v1/chat/completions",
        "/v1/models",
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/chunks/{chunk_id}",
        "/healthz",
        "/readyz",
    ):
        assert path in paths, path
    ask_body = schema["components"]["schemas"]["AskBody"]
    assert ask_body["examples"][0]["question"]
    assert paths["/api/ask"]["post"]["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"
    ].endswith("/Answer")
    assert "text/event-stream" in paths["/api/ask/stream"]["post"]["responses"]["200"]["content"]
    assert set(paths["/api/documents"]["post"]["requestBody"]["content"]) == {
        "multipart/form-data",
        "application/json",
    }
    r = client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


def test_metrics_has_http_and_custom_series(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
    assert client.post("/api/ask", json={"question": OFF_TOPIC}).status_code == 200
    text = client.get("/metrics").text
    assert "http_requests_total" in text
    assert 'policyqa_stage_seconds_count{stage="retrieve"}' in text
    assert 'policyqa_answers_total{channel="api",mode="extractive"}' in text
    assert 'policyqa_abstentions_total{mode="extractive"}' in text


def test_chat_ui_is_mounted_at_root(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "text/html" in r.headers["content-type"]
    assert "PolicyQA" in r.text


# -- asking -----------------------------------------------------------------------------------------------


def test_ask_answers_with_citations(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    answer = Answer.model_validate(r.json())
    assert not answer.abstained
    assert answer.mode == "extractive"
    assert answer.citations and answer.sources
    assert "[1]" in answer.answer
    assert "GOVERN" in answer.answer
    assert answer.citations[0].doc_id == NIST
    assert {"retrieve", "total"} <= set(answer.timings_ms)


def test_ask_abstains_off_topic(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": OFF_TOPIC})
    assert r.status_code == 200
    answer = Answer.model_validate(r.json())
    assert answer.abstained
    assert not answer.citations


def test_ask_with_all_options(client: TestClient) -> None:
    body = {
        "question": "What does it say about the MAP function?",
        "history": [
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": "GOVERN, MAP, MEASURE, MANAGE [1]"},
        ],
        "top_k": 3,
        "mode": "extractive",
        "filters": {
            "doc_ids": [NIST],
            "publisher": "National Institute",
            "date_from": "2023",
            "date_to": "2023-12-31",
        },
    }
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200, r.text
    answer = Answer.model_validate(r.json())
    assert len(answer.sources) <= 3
    assert all(s.doc_id == NIST for s in answer.sources)


def test_unconfigured_mode_falls_back_with_a_warning(client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    if settings.openai_base_url:
        pytest.skip("openai mode is configured here")
    r = client.post("/api/ask", json={"question": QUESTION, "mode": "openai"})
    assert r.status_code == 200
    answer = Answer.model_validate(r.json())
    assert answer.warnings and "openai" in answer.warnings[0]
    assert answer.citations


BAD_ASKS = [
    pytest.param({"question": ""}, 422, "empty", id="empty"),
    pytest.param({"question": "   \n\t "}, 422, "empty", id="whitespace"),
    pytest.param({"question": "x" * 2001}, 422, "too long", id="too-long"),
    pytest.param({}, 422, "question is required", id="missing"),
    pytest.param({"question": 123}, 422, "question", id="question-not-a-string"),
    pytest.param({"question": ["a"]}, 422, "question", id="question-a-list"),
    pytest.param({"question": QUESTION, "mode": "poetry"}, 422, "mode", id="unknown-mode"),
    pytest.param({"question": QUESTION, "top_k": 0}, 422, "top_k", id="top-k-zero"),
    pytest.param({"question": QUESTION, "top_k": 21}, 422, "top_k", id="top-k-too-big"),
    pytest.param({"question": QUESTION, "top_k": "five"}, 422, "top_k", id="top-k-not-int"),
    pytest.param({"question": QUESTION, "history": "hi"}, 422, "history", id="history-not-a-list"),
    pytest.param(
        {"question": QUESTION, "history": [{"role": "robot", "content": "x"}]}, 422, "role", id="bad-role"
    ),
    pytest.param(
        {"question": QUESTION, "history": [{"role": "user", "content": "q"}] * 21},
        422,
        "history",
        id="too-many-turns",
    ),
    pytest.param(
        {"question": QUESTION, "filters": {"doc_ids": ["no-such-doc"]}}, 404, "no-such-doc", id="unknown-doc"
    ),
    pytest.param(
        {"question": QUESTION, "filters": {"date_from": "last year"}}, 422, "date_from", id="bad-date"
    ),
    pytest.param({"question": QUESTION, "filters": "eu"}, 422, "filters", id="filters-not-an-object"),
]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize(("body", "status", "needle"), BAD_ASKS)
def test_bad_input_is_a_clear_4xx(
    client: TestClient, path: str, body: dict, status: int, needle: str
) -> None:
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, str) and needle in detail


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream", "/v1/chat/completions"])
def test_malformed_json_is_400(client: TestClient, path: str) -> None:
    r = client.post(path, content=b'{"question": "unterminated', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"].startswith("malformed JSON")


def test_ask_stream_events(client: TestClient) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.iter_lines())
    names = [e for e, _ in events]
    assert names[0] == "delta" and names[-2:] == ["result", "done"]
    assert set(names) == {"delta", "result", "done"}
    text = "".join(json.loads(d)["text"] for e, d in events if e == "delta")
    answer = Answer.model_validate_json(events[-2][1])
    assert answer.answer in text and answer.citations


# -- OpenAI-compatible -------------------------------------------------------------------------------------


def test_models(client: TestClient) -> None:
    r = client.get("/v1/models")
    assert r.status_code == 200
    ids = [m["id"] for m in r.json()["data"]]
    assert ids[:2] == ["policyqa", "policyqa-extractive"]


def test_chat_completion(client: TestClient) -> None:
    body = {
        "model": "policyqa-extractive",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": QUESTION}],
    }
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["object"] == "chat.completion"
    assert "[1]" in data["choices"][0]["message"]["content"]
    assert data["citations"][0]["n"] == 1 and data["citations"][0]["doc_id"] == NIST
    assert data["usage"]["total_tokens"] > 0


def test_chat_completion_content_parts_and_history(client: TestClient) -> None:
    body = {
        "messages": [
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": "GOVERN, MAP, MEASURE and MANAGE [1]"},
            {"role": "user", "content": [{"type": "text", "text": "Which one is cross-cutting?"}]},
        ]
    }
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"model": "gpt-4", "messages": [{"role": "user", "content": QUESTION}]}, 404),
        ({"messages": []}, 422),
        ({"messages": [{"role": "assistant", "content": "hello"}]}, 422),
        ({"messages": [{"role": "user", "content": "  "}]}, 422),
        ({"messages": [{"role": "wizard", "content": QUESTION}]}, 422),
        ({"messages": [{"role": "user", "content": QUESTION}], "filters": {"doc_ids": ["nope"]}}, 404),
    ],
)
def test_chat_completion_bad_input(client: TestClient, body: dict, status: int) -> None:
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str)


def test_chat_completion_stream(client: TestClient) -> None:
    body = {"model": "policyqa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200
        events = parse_sse(r.iter_lines())
    assert events[-1][1] == "[DONE]"
    chunks = [json.loads(d) for _, d in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "[1]" in text


# -- documents ---------------------------------------------------------------------------------------------


def test_list_and_get_documents(client: TestClient) -> None:
    r = client.get("/api/documents")
    assert r.status_code == 200
    docs = {d["doc_id"]: d for d in r.json()}
    assert NIST in docs and docs[NIST]["chunks"] > 0 and docs[NIST]["publisher"]
    r = client.get(f"/api/documents/{NIST}")
    assert r.status_code == 200
    doc = r.json()
    assert "GOVERN" in doc["text"] and doc["view_url"] == f"/documents/{NIST}"
    r = client.get("/api/documents/no-such-doc")
    assert r.status_code == 404 and "no-such-doc" in r.json()["detail"]


def test_chunk_has_its_span(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    cit = answer["citations"][0]
    r = client.get(f"/api/chunks/{cit['chunk_id']}")
    assert r.status_code == 200
    chunk = r.json()
    doc_text = client.get(f"/api/documents/{chunk['doc_id']}").json()["text"]
    # The span points into the cleaned document text, and the passage is exactly that span.
    assert doc_text[chunk["start"] : chunk["end"]] == chunk["text"]
    assert chunk["start"] <= cit["quote_start"] < cit["quote_end"] <= chunk["end"]
    assert chunk["view_url"].startswith(f"/documents/{chunk['doc_id']}?start=")
    assert client.get("/api/chunks/nope").status_code == 404


def test_document_view_highlights_the_span(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    cit = answer["citations"][0]
    r = client.get(
        f"/documents/{cit['doc_id']}", params={"start": cit["quote_start"], "end": cit["quote_end"]}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<mark id="cited" tabindex="-1">' in r.text
    marked = r.text.split('<mark id="cited" tabindex="-1">')[1].split("</mark>")[0]
    assert html.unescape(marked) == cit["quote"]  # exactly the cited span, which the answer quotes
    assert "functions" in marked and cit["quote"] in answer["answer"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    # Offsets past the end are clamped, not an error; unknown ids are a 404 page.
    assert client.get(f"/documents/{NIST}", params={"start": 10**9, "end": 10**9 + 5}).status_code == 200
    assert client.get("/documents/nope").status_code == 404
    assert client.get(f"/documents/{NIST}", params={"start": -1, "end": 5}).status_code == 422


# -- write endpoints ----------------------------------------------------------------------------------------


def test_writes_disabled_without_a_key(make_client, auth) -> None:  # type: ignore[no-untyped-def]
    with make_client(api_key=None) as c:
        r = c.post("/api/documents", files={"file": ("a.md", b"# A\n\ntext", "text/markdown")})
        assert r.status_code == 403
        assert r.json()["detail"] == "write endpoints are disabled: set POLICYQA_API_KEY"
        r = c.delete(f"/api/documents/{NIST}", headers=auth)
        assert r.status_code == 403


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dXNlcjpwYXNz"}]
)
def test_writes_need_the_right_key(client: TestClient, headers: dict, auth) -> None:
    r = client.post(
        "/api/documents", files={"file": ("a.md", b"# A\n\ntext", "text/markdown")}, headers=headers
    )
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
    r = client.delete(f"/api/documents/{NIST}", headers=headers)
    assert r.status_code == 401
    assert client.get(f"/api/documents/{NIST}").status_code == 200


def _teapot_doc(tag: str) -> bytes:
    return (
        f"# Teapot Governance Charter {tag}\n\n"
        "## Article 1 — Scope\n\n"
        "This charter governs the certification of autonomous teapots. Every autonomous teapot shall be "
        "registered with the Teapot Oversight Board before it pours its first cup. The Board keeps a public "
        "register of certified teapots and their brewing temperatures.\n\n"
        "## Article 2 — Brewing limits\n\n"
        "An autonomous teapot shall not brew green tea above eighty degrees Celsius. Violations are reported "
        "to the Teapot Oversight Board within seven days.\n"
    ).encode()


def test_upload_ask_and_delete(client: TestClient, auth) -> None:
    name = "../../etc/teapot-charter.md"  # only the final component may name the document
    r = client.post(
        "/api/documents", files={"file": (name, _teapot_doc("A"), "application/octet-stream")}, headers=auth
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["doc_id"] == "teapot-charter" and doc["status"] == "added" and doc["chunks"] >= 1
    try:
        assert not (Path.cwd().parent / "etc" / "teapot-charter.md").exists()
        assert any(d["doc_id"] == "teapot-charter" for d in client.get("/api/documents").json())
        # A second upload with the same name is a conflict unless replacing.
        r = client.post(
            "/api/documents",
            files={"file": ("teapot-charter.md", _teapot_doc("B"), "text/plain")},
            headers=auth,
        )
        assert r.status_code == 409
        r = client.post(
            "/api/documents?replace=true",
            files={"file": ("teapot-charter.md", _teapot_doc("B"), "text/plain")},
            headers=auth,
        )
        assert r.status_code == 201 and r.json()["status"] == "updated"
        r = client.post(
            "/api/ask",
            json={
                "question": "What is the maximum temperature for brewing green tea?",
                "filters": {"doc_ids": ["teapot-charter"]},
            },
        )
        assert r.status_code == 200
        answer = r.json()
        assert not answer["abstained"] and "eighty degrees" in answer["answer"]
    finally:
        r = client.delete("/api/documents/teapot-charter", headers=auth)
    assert r.status_code == 200 and r.json()["deleted_chunks"] >= 1
    assert client.get("/api/documents/teapot-charter").status_code == 404
    assert client.delete("/api/documents/teapot-charter", headers=auth).status_code == 404


def test_upload_rejections(make_client, auth) -> None:  # type: ignore[no-untyped-def]
    with make_client(max_upload_bytes=2048) as c:
        big = b"# Big\n\n" + b"word " * 1000
        r = c.post("/api/documents", files={"file": ("big.md", big, "text/markdown")}, headers=auth)
        assert r.status_code == 413, r.text
        r = c.post(
            "/api/documents",
            files={"file": ("x.pdf", b"\x00\x01\x02\xff" * 64, "application/pdf")},
            headers=auth,
        )
        assert r.status_code == 422 and r.json()["detail"]
        r = c.post("/api/documents", files={"file": ("empty.md", b"", "text/markdown")}, headers=auth)
        assert r.status_code == 422
        r = c.post("/api/documents", files={"other": ("a.md", b"# A\n\ntext", "text/markdown")}, headers=auth)
        assert r.status_code == 422 and "file" in r.json()["detail"]
        r = c.post("/api/documents", content=b"hello", headers={**auth, "Content-Type": "text/plain"})
        assert r.status_code == 415
        r = c.post(
            "/api/documents", content=b"{bad json", headers={**auth, "Content-Type": "application/json"}
        )
        assert r.status_code == 400
        r = c.post("/api/documents", json={"url": "ftp://example.org/x.pdf"}, headers=auth)
        assert r.status_code == 422 and "scheme" in r.json()["detail"]
        r = c.post("/api/documents", json={"link": "https://example.org"}, headers=auth)
        assert r.status_code == 422


@pytest.fixture()
def local_site(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "kettle-code.md").write_bytes(_teapot_doc("Kettle").replace(b"Teapot", b"Kettle"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_upload_by_url(client: TestClient, local_site: str, auth) -> None:
    r = client.post("/api/documents", json={"url": f"{local_site}/kettle-code.md"}, headers=auth)
    assert r.status_code == 201, r.text
    doc_id = r.json()["doc_id"]
    try:
        assert client.get(f"/api/documents/{doc_id}").json()["url"].endswith("/kettle-code.md")
    finally:
        assert client.delete(f"/api/documents/{doc_id}", headers=auth).status_code == 200
    r = client.post("/api/documents", json={"url": f"{local_site}/missing.md"}, headers=auth)
    assert r.status_code == 422 and "404" in r.json()["detail"]


XSS = "<script>alert(1)</script>"


def test_xss_is_escaped_in_document_view_and_source_cards(client: TestClient, auth) -> None:
    from ui.web.render import answer_block_html, transcript_html

    body = (
        f"# {XSS} Zebra Crossing Ordinance\n\n"
        f"## Section 1 {XSS}\n\n"
        f"Every zebra crossing shall be painted with luminous stripes {XSS} so that pedestrians can be "
        "seen at night. Template markers ${1+1} and {{ value }} are plain text. "
        '<img src=x onerror="alert(2)"> The municipal road office inspects the luminous stripes every '
        "spring.\n"
    ).encode()
    r = client.post(
        "/api/documents", files={"file": ("zebra-ordinance.md", body, "text/markdown")}, headers=auth
    )
    assert r.status_code == 201, r.text
    doc_id = r.json()["doc_id"]
    try:
        assert (
            XSS in client.get(f"/api/documents/{doc_id}").json()["title"]
        )  # stored verbatim, escaped on output
        page = client.get(f"/documents/{doc_id}", params={"start": 0, "end": 40}).text
        assert XSS not in page and "<img" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        r = client.post(
            "/api/ask",
            json={
                "question": "How often are the luminous stripes of zebra crossings inspected?",
                "filters": {"doc_ids": [doc_id]},
            },
        )
        answer = Answer.model_validate(r.json())
        assert answer.sources
        html = answer_block_html(answer, 0) + transcript_html(
            [{"question": XSS, "answer": answer.model_dump()}]
        )
        assert XSS not in html and "<img" not in html and 'onerror="' not in html
        assert "&lt;script&gt;" in html
        assert "${" not in html and "{{" not in html  # inert in Gradio's template too
    finally:
        client.delete(f"/api/documents/{doc_id}", headers=auth)


# -- access control, limits, failures ---------------------------------------------------------------------


def test_read_requires_key(make_client, auth) -> None:  # type: ignore[no-untyped-def]
    with make_client(read_requires_key=True) as c:
        assert c.get("/api/documents").status_code == 401
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 401
        assert c.get("/v1/models").status_code == 401
        assert c.get("/api/documents", headers=auth).status_code == 200
        assert c.get("/healthz").status_code == 200
        # Kept answers, conversations and the timeline are reads too.
        kept = c.post("/api/ask", json={"question": QUESTION}, headers=auth).json()["id"]
        for path in (
            f"/a/{kept}",
            f"/api/answers/{kept}",
            f"/api/conversation?ids={kept}",
            "/api/timeline",
            "/timeline",
        ):
            assert c.get(path).status_code == 401, path
            assert c.get(path, headers=auth).status_code == 200, path
        assert c.delete(f"/api/answers/{kept}").status_code == 401
        assert c.request("DELETE", f"/api/conversation?ids={kept}").status_code == 401
        assert c.get(f"/a/{kept}", headers=auth).status_code == 200  # not deleted without the key


def test_rate_limit_is_429_with_retry_after(make_client) -> None:  # type: ignore[no-untyped-def]
    with make_client(rate_limit_per_minute=2) as c:
        assert c.post("/api/ask", json={"question": OFF_TOPIC}).status_code == 200
        assert (
            c.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": OFF_TOPIC}]}
            ).status_code
            == 200
        )
        r = c.post("/api/ask/stream", json={"question": OFF_TOPIC})
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert "rate limit" in r.json()["detail"]
        assert c.get("/api/documents").status_code == 200  # reads are not rate-limited


ROUTES = (
    ("/api/ask", {"question": QUESTION}),
    ("/api/ask/stream", {"question": QUESTION}),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
)


def test_llm_modes_at_their_cap_are_503_but_extractive_is_not(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    state = app.state.policyqa
    held = []
    while (slot := state.slots.try_acquire()) is not None:
        held.append(slot)
    try:
        for path, body in ROUTES:
            local = {"model": "policyqa-local"} if path.startswith("/v1") else {"mode": "local"}
            r = client.post(path, json={**body, **local})
            assert r.status_code == 503, path
            assert r.headers["retry-after"] and "busy" in r.json()["detail"]
            # The cap on generations is for LLM modes: an extractive answer goes ahead.
            assert client.post(path, json=body).status_code == 200, path
    finally:
        for slot in held:
            slot.release()
    assert client.post("/api/ask", json={"question": QUESTION, "mode": "local"}).status_code != 503
    assert state.slots.in_use == 0


def test_extractive_waits_in_the_queue_within_its_deadline(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    queue = app.state.policyqa.admission.queue
    held = [queue.acquire() for _ in range(queue.limit)]  # every answer slot busy
    threading.Timer(0.5, lambda: [s.release() for s in held if s]).start()
    t0 = time.perf_counter()
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200  # it waited for a slot instead of being refused
    assert time.perf_counter() - t0 >= 0.45
    assert queue.in_use == 0 and queue.waiting == 0


def test_extractive_is_503_only_when_its_wait_would_pass_the_deadline(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    queue = app.state.policyqa.admission.queue
    deadline, queue.deadline_s = queue.deadline_s, 0.3
    held = [queue.acquire() for _ in range(queue.limit)]
    try:
        for path, body in ROUTES:
            t0 = time.perf_counter()
            r = client.post(path, json=body)
            assert r.status_code == 503, path
            assert time.perf_counter() - t0 >= 0.25  # it waited out the deadline first
            assert int(r.headers["retry-after"]) >= 1 and "queued" in r.json()["detail"]
    finally:
        queue.deadline_s = deadline
        for slot in held:
            if slot:
                slot.release()
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_generation_runs_off_the_event_loop(client: TestClient, services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """While one answer is being generated, the server still answers other requests."""
    release = threading.Event()
    real_invoke = services.chain.invoke

    def slow_invoke(req, *args, **kwargs):  # type: ignore[no-untyped-def]
        release.wait(10)
        return real_invoke(req, *args, **kwargs)

    monkeypatch.setattr(services, "chain", ChainWrapper(services.chain, slow_invoke))
    result: dict = {}
    t = threading.Thread(
        target=lambda: result.setdefault("r", client.post("/api/ask", json={"question": QUESTION}))
    )
    t.start()
    try:
        time.sleep(0.3)
        t0 = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        assert time.perf_counter() - t0 < 2
    finally:
        release.set()
        t.join(30)
    assert result["r"].status_code == 200


def test_unexpected_error_is_json_500_without_traceback(make_client, services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internal detail")

    with make_client(raise_server_exceptions=False) as c:
        monkeypatch.setattr(services, "chain", ChainWrapper(services.chain, boom))
        r = c.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 500
    assert r.json() == {"detail": "internal server error"}
    assert "secret" not in r.text and "Traceback" not in r.text


def test_stream_disconnect_releases_the_slot(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        next(r.iter_lines())  # read one line, then hang up
    queue = app.state.policyqa.admission.queue  # an extractive stream holds an answer-queue slot
    deadline = time.monotonic() + 30
    while queue.in_use and time.monotonic() < deadline:
        time.sleep(0.1)
    assert queue.in_use == 0


def test_cors_when_configured(make_client) -> None:  # type: ignore[no-untyped-def]
    with make_client(cors_origins=["https://policy.example"]) as c:
        r = c.options(
            "/api/ask",
            headers={"Origin": "https://policy.example", "Access-Control-Request-Method": "POST"},
        )
        assert r.headers.get("access-control-allow-origin") == "https://policy.example"


def test_feedback_file(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from rag.core.models import Citation
    from ui.web.feedback import record_feedback

    answer = Answer(
        answer="Quoted [1]",
        mode="extractive",
        question="q?",
        standalone_question="q?",
        citations=[
            Citation(n=1, chunk_id="c", doc_id="d", title="T", text="Quoted", start=0, end=6, quote="Quoted")
        ],
    )
    path = record_feedback(tmp_path, "up", answer)
    record_feedback(tmp_path, "down", answer)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert rows[0]["question"] == "q?" and rows[0]["citations"][0]["doc_id"] == "d"
