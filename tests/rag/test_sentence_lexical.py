"""BM25 over single sentences: a chunk ranks by its best sentence, and the index is kept per fingerprint."""

from __future__ import annotations

import numpy as np
import pytest

from rag.retrieval.lexical import LexicalIndex
from rag.retrieval.sentence_lexical import SentenceLexical, sentence_lexical

# Chunk 0 says "high-risk" in every sentence; chunk 1 holds the one sentence about creditworthiness among
# unrelated ones, the shape of the AI Act's Annex III against its articles on high-risk systems.
BODIES = [
    "High-risk AI systems shall be registered. Providers of high-risk AI systems shall keep logs. "
    "The high-risk AI system shall be accompanied by instructions. Deployers of high-risk systems shall "
    "monitor them.",
    "Employment and workers management are covered. Access to essential private services is covered. "
    "AI systems intended to be used to evaluate the creditworthiness of natural persons. "
    "Migration and border control are covered. Administration of justice is covered.",
    "The Commission shall adopt delegated acts. Member States shall lay down penalties.",
]


def test_a_chunk_ranks_by_its_best_sentence_where_whole_chunks_rank_the_repeated_word() -> None:
    query, expansion = "high-risk loan", "creditworthiness"  # the glossary's term for "loan"
    chunks = LexicalIndex.build(["0", "1", "2"], BODIES, "fp")
    whole = chunks.scores(query) + 2.0 * chunks.scores(expansion)
    assert whole[0] > whole[1]  # over whole chunks, four "high-risk" sentences outweigh one rare term
    sl = SentenceLexical.build(BODIES, "fp", expansion_weight=2.0)
    assert len(sl) == 4 + 5 + 2
    best = sl.best_per_chunk(query, expansion)
    assert best[1] > best[0] > 0  # sentence by sentence, the one that holds it wins
    assert best[2] == -1.0  # no sentence matches: unscored, as the dense sentence table marks it


def test_the_expansion_weight_scales_the_glossary_terms() -> None:
    sl = SentenceLexical.build(BODIES, "fp")
    low = sl.best_per_chunk("high-risk", "creditworthiness")[1]
    sl.expansion_weight = 2.0
    assert sl.best_per_chunk("high-risk", "creditworthiness")[1] == pytest.approx(2 * low)
    sl.expansion_weight = 0.0
    assert sl.best_per_chunk("high-risk", "creditworthiness")[1] == -1.0


def test_kept_copy_is_read_back_for_the_same_fingerprint_only(tmp_path) -> None:
    folder = tmp_path / "sentence_bm25"
    calls: list[int] = []

    def bodies() -> list[str]:
        calls.append(1)
        return BODIES

    first = sentence_lexical(bodies, len(BODIES), folder, "fp-1", expansion_weight=2.0)
    again = sentence_lexical(bodies, len(BODIES), folder, "fp-1", expansion_weight=2.0)
    assert calls == [1]  # the second start read the copy and split nothing
    assert again.expansion_weight == 2.0
    q = "creditworthiness of persons"
    np.testing.assert_allclose(first.best_per_chunk(q), again.best_per_chunk(q))
    sentence_lexical(bodies, len(BODIES), folder, "fp-2")  # the content changed: rebuilt
    assert calls == [1, 1]
    assert SentenceLexical.load(folder, "fp-2", n_chunks=2) is None  # rows beyond the table: not trusted


def test_without_a_folder_it_is_built_in_memory() -> None:
    sl = sentence_lexical(lambda: BODIES, len(BODIES), None, "fp")
    assert len(sl) == 11
