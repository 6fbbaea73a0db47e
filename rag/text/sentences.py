"""Sentence boundaries for legal and policy text.

``sentence_spans`` returns ``(start, end)`` character spans into the input.  Each span is
trimmed of surrounding whitespace, spans are in order and never overlap, and together they
cover every non-whitespace character of the input (so callers can map any quote back).

Segmentation happens in two steps:

1. The text is cut into *segments* at hard breaks: a blank line, a markdown heading line
   (always its own sentence), a line that starts a list item or labelled point
   (``-``, ``•``, ``(a)``, ``1.``, ``4.2.``, ``[3]`` ...) and a line ending in terminal
   punctuation.  Any other single newline is a soft wrap inside a paragraph.
2. Inside a segment, a sentence ends after ``.``, ``!`` or ``?`` (plus closing quotes or
   brackets) followed by whitespace and a character that can start a sentence.  There is no
   break after known abbreviations (Art., No., e.g., i.e., U.S., etc., Mr., Dr., Sec., para.,
   Ltd., Inc., vs. ...), dotted initialisms, single-letter initials, or the enumeration label
   that opens a segment (``(a)``, ``1.``, ``4.2.``, ``ii.``).  Periods inside numbers
   (``1.4``, ``$1.5 billion``) are never followed by whitespace, so they never split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# fmt: off
_ABBREVIATIONS = frozenset({
    "art", "arts", "no", "nos", "nr", "e.g", "i.e", "u.s", "u.k", "u.n", "etc", "mr", "mrs", "ms", "dr",
    "prof", "sec", "secs", "para", "paras", "ltd", "inc", "vs", "v", "cf", "fig", "figs", "p", "pp", "vol",
    "vols", "ch", "chap", "sect", "co", "corp", "jr", "sr", "st", "approx", "ibid", "op", "cit", "al", "jan",
    "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "subpara", "ann", "viz", "ca",
    "ff", "seq", "resp", "dept", "govt", "ph.d", "u.s.a", "u.s.c", "a.m", "p.m",
})
# Words after which a single capital letter is a label ("Annex I. The"), not an initial.
_LABEL_WORDS = frozenset({
    "annex", "chapter", "part", "title", "section", "appendix", "schedule", "table", "figure", "point",
    "article",
})
# fmt: on

_HEADING_LINE = re.compile(r"#{1,6}(?:[ \t]|$)")
_LIST_START = re.compile(
    r"""[ \t]*(?:
        [-•*‒–—·▪◦]\s                                  # bullets
      | \(\s?[0-9]{1,3}\s?\)                          # (1)
      | \([A-Za-z]{1,2}\)                             # (a) (aa) (A)
      | \([ivxlcIVXLC]{1,6}\)                         # (iv)
      | [0-9]{1,3}(?:\.[0-9]{1,3})*[.)](?=\s|$)       # 1.  4.2.  1)
      | [A-Za-z][.)](?=\s)                            # a)  A.
      | [ivxIVX]{1,6}[.)](?=\s)                       # ii.  IV.
      | \[[0-9]{1,4}\]                                # [3] footnotes
      | \*\*                                          # bold lead-ins and pseudo-headings
    )""",
    re.VERBOSE,
)
# The label that opens a segment: its period is part of the label, not a sentence end.
_LEADING_LABEL = re.compile(
    r"""\s*(?:
        \(\s?[0-9]{1,3}\s?\) | \([A-Za-z]{1,2}\) | \([ivxlcIVXLC]{1,6}\)
      | [0-9]{1,3}(?:\.[0-9]{1,3})*\.? | [A-Za-z][.)] | [ivxIVX]{1,6}[.)]
    )(?=\s)""",
    re.VERBOSE,
)
_LINE_END_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]]*[ \t]*$")
_TERMINATOR = re.compile(r"[.!?]+[\"'”’»)\]]*(?=\s)")
_NO_SENTENCE_START = frozenset(",;:)]}%")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, e.g, i.e, a.m


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return trimmed ``(start, end)`` spans of the sentences in ``text``."""
    spans: list[tuple[int, int]] = []
    for seg_start, seg_end, is_heading in _segments(text):
        if is_heading:
            spans.append(_trim(text, seg_start, seg_end))
            continue
        spans.extend(_split_segment(text, seg_start, seg_end))
    return [span for span in spans if span[0] < span[1]]


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` as strings (see ``sentence_spans``)."""
    return [text[start:end] for start, end in sentence_spans(text)]


def lines_with_offsets(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, line) for every line of `text`, the last one included even without a newline."""
    pos = 0
    while True:
        newline = text.find("\n", pos)
        end = len(text) if newline == -1 else newline
        yield pos, end, text[pos:end]
        if newline == -1:
            return
        pos = newline + 1


def _segments(text: str) -> list[tuple[int, int, bool]]:
    """Cut ``text`` at hard breaks; yields ``(start, end, is_heading)`` for non-blank segments."""
    segments: list[tuple[int, int, bool]] = []
    seg_start: int | None = None
    prev_line = ""
    for pos, line_end, line in lines_with_offsets(text):
        if not line.strip():
            if seg_start is not None:
                segments.append((seg_start, pos, False))
                seg_start = None
        elif _HEADING_LINE.match(line):
            if seg_start is not None:
                segments.append((seg_start, pos, False))
                seg_start = None
            segments.append((pos, line_end, True))
        else:
            starts_item = bool(_LIST_START.match(line))
            breaks_after_prev = bool(_LINE_END_TERMINAL.search(prev_line))
            if seg_start is not None and (starts_item or breaks_after_prev):
                segments.append((seg_start, pos, False))
                seg_start = None
            if seg_start is None:
                seg_start = pos
        prev_line = line
    if seg_start is not None:
        segments.append((seg_start, len(text), False))
    return segments


def _split_segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    segment = text[start:end]
    label = _LEADING_LABEL.match(segment)
    search_from = label.end() if label else 0
    spans: list[tuple[int, int]] = []
    sentence_start = 0
    for match in _TERMINATOR.finditer(segment, search_from):
        next_pos = _skip_space(segment, match.end())
        if next_pos >= len(segment):
            break
        if _is_sentence_end(segment, match, next_pos):
            spans.append(_trim(text, start + sentence_start, start + match.end()))
            sentence_start = next_pos
    spans.append(_trim(text, start + sentence_start, end))
    return spans


def _is_sentence_end(segment: str, match: re.Match[str], next_pos: int) -> bool:
    following = segment[next_pos]
    if following.islower() or following in _NO_SENTENCE_START:
        return False
    if "." not in match.group(0) or match.group(0).rstrip("\"'”’»)]").endswith(("!", "?")):
        return True
    return not _ends_with_abbreviation(segment, match.start())


def _ends_with_abbreviation(segment: str, period_pos: int) -> bool:
    """Whether the period at ``period_pos`` closes an abbreviation or initial, not a sentence."""
    before = segment[max(0, period_pos - 80) : period_pos]
    if not before or before[-1].isspace():
        return False
    words = before.rsplit(None, 2)
    token = words[-1].lstrip("(\"'“‘[")
    if not token:
        return False
    if token.lower() in _ABBREVIATIONS or _INITIALISM.fullmatch(token):
        return True
    if len(token) == 1 and token.isalpha():
        previous = words[-2] if len(words) > 1 else ""
        return previous.lower() not in _LABEL_WORDS
    return False


def _skip_space(segment: str, pos: int) -> int:
    while pos < len(segment) and segment[pos].isspace():
        pos += 1
    return pos


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def asked_part(question: str) -> str:
    """The last sentence that asks (ends with "?"), or the whole question when none or only one does."""
    parts = [question[a:b] for a, b in sentence_spans(question)]
    asking = [p for p in parts if p.rstrip().endswith("?")]
    return asking[-1] if len(parts) > 1 and asking else question
