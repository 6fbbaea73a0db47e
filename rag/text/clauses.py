"""Pieces of the clause-id grammar shared by the chunker (ingest) and the question parser (rag).

Roman numerals and the heading-path separator are written the same way on both sides: the chunker
tags chunks with ``chapter ii`` / ``annex iii(4)`` and joins heading paths with `` › ``; the question
parser must read the numerals the same way to land on those ids.
"""

from __future__ import annotations

__all__ = [
    "PATH_SEPARATOR",
    "RANGE_DASH",
    "ROMAN_HEADING",
    "ROMAN_LOWER",
    "int_to_roman",
    "point_numeral_value",
    "roman_to_int",
]

# Joins the elements of a chunk's heading path: "EU AI Act › Chapter II › Article 5 › 1(f)".
PATH_SEPARATOR = " › "
# Joins the first and last point of a chunk that spans several: "1(e)–(g)", "Article 86–87".
RANGE_DASH = "–"

# A numeral as printed in a heading ("Chapter XII", "Annex III", "IV. ..."): upper case, up to C.
ROMAN_HEADING = r"[IVXLC]+"
# A numeral in normalized (lower-case) question text: "annex iii", "chapter xl".
ROMAN_LOWER = r"[ivxl]+"

_ROMAN_PAIRS = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip
# Point labels "(i)".."(xxxix)" use i, v and x only. Without "xl", forty is "xxxx": the chunker has
# always read "(xxxx)" as 40, which the full grammar rejects; both readings are kept as they were.
_POINT_PAIRS = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _encode(n: int, pairs: tuple[tuple[int, str], ...]) -> str:
    out = []
    for value, letters in pairs:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _decode(s: str, pairs: tuple[tuple[int, str], ...]) -> int | None:
    values = {letters: value for value, letters in pairs if len(letters) == 1}
    s = s.lower()
    if not s or any(c not in values for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = values[c]
        total += -v if i + 1 < len(s) and values[s[i + 1]] > v else v
    # Only the canonical spelling counts: "iiii" and "ic" are not numerals.
    return total if total > 0 and _encode(total, pairs) == s else None


def int_to_roman(n: int) -> str:
    """Lowercase roman numeral; '' for n <= 0."""
    return _encode(n, _ROMAN_PAIRS)


def roman_to_int(s: str) -> int | None:
    """Value of a well-formed roman numeral (any case), else None: "iiii" and "ic" are not numerals."""
    return _decode(s, _ROMAN_PAIRS)


def point_numeral_value(token: str) -> int:
    """Value of a point label's numeral made of i, v and x ("iv" -> 4, "xxxx" -> 40), else 0."""
    return _decode(token, _POINT_PAIRS) or 0
