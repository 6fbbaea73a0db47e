"""Walking a passage by its clause labels: "Article 5(1)(f)" is the sentence labelled "(f)" after the one
labelled "1." (the extractive answer quotes the named point, not the whole article)."""

from __future__ import annotations

import re

from rag.evidence import ScoredSentence

_LEVELS = re.compile(r"\(([a-z0-9]+)\)")


def clause_levels(ref: str) -> list[str]:
    """Labels below the top unit: 'article 5(1)(f)' → ['1', 'f']; 'paragraph 6(m)' → ['6', 'm']."""
    kind, _, rest = ref.partition(" ")
    head = re.match(r"[0-9a-z.]+", rest)
    levels = _LEVELS.findall(rest)
    if kind in ("paragraph", "item") and head:
        return [head.group(0), *levels]
    return levels


def _starts_with_label(text: str, label: str) -> bool:
    t = text.lstrip("# ").lstrip()
    return bool(re.match(rf"(?:\({re.escape(label)}\)|{re.escape(label)}\.)(?:\s|$)", t, re.I))


def find_labelled(sents: list[ScoredSentence], levels: list[str]) -> ScoredSentence | None:
    """Walk the passage: '1.' then '(f)' → the sentence of point 1(f)."""
    if not levels:
        return None
    i = 0
    for s in sents:
        if _starts_with_label(s.text, levels[i]):
            i += 1
            if i == len(levels):
                return s
    return None
