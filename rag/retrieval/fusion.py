"""Weighted reciprocal-rank fusion (Cormack et al. 2009): ranked lists in, one fused ranking out.

Only ranks count, never the lists' own scores: a cosine and a BM25 score are not on one scale, and
ranks need no calibration. Each list gives an id `weight / (k + rank)`, rank counted from 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Id = TypeVar("Id", bound=Hashable)


def fuse(rankings: Sequence[Sequence[Id]], weights: Sequence[float], k: int = 60) -> list[tuple[Id, float]]:
    """(id, fused score) for every id in any list, best first.

    An id listed twice in one list counts once, at its better rank. Equal scores keep the order in
    which ids first appear (list by list), so the result is deterministic. Contributions are summed
    list by list in the order given: the Searcher's scores depend on that order down to the last bit.
    """
    if len(rankings) != len(weights):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    scores: dict[Id, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        seen: set[Id] = set()
        for rank, item in enumerate(ranking):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])
