"""MMR over token-id overlap: the matrix form must pick exactly what pairwise set Jaccard picked."""

from __future__ import annotations

import random

import numpy as np
import pytest

from rag.evidence import MMR_LAMBDA, ChunkSentences, _jaccard_matrix, _mmr


def _reference_picks(rel: list[float], sets: list[frozenset[int]], n_chosen: int, k: int) -> list[int]:
    """The set-by-set MMR the matrix form replaced (kept here as the oracle)."""

    def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
        shared = len(a & b)
        return shared / (len(a) + len(b) - shared or 1)

    chosen = list(range(n_chosen))
    rest = list(range(n_chosen, len(rel)))
    sim = [max((jaccard(sets[r], sets[c]) for c in chosen), default=0.0) for r in rest]
    while len(chosen) < k and rest:
        i = max(range(len(rest)), key=lambda j: MMR_LAMBDA * rel[rest[j]] - (1 - MMR_LAMBDA) * sim[j])
        best = rest.pop(i)
        del sim[i]
        chosen.append(best)
        sim = [max(v, jaccard(sets[r], sets[best])) for v, r in zip(sim, rest)]
    return chosen


def _scored(rel: float, ids: frozenset[int], i: int) -> tuple:
    cached = ChunkSentences([], frozenset(), np.asarray(sorted(ids), dtype=np.int64))
    return (rel, i, cached, 0.0, [])


@pytest.mark.parametrize("seed", range(30))
def test_matrix_mmr_picks_what_set_jaccard_picked(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    # Few distinct scores and overlapping vocabularies, so that ties and near-ties happen.
    rel = [rng.choice([0.2, 0.35, 0.5, 0.5, 0.8]) for _ in range(n)]
    sets = [frozenset(rng.sample(range(60), rng.randint(0, 25))) for _ in range(n)]
    n_chosen = rng.randint(0, min(3, n))
    k = rng.randint(1, 12)
    items = [_scored(r, s, i) for i, (r, s) in enumerate(zip(rel, sets))]
    chosen, rest = items[:n_chosen], items[n_chosen:]
    _mmr(chosen, rest, k)
    assert [c[1] for c in chosen] == _reference_picks(rel, sets, n_chosen, k)


def test_jaccard_matrix_counts_shared_tokens_and_empty_sets() -> None:
    ids = [np.asarray([1, 2, 3]), np.asarray([2, 3, 4, 5]), np.asarray([], dtype=np.int64)]
    m = _jaccard_matrix(ids)
    assert m[0, 1] == pytest.approx(2 / 5) and m[1, 0] == m[0, 1]
    assert m[0, 0] == 1.0 and m[2, 2] == 0.0 and m[0, 2] == 0.0
