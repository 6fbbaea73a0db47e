"""Reciprocal-rank fusion on its own, and the Searcher's use of it over an in-memory fake store."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from langchain_core.documents import Document

import rag.retrieval.searcher as searcher_module
from rag.core.settings import Settings
from rag.references import DocAlias
from rag.retrieval import OTHER_DOC_FACTOR, Searcher, fuse


def ids(fused: list[tuple[str, float]]) -> list[str]:
    return [i for i, _ in fused]


# -- fuse() ------------------------------------------------------------------------------------------


def test_one_list_keeps_its_order_with_reciprocal_scores() -> None:
    assert fuse([["a", "b", "c"]], [1.0], k=60) == [("a", 1 / 61), ("b", 1 / 62), ("c", 1 / 63)]


def test_agreement_between_lists_beats_one_first_place() -> None:
    # b is second in both lists; a and c are each first in one list only.
    fused = fuse([["a", "b"], ["c", "b"]], [1.0, 1.0], k=60)
    assert ids(fused) == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(2 / 62)


def test_weights_decide_between_disjoint_lists() -> None:
    assert ids(fuse([["a"], ["b"]], [1.0, 2.0], k=60)) == ["b", "a"]
    assert ids(fuse([["a"], ["b"]], [2.0, 1.0], k=60)) == ["a", "b"]
    assert dict(fuse([["a"], ["b"]], [1.0, 2.0], k=60))["b"] == pytest.approx(2 / 61)


def test_zero_weight_list_only_adds_ids() -> None:
    fused = fuse([["a", "b"], ["b", "z"]], [1.0, 0.0], k=60)
    assert ids(fused) == ["a", "b", "z"]
    assert dict(fused)["z"] == 0.0


def test_k_flattens_the_rank_curve() -> None:
    assert fuse([["a", "b"]], [1.0], k=0) == [("a", 1.0), ("b", 0.5)]
    # With a small k one first place outweighs two second places; with a large k it does not.
    assert ids(fuse([["a", "b"], ["c", "b"]], [2.0, 1.0], k=0))[0] == "a"
    assert ids(fuse([["a", "b"], ["c", "b"]], [2.0, 1.0], k=1000))[0] == "b"


def test_ties_keep_the_order_of_first_appearance() -> None:
    assert ids(fuse([["a", "b"], ["b", "a"]], [1.0, 1.0], k=60)) == ["a", "b"]
    assert ids(fuse([["b", "a"], ["a", "b"]], [1.0, 1.0], k=60)) == ["b", "a"]
    assert ids(fuse([["x"], ["y"], ["z"]], [1.0, 1.0, 1.0], k=60)) == ["x", "y", "z"]


def test_an_id_repeated_in_one_list_counts_once_at_its_best_rank() -> None:
    assert fuse([["a", "b", "a"]], [1.0], k=60) == [("a", 1 / 61), ("b", 1 / 62)]


def test_empty_inputs() -> None:
    assert fuse([], [], k=60) == []
    assert fuse([[], []], [1.0, 1.0], k=60) == []
    assert fuse([[], ["x"]], [1.0, 1.0], k=60) == [("x", 1 / 61)]


def test_a_weight_per_list_is_required() -> None:
    with pytest.raises(ValueError):
        fuse([["a"], ["b"]], [1.0], k=60)


def test_scores_are_summed_list_by_list() -> None:
    """The Searcher relies on this order: its scores must not move by a rounding step."""
    lists = [["a", "b"], ["b", "a"], ["a"], ["c", "b"]]
    weights = [1.0, 1.0, 0.5, 0.5]
    expected_b = ((0.0 + 1.0 / 62) + 1.0 / 61) + 0.5 / 62
    assert dict(fuse(lists, weights, k=60))["b"] == expected_b


# -- the Searcher's fusion, over a fake store --------------------------------------------------------

TEXTS = {
    "c1": ("d1", "Watermarking of synthetic content and provenance marks."),
    "c2": ("d2", "Cats and dogs are not covered by this regulation."),
    "c3": ("d2", "Provenance records for content."),
}
DENSE_ORDER = ["c2", "c1", "c3"]  # what the fake HNSW index answers for any query


class FakeIndex:
    """Just what the Searcher reads: fingerprint, chunks with vectors, the query embedder and HNSW."""

    def __init__(self) -> None:
        self.embeddings = SimpleNamespace(embed_query=lambda q: [1.0, 0.0])
        self.chunks = SimpleNamespace(query=self._query)

    def fingerprint(self) -> str:
        return "fp"

    def derived_dir(self, name: str) -> None:
        return None  # nothing kept between starts

    def chunks_with_vectors(self) -> tuple[list[Document], np.ndarray]:
        docs = [
            Document(id=cid, page_content=text, metadata={"doc_id": doc_id, "seq": i})
            for i, (cid, (doc_id, text)) in enumerate(TEXTS.items())
        ]
        # Exact scores inside a named document: c1 is d1's only chunk.
        vectors = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]], dtype=np.float32)
        return docs, vectors

    def _query(self, query_embeddings: Any, n_results: int, include: Any) -> dict[str, Any]:
        order = DENSE_ORDER[:n_results]
        return {"ids": [order], "distances": [[0.1 * (i + 1) for i in range(len(order))]]}


@pytest.fixture(autouse=True)
def hnsw_for_the_whole_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests pin the fusion over the HNSW path that large stores take; a three-chunk store would
    otherwise be scored exactly (see test_a_small_store_is_scored_exactly_without_hnsw)."""
    monkeypatch.setattr(searcher_module, "EXACT_DENSE_MAX", 0)


def searcher(aliases: list[DocAlias] | None = None, sentence_bm25_weight: float = 0.0) -> Searcher:
    # chroma_host set: the BM25 index stays in memory instead of being written to data_dir. The sentence
    # lists are off unless asked for: these tests pin the fusion of the chunk lists.
    settings = Settings(
        chroma_host="fake",
        sentence_index=False,
        sentence_bm25_weight=sentence_bm25_weight,
        _env_file=None,  # type: ignore[call-arg]
    )
    return Searcher(FakeIndex(), settings, aliases or [])  # type: ignore[arg-type]


def test_a_small_store_is_scored_exactly_without_hnsw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searcher_module, "EXACT_DENSE_MAX", 20000)
    s = searcher()
    s.index.chunks = SimpleNamespace(query=lambda **_: pytest.fail("HNSW queried for a small store"))
    hits = s.search("provenance of synthetic content")
    dense = sorted((h for h in hits if h.dense_rank is not None), key=lambda h: h.dense_rank)
    assert [h.id for h in dense] == ["c1", "c2", "c3"]  # the stored vectors' order, not DENSE_ORDER
    assert dense[0].dense == pytest.approx(0.9)


def test_searcher_scores_are_the_fusion_of_its_dense_and_bm25_lists() -> None:
    s = searcher()
    hits = s.search("provenance of synthetic content")
    by_id = {h.id: h for h in hits}
    bm25_order = [cid for cid, _ in sorted(((h.id, h.bm25) for h in hits if h.bm25 > 0), key=lambda x: -x[1])]
    assert bm25_order[0] == "c1" and "c2" not in bm25_order  # c2 shares no word with the query
    expected = fuse([DENSE_ORDER, bm25_order], [1.0, 1.0], k=s.settings.rrf_k)
    assert [h.id for h in hits] == ids(expected)
    assert [h.score for h in hits] == [score for _, score in expected]
    assert by_id["c2"].dense_rank == 0 and by_id["c2"].bm25_rank is None
    assert by_id["c1"].dense_rank == 1 and by_id["c1"].bm25_rank == 0


def test_each_chunk_ranked_by_its_best_sentence_by_bm25_joins_the_fusion() -> None:
    plain = {h.id: h.score for h in searcher().search("provenance of synthetic content")}
    s = searcher(sentence_bm25_weight=0.2)
    assert s.sentence_lexical is not None and len(s.sentence_lexical) >= len(TEXTS)
    best = s.sentence_lexical.best_per_chunk("provenance of synthetic content")
    ranked = [str(s.table.docs[i].id) for i in np.argsort(-best, kind="stable") if best[i] > 0]
    assert ranked and "c2" not in ranked  # c2 shares no word with the query
    k = s.settings.rrf_k
    hits = {h.id: h.score for h in s.search("provenance of synthetic content")}
    for rank, cid in enumerate(ranked):
        assert hits[cid] == pytest.approx(plain[cid] + 0.2 / (k + rank + 1))
    assert hits["c2"] == pytest.approx(plain["c2"])


def test_a_document_cued_by_its_issuer_gets_the_full_weight_pass_like_a_named_one() -> None:
    named = searcher([DocAlias("d1", ("Watermark Code",))]).search(
        "What does the Watermark Code say about watermarking and provenance?"
    )
    cued = searcher([DocAlias("d1", ("Watermark Code",), cues=("the G9",))]).search(
        "What did the G9 say about watermarking and provenance?"
    )
    plain = searcher([DocAlias("d1", ("Watermark Code",))]).search(
        "What did the G9 say about watermarking and provenance?"
    )
    assert cued[0].id == named[0].id == "c1"
    by_id = {h.id: h.score for h in cued}
    assert by_id["c2"] == OTHER_DOC_FACTOR / (searcher().settings.rrf_k + 1)  # others: the reduced pass
    assert {h.id: h.score for h in plain}["c2"] > by_id["c2"]  # without the cue, no pass is reduced


def test_a_named_document_gets_a_full_weight_pass_and_the_rest_a_reduced_one() -> None:
    s = searcher([DocAlias("d1", ("Watermark Code",))])
    hits = s.search("What does the Watermark Code say about watermarking and provenance?")
    by_id = {h.id: h for h in hits}
    k = s.settings.rrf_k
    # c1 is first of d1's own dense and BM25 lists, then second (dense) and first (BM25) of all chunks.
    c1 = 0.0 + 1.0 / (k + 1) + 1.0 / (k + 1) + OTHER_DOC_FACTOR / (k + 2) + OTHER_DOC_FACTOR / (k + 1)
    assert by_id["c1"].score == c1
    assert hits[0].id == "c1"
    assert by_id["c2"].score == OTHER_DOC_FACTOR / (k + 1)  # first of the dense list, in the reduced pass
