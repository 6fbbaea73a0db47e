"""Tracing: the span tree of one real answer, its attributes, the CLI's tree, and the API's spans when an
exporter is configured (in a subprocess, so no global tracer provider leaks into the other tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from cli.trace_view import trace_tree
from rag.chain import AskRequest
from rag.tracing import _clean, recording_tracer

ROOT = Path(__file__).resolve().parents[2]


def _traced(services, question: str):  # type: ignore[no-untyped-def]
    tracer, exporter = recording_tracer()
    chain = services.chain.model_copy(update={"tracer": tracer})
    answer = chain.invoke(AskRequest(question=question))
    spans = exporter.get_finished_spans()
    return answer, {s.name: s for s in spans}, spans


def _parent(span, by_name) -> str | None:  # type: ignore[no-untyped-def]
    ids = {s.context.span_id: name for name, s in by_name.items()}
    return ids.get(span.parent.span_id) if span.parent is not None else None


@pytest.mark.slow
def test_one_answer_is_one_tree_of_stages_with_what_explains_them(services) -> None:
    answer, by_name, spans = _traced(services, "What does Article 50(2) of the EU AI Act require?")
    assert not answer.abstained
    assert {s.context.trace_id for s in spans} == {by_name["policyqa.answer"].context.trace_id}
    parents = {name: _parent(s, by_name) for name, s in by_name.items()}
    assert parents == {
        "policyqa.answer": None,
        "condense": "policyqa.answer",
        "gather": "policyqa.answer",
        "retrieve": "gather",
        "embed query": "retrieve",  # the sub-searches
        "bm25 scores": "retrieve",
        "candidates": "retrieve",
        "fuse": "retrieve",
        "evidence": "gather",
        "abstain": "policyqa.answer",
        "compose": "policyqa.answer",
    }
    passes = [s for s in spans if s.name == "candidates"]
    assert [p.attributes["scope"] for p in passes] == ["named documents", "all documents"]  # "the EU AI Act"
    assert all(len(p.attributes["dense_top"]) == 5 and len(p.attributes["bm25_top"]) == 5 for p in passes)
    retrieve = by_name["retrieve"].attributes
    assert retrieve["query"].startswith("What does Article 50(2)")
    assert len(retrieve["top_ids"]) == len(retrieve["top_scores"]) > 0
    evidence = by_name["evidence"].attributes
    assert "article 50(2)" in [r.lower() for r in evidence["refs"]]
    assert evidence["sources"][0] == answer.sources[0].chunk_id
    assert by_name["abstain"].attributes["abstain"] is False
    compose = by_name["compose"].attributes
    assert list(compose["cited"]) == [c.chunk_id for c in answer.citations]
    assert all(compose["verified"])
    assert by_name["policyqa.answer"].attributes["abstained"] is False


@pytest.mark.slow
def test_the_trace_shows_the_documents_an_issuer_pointed_at(services) -> None:
    answer, by_name, _ = _traced(
        services,
        "Is it legal in Europe for an app to guess someone's sexuality or religion from a photo of a face?",
    )
    evidence = by_name["evidence"].attributes
    assert list(evidence["named_docs"]) == []
    assert list(evidence["cued_docs"]) == ["eu-ai-act-regulation-2024-1689"]
    assert not answer.abstained and answer.sources[0].doc_id == "eu-ai-act-regulation-2024-1689"


@pytest.mark.slow
def test_an_abstention_says_why_and_composes_nothing(services) -> None:
    answer, by_name, _ = _traced(services, "What is the capital of Australia?")
    assert answer.abstained
    assert "compose" not in by_name
    signals = by_name["abstain"].attributes
    assert signals["abstain"] is True
    assert {"top_prob", "top_similarity", "missing_subject_share", "detail_missing"} <= set(signals)
    assert by_name["policyqa.answer"].attributes["abstained"] is True


@pytest.mark.slow
def test_explain_prints_the_tree(services) -> None:
    _, _, spans = _traced(services, "When was Japan's AI Safety Institute established?")
    console = Console(record=True, width=200)
    console.print(trace_tree(spans))
    text = console.export_text()
    lines = text.splitlines()
    gather = next(i for i, line in enumerate(lines) if "gather" in line and " ms" in line)
    retrieve = next(i for i, line in enumerate(lines) if "retrieve" in line and " ms" in line)
    indent = lambda line: len(line) - len(line.lstrip(" │├└─"))  # noqa: E731
    assert retrieve > gather and indent(lines[retrieve]) > indent(lines[gather])
    assert "top_prob" in text and "query" in text


def test_attributes_are_made_exportable() -> None:
    class Thing:
        def __str__(self) -> str:
            return "thing"

    cleaned = _clean({"a": None, "b": 1, "c": ("x", 2), "d": Thing(), "e": [Thing()]})
    assert cleaned == {"b": 1, "c": ["x", 2], "d": "thing", "e": ["thing"]}


_SERVE = textwrap.dedent(
    """
    from fastapi.testclient import TestClient
    from rag.core.settings import Settings
    from ui.app import create_app

    settings = Settings(_env_file=None, answer_cache_size=0)
    app = create_app(settings)
    with TestClient(app) as client:
        assert app.state.policyqa.wait_ready(600), app.state.policyqa.load_error
        r = client.post("/api/ask", json={"question": "What does Article 5 of the EU AI Act prohibit?"})
        assert r.status_code == 200, r.text
    """
)


@pytest.mark.slow
def test_the_api_traces_each_request_with_the_answer_beneath_it(services, settings) -> None:
    env = {
        **os.environ,
        "POLICYQA_DATA_DIR": str(settings.data_dir),
        "POLICYQA_CORPUS_DIR": str(settings.corpus_dir),
        "POLICYQA_OTEL_EXPORTER": "console",
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [sys.executable, "-c", _SERVE], env=env, capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr[-2000:]
    spans = _console_spans(run.stdout)
    names = {s["name"] for s in spans}
    assert {"policyqa.answer", "retrieve", "compose"} <= names
    request = next(s for s in spans if s["name"] == "POST /api/ask")
    answer = next(s for s in spans if s["name"] == "policyqa.answer")
    assert answer["context"]["trace_id"] == request["context"]["trace_id"]
    assert answer["resource"]["attributes"]["service.name"] == "policyqa"


def _console_spans(stdout: str) -> list[dict]:
    """The ConsoleSpanExporter prints one indented JSON object a span."""
    spans, depth, buf = [], 0, []
    for line in stdout.splitlines():
        if not buf and not line.startswith("{"):
            continue
        buf.append(line)
        depth += line.count("{") - line.count("}")
        if depth == 0:
            spans.append(json.loads("\n".join(buf)))
            buf = []
    return spans


@pytest.mark.slow
def test_the_trace_shows_the_quote_each_part_of_a_question_found(services) -> None:
    answer, by_name, _ = _traced(
        services,
        "How big can the fine on a provider of a general-purpose AI model get, compared to the fine for "
        "breaking the ban on prohibited AI practices?",
    )
    parts = list(by_name["evidence"].attributes["parts"])
    assert any("Non-compliance with the prohibition of the AI practices" in p for p in parts), parts
    assert all(any(p[:60] in s.text for s in answer.sentences) for p in parts)  # each is quoted
