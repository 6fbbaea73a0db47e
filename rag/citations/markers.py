"""Citation markers: find whatever `[n]` forms an answerer wrote and assign them to sentences.

Small models are sloppy: `[1, 2]`, `[Source 2]`, `【1】`, markers pushed to the start of the next
sentence, ranges, prose ("according to source 2"). Everything here is about recovering which source
numbers each sentence meant; whether those numbers are valid is the verifier's business.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.text.sentences import sentence_spans

_OPEN = r"[\[［【〔]"
_CLOSE = r"[\]］】〕]"
# Whitespace is bounded ({0,3}) everywhere so that pathological input ("[" followed by a megabyte
# of spaces, repeated) cannot make the regex engine go quadratic.
_LABEL = (
    r"(?:(?:sources?|src|refs?|references?|docs?|documents?|passages?|citations?|s|#|\^)"
    r"\s{0,3}[:#.]?\s{0,3})?"
)
_NUM_LIST = r"\d+(?:\s{0,3}(?:,|;|&|and|-|–|—|to)\s{0,3}(?:(?:sources?|s|#)\s{0,3})?\d+){0,50}"
_MARKER_RE = re.compile(
    rf"{_OPEN}\s{{0,3}}{_LABEL}(?P<nums>{_NUM_LIST})(?:\s{{0,3}}†[^\]】\n]{{0,40}})?\s{{0,3}}{_CLOSE}"
    # "(Source 2)" is a citation, but a bare "(1)" is not: legal text is full of "(1)", "(a)".
    rf"|\(\s{{0,3}}(?:sources?|refs?|passages?|docs?|documents?)\s{{0,3}}[:#]?\s{{0,3}}(?P<pnums>{_NUM_LIST})\s{{0,3}}\)"
    # "According to source 2, ..." cites in prose; the phrase goes, the claim stays.
    rf"|\b(?:according\s+to|as\s+(?:stated|noted|mentioned|described|set\s+out)\s+in)\s+(?:the\s+)?"
    rf"(?:sources?|passages?|documents?)\s{{0,3}}#?\s{{0,3}}(?P<tnums>{_NUM_LIST})\s{{0,3}},?",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(r"(\d+)\s*(?:-|–|—|to)\s*(?:(?:sources?|s|#)\s*)?(\d+)", re.IGNORECASE)
_INT_RE = re.compile(r"\d+")
_MAX_RANGE = 10
_MAX_DIGITS = 18  # longer "numbers" point nowhere anyway; this keeps int() cheap and bounded

_EMPTY_BRACKETS_RE = re.compile(r"\[\s*\]|\(\s*\)|［\s*］|【\s*】")
SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?)\]。、！？」』）])")
WS_RE = re.compile(r"\s+")
_ALNUM_RE = re.compile(r"[^\W_]")


@dataclass
class ParsedSentence:
    """One answer sentence with its citation markers removed; `start`/`end` index the raw answer."""

    text: str
    cited: list[int]
    start: int = 0
    end: int = 0


@dataclass
class _Marker:
    start: int
    end: int
    numbers: list[int]


def _marker_numbers(body: str) -> list[int]:
    numbers: list[int] = []
    consumed: list[tuple[int, int]] = []
    for m in _RANGE_RE.finditer(body):
        lo, hi = _to_int(m.group(1)), _to_int(m.group(2))
        if 0 < hi - lo <= _MAX_RANGE:
            numbers.extend(range(lo, hi + 1))
        else:  # "[3-1]" or "[1-500]": keep the endpoints, let validation sort them out
            numbers.extend([lo, hi])
        consumed.append(m.span())
    for m in _INT_RE.finditer(body):
        if not any(a <= m.start() < b for a, b in consumed):
            numbers.append(_to_int(m.group()))
    return numbers


def _to_int(digits: str) -> int:
    return int(digits[:_MAX_DIGITS])


def _find_markers(text: str) -> list[_Marker]:
    markers = []
    for m in _MARKER_RE.finditer(text):
        body = next((m.group(g) for g in ("nums", "pnums", "tnums") if m.group(g) is not None), "")
        markers.append(_Marker(m.start(), m.end(), _marker_numbers(body or "")))
    return markers


def _blank(text: str, markers: Sequence[_Marker]) -> str:
    """Markers replaced by spaces of the same length, so offsets stay those of the raw text."""
    chars = list(text)
    for mk in markers:
        chars[mk.start : mk.end] = " " * (mk.end - mk.start)
    return "".join(chars)


def _tidy(fragment: str) -> str:
    fragment = _EMPTY_BRACKETS_RE.sub(" ", fragment)
    fragment = WS_RE.sub(" ", fragment)
    return SPACE_BEFORE_PUNCT_RE.sub(r"\1", fragment).strip()


def sentence_ranges(text: str) -> list[tuple[int, int]]:
    """Sentence offsets in `text`; the whole text as one sentence when the splitter finds none.
    A Japanese full stop (。！？) ends a sentence too: a generated Japanese answer has no space after it."""
    spans = [(a, b) for a, b in sentence_spans(text) if 0 <= a < b <= len(text)]
    if not spans and text.strip():
        spans = [(0, len(text))]
    return [piece for span in spans for piece in _japanese_stops(text, *span)]


_JA_STOP = re.compile(r"[。！？]+(?![」』）)])")  # not inside a quotation: 「…。」と述べた


def _japanese_stops(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _JA_STOP.finditer(text, a, b):
        end = m.end()
        rest = text[end:b]
        if rest.strip() and _ALNUM_RE.search(_EMPTY_BRACKETS_RE.sub("", _MARKER_RE.sub("", rest))):
            out.append((a, end))
            a = end + len(rest) - len(rest.lstrip())
    out.append((a, b))
    return out


def parse_answer(text: str) -> list[ParsedSentence]:
    """Split an answer into sentences and collect the source numbers each one cites.

    Markers between two sentences (the model put "[1]" after the full stop, or the splitter moved
    it to the next sentence) belong to the sentence before, unless that one already has its own
    markers and the next has none: then the model is writing prefix-style citations.
    A sentence without markers gets none; nothing is inherited from its neighbours.
    """
    if not text:
        return []
    markers = _find_markers(text)
    blanked = _blank(text, markers)
    sents = _content_sentences(blanked)
    if not sents:
        return []
    cited = _assign(markers, sents)
    return [
        ParsedSentence(_tidy(blanked[a:b]), _dedupe(nums), a, b)
        for (a, _, b), nums in zip(sents, cited, strict=True)
    ]


def _content_sentences(blanked: str) -> list[tuple[int, int, int]]:
    """(start, content_start, end) of every sentence that has a letter or digit left once unmarked."""
    sents: list[tuple[int, int, int]] = []
    for a, b in sentence_ranges(blanked):
        if _ALNUM_RE.search(_tidy(blanked[a:b])):
            content = a + (len(blanked[a:b]) - len(blanked[a:b].lstrip()))
            sents.append((a, content, b))
    return sents


def _assign(markers: Sequence[_Marker], sents: Sequence[tuple[int, int, int]]) -> list[list[int]]:
    """The source numbers each sentence cites, boundary markers resolved as `parse_answer` says."""
    inline: list[list[int]] = [[] for _ in sents]
    boundary: list[list[int]] = [[] for _ in sents]  # markers just before sentence i's content
    ends = [end for _, _, end in sents]
    for mk in markers:
        i = _owner(ends, mk.start)
        if i is None:  # after the last sentence
            inline[-1].extend(mk.numbers)
        elif mk.start >= sents[i][1] or i == 0:
            inline[i].extend(mk.numbers)
        else:
            boundary[i].extend(mk.numbers)
    cited = [list(nums) for nums in inline]
    for i in range(1, len(sents)):
        if not boundary[i]:
            continue
        prefix_style = bool(inline[i - 1]) and not inline[i]
        cited[i if prefix_style else i - 1].extend(boundary[i])
    return cited


def _owner(ends: Sequence[int], pos: int) -> int | None:
    """Index of the sentence whose span (or the gap before it) holds `pos`; None after the last."""
    i = bisect.bisect_right(ends, pos)
    return i if i < len(ends) else None


def _dedupe(numbers: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(numbers))
