"""The point a quote comes from: "EU AI Act › Chapter I › Article 2(10)", not the chunk's "Article 2 › 8–12".

A chunk's section path names the range of points it spans. A reader checking a quote, and a yes/no
question answered by "the governing provision", need the one point that holds it. The chunk text
carries the labels ("10. This Regulation…", "(e) Enabling…"), so walking the passage up to the quote
gives the point. A label that the walk did not see is never guessed: the range is kept instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.clauses import PATH_SEPARATOR, RANGE_DASH

# "4(a)", "1", "(a)(i)", "(10)", "3.1": a points element of a section path (or a range's opener).
_POINTS = re.compile(r"^(?P<head>\d{1,3}(?:\.\d{1,3})*)?(?P<parens>(?:\([a-z0-9]{1,5}\))*)$")
_PAREN = re.compile(r"\(([a-z0-9]{1,5})\)")
# A unit that its first point joins without a separator: "Article 2" + (10), "4.2" + (c).
_UNIT = re.compile(r"^(?:Article \d+[a-z]?|\d+(?:\.\d+)+)$")
_ARTICLE_HEADING = re.compile(r"^#+\s*(Article \d+[a-z]?)\b")
_RECITAL = re.compile(r"^Recital \d+")
# Labels that open a sentence: "10. ", "3.1. ", "(e) ", "(ii) ", "(12) ".
_NUM_MARK = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\.\s")
_PAREN_MARK = re.compile(r"^\s*\(([a-z]{1,5}|\d{1,3})\)\s")
_ROMAN = re.compile(r"^[ivx]+$")
_ROMAN_AFTER = {"i": "h", "v": "u", "x": "w"}  # "(i)" right after "(h)" is a letter, not one


@dataclass
class _Level:
    style: str  # num "10.", pnum "(10)", alpha "(e)", roman "(ii)"
    label: str
    seen: bool  # read in the passage, not inherited from the section path


def pinpoint(section: str, before: list[str], quote: str) -> str:
    """`section` narrowed to the point of `quote`, given the passage's sentences `before` it."""
    parts = section.split(PATH_SEPARATOR)
    if len(parts) < 2:
        return section
    last = parts[-1]
    opener = last.split(RANGE_DASH, 1)[0]
    if _RECITAL.match(last):
        return _recital(parts, [*before, quote]) or section
    unit_range = last.startswith("Article ") and RANGE_DASH in last
    match = _POINTS.match(opener)
    if not unit_range and (match is None or not opener):
        return section
    # A chunk spanning articles starts inside the opener; a heading moves to the next one.
    levels = [] if unit_range else _parse(match)  # type: ignore[arg-type]
    unit = opener if unit_range else parts[-2]
    for sentence in [*before, quote]:
        heading = _ARTICLE_HEADING.match(sentence)
        if unit_range and heading:
            unit, levels = heading.group(1), []
        else:
            _step(levels, sentence)
    if unit_range:
        return PATH_SEPARATOR.join([*parts[:-1], _join(unit, levels)])
    if not levels or not levels[-1].seen:
        return section
    if _UNIT.match(unit):
        return PATH_SEPARATOR.join([*parts[:-2], _join(unit, levels)])
    return PATH_SEPARATOR.join([*parts[:-1], _join("", levels)])


def _parse(match: re.Match[str]) -> list[_Level]:
    levels = []
    if match.group("head"):
        levels.append(_Level("num", match.group("head"), False))
    for label in _PAREN.findall(match.group("parens")):
        levels.append(_Level(_paren_style(label, levels), label, False))
    return levels


def _paren_style(label: str, levels: list[_Level]) -> str:
    if label.isdigit():
        return "pnum"
    if not _ROMAN.match(label):
        return "alpha"
    letters = [lv for lv in levels if lv.style == "alpha"]
    if len(label) == 1 and (not letters or letters[-1].label == _ROMAN_AFTER[label]):
        return "alpha"  # "(i)" after "(h)", or with no letter above it
    return "roman"


def _step(levels: list[_Level], sentence: str) -> None:
    num = _NUM_MARK.match(sentence)
    paren = _PAREN_MARK.match(sentence)
    if num:
        style, label = "num", num.group(1)
    elif paren:
        label = paren.group(1)
        style = _paren_style(label, levels)
    else:
        return
    for i, lv in enumerate(levels):
        if lv.style == style:
            del levels[i:]
            break
    levels.append(_Level(style, label, True))


def _join(unit: str, levels: list[_Level]) -> str:
    out = unit
    for i, lv in enumerate(levels):
        if lv.style == "num" and i == 0 and not unit:
            out = lv.label
        else:
            out += f"({lv.label})"
    return out


def _recital(parts: list[str], sentences: list[str]) -> str | None:
    last = None
    for sentence in sentences:
        m = _PAREN_MARK.match(sentence)
        if m and m.group(1).isdigit():
            last = m.group(1)
    return PATH_SEPARATOR.join([*parts[:-1], f"Recital {last}"]) if last else None
