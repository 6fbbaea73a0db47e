"""Real failure modes: SIGKILL in the middle of an ingest, and Chroma in server mode (`chroma run`)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import support

from ingest.chunking import chunk_document
from ingest.clean import clean_text
from ingest.pipeline import ingest
from rag.core.settings import Settings
from rag.store.index import Index
from rag.store.manifest import load_manifest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    "g7-leaders-statement-hiroshima-ai-process-2023-10-30.md",
    "diplomat-japans-ai-diplomacy-2024.md",
    "un-ga-resolution-78-265-2024.md",
    "oecd-recommendation-on-ai-2024.md",
    "coe-framework-convention-ai-cets225-2024.md",
]


def expected_spans(folder: Path) -> dict[str, set[tuple[int, int]]]:
    manifest = load_manifest(ROOT / "corpus" / "manifest.json")
    return {
        f.stem: {
            (c.start, c.end) for c in chunk_document(clean_text(f.read_text()), manifest[f.stem].short_title)
        }
        for f in folder.glob("*.md")
    }


def stored_spans(index: Index) -> dict[str, set[tuple[int, int]]]:
    out: dict[str, set[tuple[int, int]]] = {}
    for d in index.all_chunks():
        out.setdefault(d.metadata["doc_id"], set()).add((d.metadata["start"], d.metadata["end"]))
    return out


def _cli(data_dir: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "POLICYQA_DATA_DIR": str(data_dir), "OMP_WAIT_POLICY": "PASSIVE"}
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "-v", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_mid_ingest_loses_nothing_and_converges(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in DOCS:
        shutil.copy(ROOT / "corpus" / name, corpus / name)
    data = tmp_path / "data"
    proc = _cli(data, "ingest", str(corpus))
    done_before_kill: list[str] = []
    deadline = time.monotonic() + 300
    assert proc.stderr is not None
    for line in proc.stderr:
        if "indexed " in line:
            done_before_kill.append(Path(line.split("indexed ", 1)[1].split(":")[0]).stem)
            if len(done_before_kill) == 2:
                break
        assert time.monotonic() < deadline, "ingest never reported progress"
    time.sleep(0.3)  # let it get into the next document's embeddings
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    expected = expected_spans(corpus)
    settings = Settings(data_dir=data, corpus_dir=ROOT / "corpus", _env_file=None)
    index = Index(settings, embedder)
    stored = stored_spans(index)
    for doc_id in done_before_kill:  # what was indexed before the kill is all there
        assert stored.get(doc_id) == expected[doc_id], doc_id
    del index

    rerun = _cli(data, "ingest", str(corpus))
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-2000:]
    index = Index(settings, embedder)
    assert stored_spans(index) == expected  # no orphans, nothing missing
    ids = [d.id for d in index.all_chunks()]
    assert len(ids) == len(set(ids)) == sum(len(v) for v in expected.values())  # no duplicates
    assert set(index.records.list_keys()) == set(ids)
    assert sorted(index.document_ids()) == sorted(expected)


@pytest.fixture()
def chroma_server(tmp_path):
    with support.chroma_server(tmp_path / "chroma-server") as port:
        yield port


def test_ingest_into_chroma_server(chroma_server, small_corpus, tmp_path, embedder):
    settings = Settings(
        data_dir=tmp_path / "data",
        corpus_dir=ROOT / "corpus",
        chroma_host="127.0.0.1",
        chroma_port=chroma_server,
        _env_file=None,
    )
    index = Index(settings, embedder)
    report = ingest([str(small_corpus)], settings, index)
    assert not report.failed
    assert stored_spans(index) == expected_spans(small_corpus)
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store
    again = ingest([str(small_corpus)], settings, index)
    assert again.embedded == 0

    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    assert client.get_collection(settings.collection).count() == index.count()
