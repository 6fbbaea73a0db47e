"""Smoke tests of the benchmark's pure helpers on tiny inputs: percentiles, the synthetic corpus and
chunk generators (deterministic, provenance kept) and the markdown table. No timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.report import BenchResult, Row, markdown_report, markdown_table, target_row, write_result
from bench.stats import describe_growth, growth_exponent, pair_ratios, ratio, summarize
from bench.synth import (
    PROVENANCE_FILE,
    paragraphs,
    synthetic_chunks,
    synthetic_corpus,
    synthetic_sentences,
    write_synthetic_corpus,
)

pytestmark = pytest.mark.slow

DOCS = {
    "alpha": "# Alpha\n\nFirst prose paragraph of alpha, long enough to be recombined with others.\n\n"
    "## Section\n\nSecond prose paragraph of alpha, also long enough to be swapped around.\n",
    "beta": "# Beta\n\nOnly prose paragraph of beta, which is long enough to move into other documents.\n",
}


# -- stats --------------------------------------------------------------------------------------------
def test_summarize_percentiles() -> None:
    s = summarize([float(x) for x in range(1, 101)])
    assert s["n"] == 100
    assert s["p50"] == pytest.approx(50.5)
    assert s["p95"] == pytest.approx(95.05)
    assert s["p99"] == pytest.approx(99.01)
    assert s["max"] == 100.0
    assert summarize([])["p95"] is None


def test_ratios() -> None:
    assert ratio(2.0, 4.0) == 0.5
    assert ratio(1.0, 0.0) is None
    assert ratio(None, 1.0) is None
    assert pair_ratios([2, 3], [1, 0]) == [2.0]


def test_growth_exponent() -> None:
    sizes = [1, 10, 100]
    assert growth_exponent(sizes, [5, 50, 500]) == pytest.approx(1.0)
    assert growth_exponent(sizes, [5, 5, 5]) == pytest.approx(0.0)
    assert growth_exponent([1], [1]) is None
    assert describe_growth(1.0).startswith("linear")
    assert describe_growth(0.5).startswith("sub-linear")
    assert describe_growth(None) == "n/a"


# -- synthetic corpus ---------------------------------------------------------------------------------
def test_synthetic_corpus_is_deterministic_and_keeps_provenance() -> None:
    a = synthetic_corpus(DOCS, 3, seed=1)
    b = synthetic_corpus(DOCS, 3, seed=1)
    assert [d.text for d in a] == [d.text for d in b]
    assert len(a) == 6
    assert {d.doc_id for d in a} == {f"{s}--syn{r:03d}" for s in DOCS for r in range(3)}
    split = {k: paragraphs(v) for k, v in DOCS.items()}
    for d in a:
        paras = paragraphs(d.text)
        assert len(paras) == len(d.provenance) == len(split[d.source_doc_id])
        for para, (src, i) in zip(paras, d.provenance, strict=False):
            assert split[src][i] == para  # every paragraph is traceable to its origin
        # Headings never move.
        assert paras[0] == split[d.source_doc_id][0]


def test_synthetic_corpus_recombines_across_documents() -> None:
    docs = synthetic_corpus(DOCS, 20, seed=0, swap_p=0.9)
    assert any(src != d.source_doc_id for d in docs for src, _ in d.provenance)


def test_synthetic_corpus_rejects_bad_factor() -> None:
    with pytest.raises(ValueError):
        synthetic_corpus(DOCS, 0)


def test_write_synthetic_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    manifest = []
    for doc_id, text in DOCS.items():
        (corpus / f"{doc_id}.md").write_text(text)
        manifest.append({"file": f"{doc_id}.md", "title": doc_id.title(), "publisher": "P", "date": "2024"})
    (corpus / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "syn"
    docs = write_synthetic_corpus(corpus, out, 2)
    written = json.loads((out / "manifest.json").read_text())
    assert [e["file"] for e in written] == [f"{d.doc_id}.md" for d in docs]
    assert all(e["synthetic_of"] in DOCS for e in written)
    prov = json.loads((out / PROVENANCE_FILE).read_text())
    assert set(prov) == {d.doc_id for d in docs}
    assert PROVENANCE_FILE.startswith(".")  # hidden, so the loader never ingests it


# -- synthetic chunks -------------------------------------------------------------------------------------
def _chunks() -> tuple[list[str], list[str], list[dict], np.ndarray]:
    ids = ["c1", "c2", "c3"]
    texts = [
        "Doc › A\n\nOne sentence here. Another sentence there.",
        "Doc › B\n\nPara one is here.\n\nPara two is there.",
        "Doc › C\n\nSingle body.",
    ]
    mds = [{"doc_id": "d", "seq": i, "body_offset": 9} for i in range(3)]
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(3, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return ids, texts, mds, vecs


def test_synthetic_chunks_replicas_and_noise() -> None:
    ids, texts, mds, vecs = _chunks()
    batches = list(synthetic_chunks(ids, texts, mds, vecs, 4, batch_size=4))
    got_ids = [i for b in batches for i in b.ids]
    assert len(got_ids) == 9 and len(set(got_ids)) == 9  # replicas 1..3, unique ids
    mds_out = [m for b in batches for m in b.metadatas]
    assert {m["replica"] for m in mds_out} == {1, 2, 3}
    assert all(m["synthetic_of"] in ids and m["doc_id"].startswith("d~r") for m in mds_out)
    texts_out = [t for b in batches for t in b.texts]
    for t, m in zip(texts_out, mds_out, strict=False):
        src = texts[ids.index(m["synthetic_of"])]
        assert t[:9] == src[:9]  # the heading path is kept
    vec_out = np.concatenate([b.vectors for b in batches])
    assert np.allclose(np.linalg.norm(vec_out, axis=1), 1.0, atol=1e-5)
    src_vecs = np.stack([vecs[ids.index(m["synthetic_of"])] for m in mds_out])
    assert float((vec_out * src_vecs).sum(axis=1).min()) > 0.9  # near the real vector, not equal
    again = [i for b in synthetic_chunks(ids, texts, mds, vecs, 4, batch_size=4) for i in b.texts]
    assert again == texts_out  # deterministic
    assert list(synthetic_chunks(ids, texts, mds, vecs, 1)) == []


def test_synthetic_sentences_follow_their_replica_chunks() -> None:
    ids, texts, mds, vecs = _chunks()
    sent_ids = [f"{c}:{p}" for c in ids for p in (0, 2)]
    sent_mds = [{"doc_id": m["doc_id"], "chunk_id": c, "pos": p} for c, m in zip(ids, mds) for p in (0, 2)]
    sent_vecs = np.repeat(vecs, 2, axis=0)
    chunk_ids = {i for b in synthetic_chunks(ids, texts, mds, vecs, 3) for i in b.ids}
    batches = list(synthetic_sentences(sent_ids, sent_mds, sent_vecs, 3, batch_size=4))
    out = [(i, m) for b in batches for i, m in zip(b.ids, b.metadatas)]
    assert len(out) == 2 * len(sent_ids) and len({i for i, _ in out}) == len(out)
    assert {m["chunk_id"] for _, m in out} == chunk_ids  # every replica chunk has its sentences
    assert all(
        i == f"{m['chunk_id']}:{m['pos']}" and m["doc_id"].endswith(i.split("~")[1][:2]) for i, m in out
    )
    v = np.concatenate([b.vectors for b in batches])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float((v * np.concatenate([sent_vecs, sent_vecs])).sum(axis=1).min()) > 0.9


# -- the table --------------------------------------------------------------------------------------------
def test_markdown_table_and_files(tmp_path: Path) -> None:
    rows = [
        target_row("retrieval", "hit@5", 0.9, 0.5, target="≥ 1.6×", check=lambda x, y, r: r >= 1.6),
        target_row(
            "retrieval", "p95", 40.0, 20.0, unit="ms", target="≤ baseline", check=lambda x, y, r: x <= y
        ),
        target_row("api", "p95", None, 10.0, unit="ms", check=lambda x, y, r: x < 300),
        Row("api", "a | b", note="skipped"),
    ]
    assert rows[0].passed is True and rows[0].ratio == pytest.approx(1.8)
    assert rows[1].passed is False
    assert rows[2].passed is None  # missing input: not judged
    table = markdown_table(rows)
    lines = table.splitlines()
    assert lines[0].startswith("| section | metric | ours | baseline | ours/baseline |")
    assert len(lines) == 2 + len(rows)
    assert all(line.count(" | ") >= 7 for line in lines[2:])
    assert "1.80×" in lines[2] and "PASS" in lines[2]
    assert "40.0 ms" in lines[3] and "FAIL" in lines[3]
    assert "a \\| b" in table  # a pipe in a cell does not break the table

    result = BenchResult(started="t", args={"quick": True}, machine={"cores": 2}, rows=rows, notes=["n1"])
    md = markdown_report(result, "hotspot 1")
    assert "## Notes" in md and "hotspot 1" in md
    j, m = write_result(result, "stamp", root=tmp_path)
    assert json.loads(j.read_text())["rows"][0]["metric"] == "hit@5"
    assert m.read_text() == markdown_report(result)
