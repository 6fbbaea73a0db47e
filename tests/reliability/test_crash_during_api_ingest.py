"""SIGKILL of the real server in the middle of an ingest started with POST /api/ingest.

The next start must serve the last consistent index (ready, answering with citations that resolve),
and a re-ingest must converge: the store and the record manager hold the same chunk ids, no duplicates,
and every document's spans are exactly those of a fresh chunking.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest
from langchain_core.embeddings import FakeEmbeddings
from reliability_helpers import CORPUS, ApiServer, wait_until

from ingest.chunking import chunk_document
from ingest.clean import clean_text
from rag.core.settings import Settings
from rag.store.index import Index
from rag.store.manifest import load_manifest

pytestmark = pytest.mark.slow

KEY = "crash-test-key-0123"
AUTH = {"Authorization": f"Bearer {KEY}"}
# Ingested in name order: two small documents, then two larger ones to be killed in the middle of.
DOCS = [
    "diplomat-japans-ai-diplomacy-2024.md",
    "g7-hiroshima-guiding-principles-2023.md",
    "us-japan-fact-sheet-official-visit-2024-04-10.md",
    "us-japan-joint-leaders-statement-2024-04-10.md",
]
QUESTION = "When was Japan's AI Safety Institute set up?"


def expected_spans(corpus: Path, settings: Settings) -> dict[str, set[tuple[int, int]]]:
    manifest = load_manifest(CORPUS / "manifest.json")
    return {
        f.stem: {
            (c.start, c.end)
            for c in chunk_document(
                clean_text(f.read_text()),
                manifest[f.stem].short_title,
                min_words=settings.chunk_min_words,
                max_words=settings.chunk_max_words,
            )
        }
        for f in corpus.glob("*.md")
    }


def forget_clients() -> None:
    """chromadb caches one client per path in a process; drop it so the next open reads the disk."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def open_offline(data: Path, corpus: Path) -> Index:
    forget_clients()
    settings = Settings(data_dir=data, corpus_dir=corpus, _env_file=None)
    return Index(settings, FakeEmbeddings(size=384))  # reading ids and metadata needs no real model


def plant_orphan(data: Path, corpus: Path) -> str:
    index = open_offline(data, corpus)
    orphan = "orphan-written-just-before-the-kill"
    md = {"doc_id": "us-japan-fact-sheet-official-visit-2024-04-10", "start": 0, "end": 10, "seq": 999}
    index.chunks.add(
        ids=[orphan],
        documents=["Japan's AI Safety Institute was set up in 1999."],
        metadatas=[md],
        embeddings=[[0.1] * 384],
    )
    assert orphan not in set(index.records.list_keys())
    del index
    forget_clients()
    return orphan


def ingest_status(server: ApiServer) -> dict:
    return httpx.get(f"{server.url}/api/ingest", headers=AUTH, timeout=10).json()


def test_sigkill_mid_api_ingest_then_restart_serves_and_converges(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in [*DOCS, "manifest.json"]:
        shutil.copy(CORPUS / name, corpus / name)
    data = tmp_path / "data"
    env = {"POLICYQA_CORPUS_DIR": str(corpus), "POLICYQA_API_KEY": KEY}

    first = ApiServer(data, tmp_path / "first.log", env).start()
    try:
        first.wait_loaded()
        r = httpx.post(f"{first.url}/api/ingest", headers=AUTH, timeout=10)
        assert r.status_code == 202, r.text
        wait_until(lambda: len(ingest_status(first)["files"]) >= 2, 180, 0.05, "two documents indexed")
        done = [f["doc_id"] for f in ingest_status(first)["files"]]
        time.sleep(0.5)  # into the next document's embedding and writes
        assert list((data / "writes-in-progress").glob("*.json")), "the ingest was not mid-write"
        first.kill()
    finally:
        first.stop()
    assert first.proc is not None and first.proc.returncode == -9
    # The kill usually lands while a batch is being embedded. The worst moment is between Chroma's write
    # and the record manager's: leave that state too, a chunk the record manager never heard of.
    orphan = plant_orphan(data, corpus)

    second = ApiServer(data, tmp_path / "second.log", env).start()
    try:
        second.wait_loaded()
        ready = httpx.get(f"{second.url}/readyz", timeout=10).json()
        assert ready["ready"] and ready["documents"] >= len(done), ready
        assert "interrupted by a crash" in second.log_tail(200_000)
        assert not list((data / "writes-in-progress").glob("*.json"))  # repaired, marker cleared
        listed = {d["doc_id"] for d in httpx.get(f"{second.url}/api/documents", timeout=10).json()}
        assert set(done) <= listed
        r = httpx.post(f"{second.url}/api/ask", json={"question": QUESTION}, timeout=60)
        assert r.status_code == 200 and r.json()["citations"], r.text
        for c in r.json()["citations"]:  # every citation resolves: no orphan chunk of a half-written document
            assert c["doc_id"] in listed
            assert httpx.get(f"{second.url}/api/chunks/{c['chunk_id']}", timeout=10).status_code == 200
        assert httpx.get(f"{second.url}/api/chunks/{orphan}", timeout=10).status_code == 404

        assert httpx.post(f"{second.url}/api/ingest", headers=AUTH, timeout=10).status_code == 202
        wait_until(lambda: ingest_status(second)["state"] != "running", 300, 0.5, "the re-ingest")
        run = ingest_status(second)
        assert run["state"] == "succeeded", run
        assert {f["doc_id"] for f in run["files"]} == {Path(d).stem for d in DOCS}
    finally:
        second.stop()

    # Offline, with the server gone: compare the store with the record manager and a fresh chunking.
    index = open_offline(data, corpus)
    settings = index.settings
    ids = [d.id for d in index.all_chunks()]
    expected = expected_spans(corpus, settings)
    assert len(ids) == len(set(ids)) == sum(len(v) for v in expected.values())  # no duplicates
    assert set(index.records.list_keys()) == set(ids)  # no orphans, no dangling records
    stored: dict[str, set[tuple[int, int]]] = {}
    for d in index.all_chunks():
        stored.setdefault(d.metadata["doc_id"], set()).add((d.metadata["start"], d.metadata["end"]))
    assert stored == expected
    assert sorted(index.document_ids()) == sorted(expected)
