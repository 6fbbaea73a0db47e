"""What kind of heading a heading line is: its label, nesting rank and the cost of merging into it.

Headings nest by kind (Part > Chapter/Annex/Sec. > EU Section > Article, dotted numbers by depth);
unnumbered and numbered-item headings ("weak" ones) nest by markdown level instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.chunking.paths import shorten
from rag.text.clauses import ROMAN_HEADING

__all__ = ["NOTES_TITLE", "HeadingSpec", "heading_spec"]


@dataclass(frozen=True)
class HeadingSpec:
    """How a heading line reads: kind (style), path label, number and nesting."""

    style: str
    label: str
    number: str = ""
    rank: int = 0  # 0: rank decided by context (weak or unnumbered headings)
    weight: float = 8.0  # cost of a chunk running on into this heading (see the table below)
    weak: bool = True
    unnumbered: bool = False
    empty_title: bool = False
    title: str = ""  # a numbered heading's words after its label ("Reporting of serious incidents")


_HEADING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"(?:Part|PART)[ \t]+(\d+|{ROMAN_HEADING})\b[.:]?[ \t]*(.*)")),
    ("chapter", re.compile(rf"(?:Chapter|CHAPTER)[ \t]+({ROMAN_HEADING}|\d+)\b[.:]?[ \t]*(.*)")),
    ("annex", re.compile(rf"(?:Annex|ANNEX)[ \t]+({ROMAN_HEADING}|\d+|[A-Z])\b[.:]?[ \t]*(.*)")),
    ("appendix", re.compile(r"(?:Appendix|APPENDIX)[ \t]+([A-Z]|\d+)\b[.:]?[ \t]*(.*)")),
    ("article", re.compile(r"(?:Article|ARTICLE)[ \t]+(\d+[a-z]?)(?:[ \t]*$|[ \t]*[—–:.-][ \t]*(.*))")),
    ("eu-section", re.compile(r"(?:SECTION[ \t]+(\d+)\b|Section[ \t]+(\d+)[ \t]+[—–-])[ \t—–-]*(.*)")),
    ("sec", re.compile(r"(?:Sec\.|Section|SECTION)[ \t]*(\d+)\.(?:[ \t]+(.*)|$)")),
    ("oecd-section", re.compile(r"(?:Section|SECTION)[ \t]+(\d+)[ \t]*:[ \t]*(.*)")),
    ("dotted", re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\.?(?:[ \t]+(.*)|$)")),
    ("h-num-dot", re.compile(r"(\d{1,3})\.[ \t]*(\S.*|$)")),
    ("h-num-paren", re.compile(r"(\d{1,3})\)[ \t]*(.*)")),
    ("h-paren-num", re.compile(r"\((\d{1,3})\)[ \t]*(.*)")),
    ("h-letter-dot", re.compile(r"([A-Z])\.[ \t]+(.*)")),
    ("h-roman-dot", re.compile(rf"({ROMAN_HEADING})\.[ \t]+(.*)")),
    ("h-section", re.compile(r"(?:Section|SECTION)[ \t]+([A-Z]|\d{1,2})\b[.:—–-]?[ \t]*(.*)")),
)
NOTES_TITLE = re.compile(r"\b(?:foot ?notes?|notes|endnotes)\b", re.IGNORECASE)

# Headings of fixed nesting: style -> (label template, rank, merge weight).  A lower rank is an outer
# unit (a heading closes open headings of equal or higher rank).  The weight is what a chunk pays to run
# on from one unit into the next under this heading: the larger the unit, the dearer, so chunks rather
# break at a Part than at an Article.  A cut at a heading itself is free (see segment.py).
_FIXED_KINDS: dict[str, tuple[str, int, float]] = {
    "part": ("Part {}", 10, 40.0),
    "chapter": ("Chapter {}", 20, 30.0),
    "annex": ("Annex {}", 10, 30.0),
    "appendix": ("Appendix {}", 10, 30.0),
    "article": ("Article {}", 40, 20.0),
    "eu-section": ("Section {}", 30, 25.0),  # a section of an EU chapter, between chapter and article
    "sec": ("Sec. {}", 20, 30.0),
    "oecd-section": ("Section {}", 20, 30.0),  # read as a "sec" heading
}
# Dotted numbers ("4.2", "1.2.1") nest by depth, one rank step per dot, from the rank of a section.
_DOTTED_BASE_RANK = 20
_DOTTED_RANK_STEP = 10
_DOTTED_WEIGHT = 20.0
# Weak headings nest by markdown level; cheap to merge into, since they name small units.
_WEAK_SECTION_WEIGHT = 10.0  # "Section A" inside an annex
_WEAK_NUMBERED_WEIGHT = 12.0  # "7.", "(3)", "A.", "IV." headings


def heading_spec(title: str) -> HeadingSpec:
    """Kind, label and nesting of a heading line's text (markup is ignored)."""
    title = title.replace("**", "").strip()
    if not title:
        return HeadingSpec("empty", "", weight=0.0, unnumbered=True)
    for style, pattern in _HEADING_PATTERNS:
        match = pattern.fullmatch(title)
        if match:
            number = next(g for g in match.groups() if g is not None)
            rest = (match.groups()[-1] or "").strip(" \t:.—–-")
            spec = _numbered_spec(style, number, rest)
            return replace(spec, title=shorten(rest)) if rest else spec
    return HeadingSpec("unnumbered", shorten(title), unnumbered=True)


def _numbered_spec(style: str, number: str, rest: str) -> HeadingSpec:
    empty = not rest
    if style in _FIXED_KINDS:
        template, rank, weight = _FIXED_KINDS[style]
        spec_style = "sec" if style == "oecd-section" else style
        return HeadingSpec(
            spec_style, template.format(number), number, rank, weight, False, empty_title=empty
        )
    if style == "dotted":
        rank = _DOTTED_BASE_RANK + _DOTTED_RANK_STEP * number.count(".")
        return HeadingSpec(style, number, number, rank, _DOTTED_WEIGHT, False, empty_title=empty)
    if style == "h-section":
        return HeadingSpec(
            style, f"Section {number}", number, 0, _WEAK_SECTION_WEIGHT, True, empty_title=empty
        )
    return HeadingSpec(style, number, number, 0, _WEAK_NUMBERED_WEIGHT, True, empty_title=empty)
