"""Initials a passage spells out: "ITU" is its "International Telecommunication Union", "SBA" its "Small
Business Administration". People type the initials and the texts often give the name in full, so a name
check by words alone reads "ITU" as a name no passage mentions (dev probes pg6-052)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rag.text.tokenize import tokenize

_INITIALS = re.compile(r"\b[A-Z]{2,6}\b")
_JOINER = r"(?:(?:of|and|for|on|the|&)\s+)*"


@lru_cache(maxsize=512)
def _spelled(initials: str) -> re.Pattern[str]:
    return re.compile(r"\b" + rf"\s+{_JOINER}".join(rf"{letter}[a-z]+" for letter in initials) + r"\b")


def spelled_out_initials(phrase: str, texts: Sequence[str]) -> set[str]:
    """The tokens of the initials in `phrase` ("ITU on AI for Good" → {"itu"}) that one of `texts` spells
    out, capitalised words in order with "of", "and", "for", "on", "the" between them allowed."""
    found: set[str] = set()
    for initials in _INITIALS.findall(phrase):
        if any(_spelled(initials).search(text) for text in texts):
            found.update(tokenize(initials))
    return found
