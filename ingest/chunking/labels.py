"""Point labels that open a body paragraph: ``1.``, ``(a)``, ``(i)``, ``(A)``, ``(1)``, ``a)``, ``i.``,
CoE's bare ``1``/``a``, NIST ``GOVERN 1``/``GOVERN 1.1``.

A label that is both a letter and a roman numeral (``(i)``, ``(v)``, ``(x)``) has two readings; the
structurer picks one from the sequence it continues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.clauses import point_numeral_value

__all__ = ["OUTERMOST_STYLES", "UNREFERENCED_STYLES", "Label", "label_candidates"]


@dataclass(frozen=True)
class Label:
    """One reading of the label that opens a paragraph."""

    style: str
    value: int
    display: str
    part: str  # "(x)" piece appended to the parent's reference id
    token: str  # raw label text, for look-ahead comparisons
    strict: bool = False  # needs sequence evidence: bare "1 The" / "a facilitating" styles
    needs_colon: bool = False
    standalone: bool = False
    numeric: bool = False
    nist: str = ""
    continue_only: bool = False


_NIST_CATEGORY = re.compile(r"\*\*(GOVERN|MAP|MEASURE|MANAGE)[ \t]+(\d{1,2}):?\*\*")
_NIST_SUBCATEGORY = re.compile(r"[-•][ \t]+(GOVERN|MAP|MEASURE|MANAGE)[ \t]+(\d{1,2}\.\d{1,2}):")
_LABEL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("paren-num", re.compile(r"\(\s?(\d{1,3})\s?\)(?=\s)")),
    ("paren-lower", re.compile(r"\(([a-z]{1,5})\)(?=\s)")),
    ("paren-upper", re.compile(r"\(([A-Z]{1,5})\)(?=\s)")),
    ("dotted", re.compile(r"(\d{1,3}(?:\.\d{1,3})+)\.?(?=\s)")),
    ("num-dot", re.compile(r"(\d{1,3})\.(?=\s|[A-Z])")),  # "24.We welcome" (typo in the source)
    ("num-comma", re.compile(r"(\d{1,3}),(?=[ \t]+[A-Z])")),  # "11, We are" (typo in the source)
    ("num-paren", re.compile(r"(\d{1,3})\)(?=\s)")),
    ("lower-paren", re.compile(r"([a-z]{1,5})\)(?=\s)")),
    ("lower-dot", re.compile(r"([a-z]{1,5})\.(?=\s)")),
    ("upper-dot", re.compile(r"([A-Z]{1,5})\.(?=\s)")),
    ("num-space", re.compile(r"(\d{1,2})[ \t]+(?=[A-Z])")),
    ("lower-space", re.compile(r"([a-z])[ \t]+(?=\S)")),
)
# Styles that only ever open a top-level list: NIST categories and the OECD's operative
# paragraphs "I. AGREES", "II. RECOMMENDS" (which must not nest under the point before them).
OUTERMOST_STYLES = frozenset({"nist-cat", "upper-dot/roman", "upper-dot/letter"})
# The reference grammar has no ids for the OECD's operative paragraphs.
UNREFERENCED_STYLES = frozenset({"upper-dot/roman", "upper-dot/letter"})


def _letter_value(token: str) -> int:
    token = token.lower()
    if len(token) == 1 and token.isalpha():
        return ord(token) - 96
    if len(token) == 2 and token[0] == token[1] and token.isalpha():
        return 26 + ord(token[0]) - 96  # (aa), (bb) ... follow (z)
    return 0


def label_candidates(line: str) -> list[Label]:
    """All readings of the label opening ``line`` (two for ``(i)``-like tokens)."""
    nist = _NIST_CATEGORY.match(line)
    if nist:
        fn, number = nist.group(1), nist.group(2)
        return [
            Label(
                "nist-cat",
                int(number),
                f"{fn} {number}",
                "",
                f"{fn} {number}",
                standalone=True,
                nist=f"{fn.lower()} {number}",
            )
        ]
    nist = _NIST_SUBCATEGORY.match(line)
    if nist:
        fn, number = nist.group(1), nist.group(2)
        return [
            Label(
                "nist-sub",
                int(number.split(".")[1]),
                f"{fn} {number}",
                "",
                f"{fn} {number}",
                standalone=True,
                nist=f"{fn.lower()} {number}",
            )
        ]
    for style, pattern in _LABEL_PATTERNS:
        match = pattern.match(line)
        if match:
            return _readings(style, match.group(1))
    return []


def _readings(style: str, token: str) -> list[Label]:
    if style in ("paren-num", "num-dot", "num-paren", "num-space", "num-comma"):
        value = int(token)
        display = f"({value})" if style == "paren-num" else str(value)
        if style == "num-comma":
            # Only a mistyped "N." when it continues a numbered list ("10." then "11, We").
            return [
                Label(
                    "num-dot",
                    value,
                    display,
                    f"({value})",
                    token,
                    strict=True,
                    numeric=True,
                    continue_only=True,
                )
            ]
        return [Label(style, value, display, f"({value})", token, strict=style == "num-space", numeric=True)]
    if style == "dotted":
        return [Label(style, 0, token, f"({token})", token, standalone=True)]
    if style == "lower-space":
        return [
            Label(
                style, _letter_value(token), f"({token})", f"({token})", token, strict=True, needs_colon=True
            )
        ]
    # "A." / "IV." print bare; every other letter or numeral style prints as "(x)".
    display = token if style == "upper-dot" else f"({token})"
    part = f"({token.lower()})"
    readings = []
    letter, roman = _letter_value(token), point_numeral_value(token)
    if letter:
        # A capital letter and a period also opens ordinary lines ("R. METSOLA"), so that
        # reading needs sequence evidence.
        readings.append(Label(style + "/letter", letter, display, part, token, strict=style == "upper-dot"))
    if roman:
        readings.append(Label(style + "/roman", roman, display, part, token))
    return readings
