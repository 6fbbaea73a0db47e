"""Step 4: the cheapest segmentation of the atoms into chunks (dynamic programming over boundaries).

Cutting at a heading is free, between sibling points cheap (cheaper the shallower), between paragraphs
of one unit dearer, inside a paragraph (between sentences) dearest, and right after a heading almost
forbidden; crossing into a new heading inside a chunk costs by heading kind (``Atom.weight``).  Chunk
sizes below ``min_words`` pay a small penalty, below ~40 words a large one; above ``max_words`` is only
allowed for a single over-long sentence (with its headings).  The cheapest segmentation keeps whole
structural units together, merges short sibling points and splits at the deepest boundary that keeps
chunks in range.

The costs are relative to one another; only their order and rough ratios matter.
"""

from __future__ import annotations

from ingest.chunking.model import Atom

__all__ = ["segment"]

# A heading must stay with what it introduces: a chunk that ends on a heading line is useless.
_CUT_AFTER_HEADING = 200.0
# Cutting between two sentences of one paragraph splits an argument; only when nothing else fits.
_CUT_IN_PARAGRAPH = 40.0
# Two paragraphs of the same point (a further subparagraph) belong together, but may part.
_CUT_BETWEEN_PARAGRAPHS = 10.0
# A bullet continues the paragraph that introduces it, slightly more than a new paragraph does.
_CUT_BEFORE_BULLET = 12.0
# Between points: base cost by direction, plus a step per level shared, so that a cut falls at the
# shallowest boundary available ("(a)" | "(b)" before "(a)(i)" | "(a)(ii)").
_CUT_INTO_SUBLIST = 8.0  # the lead-in of a list and its first point: keep together
_CUT_OUT_OF_SUBLIST = 6.0  # the last sub-point and the next point up
_CUT_BETWEEN_POINTS = 1.0  # siblings or cousins: the natural place to cut
_CUT_PER_SHARED_LEVEL = 3.0
# Every chunk costs a little, so that of two otherwise equal segmentations the one with fewer wins.
_PER_CHUNK = 0.5
# Below min_words a chunk pays up to this much (quadratic in the missing share): short is allowed.
_SHORT_PENALTY = 10.0
# Tiny chunks (under _TINY_WORDS, or half of min_words) carry too little context to be retrieved well.
_TINY_PENALTY = 60.0
_TINY_WORDS = 40
# Over max_words only as one over-long sentence with its headings: at most this many atoms in all.
_MAX_OVERSIZE_ATOMS = 8
# Bounds the work per atom on pathological input (thousands of one-word sentences); real
# chunks in the corpus hold at most ~30 atoms.
_MAX_ATOMS_PER_CHUNK = 64


def _boundary_costs(atoms: list[Atom]) -> tuple[list[float], list[float]]:
    """``cut[k]``/``merge[k]``: cost of cutting / not cutting between atoms k-1 and k."""
    cut = [0.0] * len(atoms)
    merge = [0.0] * len(atoms)
    for k in range(1, len(atoms)):
        before, after = atoms[k - 1], atoms[k]
        if before.heading:
            cut[k] = _CUT_AFTER_HEADING
        elif after.heading:
            merge[k] = after.weight
        elif before.block == after.block:
            cut[k] = _CUT_IN_PARAGRAPH
        else:
            cut[k] = _item_boundary_cost(before, after)
    return cut, merge


def _item_boundary_cost(before: Atom, after: Atom) -> float:
    a, b = before.items, after.items
    common = 0
    while common < len(a) and common < len(b) and a[common] is b[common]:
        common += 1
    if common == len(a) == len(b):
        return _CUT_BEFORE_BULLET if after.bullet else _CUT_BETWEEN_PARAGRAPHS
    if common == len(a):
        return _CUT_INTO_SUBLIST + _CUT_PER_SHARED_LEVEL * common
    if common == len(b):
        return _CUT_OUT_OF_SUBLIST + _CUT_PER_SHARED_LEVEL * common
    return _CUT_BETWEEN_POINTS + _CUT_PER_SHARED_LEVEL * common


def _size_cost(words: int, min_words: int) -> float:
    if words >= min_words:
        return 0.0
    deficit = (min_words - words) / min_words
    tiny = min(_TINY_WORDS, min_words // 2)
    return _SHORT_PENALTY * deficit * deficit + (_TINY_PENALTY if words < tiny else 0.0)


def segment(atoms: list[Atom], min_words: int, max_words: int) -> list[tuple[int, int]]:
    """Cheapest split of ``atoms`` into runs; returns ``(start, end)`` atom index pairs."""
    n = len(atoms)
    cut, merge = _boundary_costs(atoms)
    words = [0] * (n + 1)
    merged = [0.0] * (n + 1)
    bodies = [0] * (n + 1)
    for k, atom in enumerate(atoms):
        words[k + 1] = words[k] + atom.words
        merged[k + 1] = merged[k] + merge[k]
        bodies[k + 1] = bodies[k] + (0 if atom.heading else 1)
    size_costs = [_size_cost(size, min_words) for size in range(max_words + 1)]
    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    # opening[i]: everything a chunk starting at atom i pays that does not depend on its end;
    # merge[i] is the boundary before the chunk, so only merges from i + 1 on count.
    opening = [0.0] * (n + 1)
    for j in range(1, n + 1):
        i = j - 1
        opening[i] = best[i] + (cut[i] if i else 0.0) - merged[i + 1]
        closing = merged[j] + _PER_CHUNK
        words_j, bodies_j = words[j], bodies[j]
        best_j, back_j = inf, i
        lowest = max(0, j - _MAX_ATOMS_PER_CHUNK)
        while i >= lowest:
            size = words_j - words[i]
            if size > max_words:
                if j - i > _MAX_OVERSIZE_ATOMS or bodies_j - bodies[i] > 1:
                    break
                cost = opening[i] + closing
            else:
                cost = opening[i] + size_costs[size] + closing
            if cost < best_j:
                best_j, back_j = cost, i
            i -= 1
        best[j], back[j] = best_j, back_j
    bounds = []
    j = n
    while j > 0:
        bounds.append((back[j], j))
        j = back[j]
    return bounds[::-1]
