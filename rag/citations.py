"""Verified citations for every answer mode.

Answerers (the extractive composer, a small local LLM, any OpenAI-compatible LLM) write text with
`[n]` markers that point at numbered `Source`s. Small models are sloppy: `[1, 2]`, `[Source 2]`,
`【1】`, markers pushed to the start of the next sentence, numbers that point nowhere, no markers at
all, invented dates. This module parses whatever they wrote, checks every sentence against the
sources it cites and rebuilds an answer in which each kept sentence carries valid `[n]` markers.

The support check is deliberately conservative about *facts* (numbers, dates, percentages, money,
names): one fabricated year or actor is enough to drop a sentence, because that is the error users
cannot spot. Wording is judged loosely (content-word overlap, optionally embedding similarity),
because paraphrase is the answerer's job.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import numpy as np

from rag.core.models import Citation, Sentence, Source
from rag.text.sentences import sentence_spans

EmbedFn = Callable[[list[str]], np.ndarray]

# ---------------------------------------------------------------------------------------------
# Marker parsing
# ---------------------------------------------------------------------------------------------

_OPEN = r"[\[［【〔]"
_CLOSE = r"[\]］】〕]"
# Whitespace is bounded ({0,3}) everywhere so that pathological input ("[" followed by a megabyte
# of spaces, repeated) cannot make the regex engine go quadratic.
_LABEL = r"(?:(?:sources?|src|refs?|references?|docs?|documents?|passages?|citations?|s|#|\^)\s{0,3}[:#.]?\s{0,3})?"
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


@dataclass
class ParsedSentence:
    """One answer sentence with its citation markers removed; `start`/`end` index the raw answer."""

    text: str
    cited: list[int]
    start: int = 0
    end: int = 0

    @property
    def text_without_markers(self) -> str:
        return self.text


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


_EMPTY_BRACKETS_RE = re.compile(r"\[\s*\]|\(\s*\)|［\s*］|【\s*】")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([.,;:!?)\]])")
_WS_RE = re.compile(r"\s+")
_HSPACE_RE = re.compile(r"[^\S\n]+")
_LINES_RE = re.compile(r"\s*\n\s*")
_ALNUM_RE = re.compile(r"[^\W_]")


def _tidy(fragment: str) -> str:
    fragment = _EMPTY_BRACKETS_RE.sub(" ", fragment)
    fragment = _WS_RE.sub(" ", fragment)
    return _SPACE_BEFORE_PUNCT_RE.sub(r"\1", fragment).strip()


def _spans(text: str) -> list[tuple[int, int]]:
    spans = [(a, b) for a, b in sentence_spans(text) if 0 <= a < b <= len(text)]
    if not spans and text.strip():
        spans = [(0, len(text))]
    return spans


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
    sents: list[tuple[int, int, int]] = []  # (start, content_start, end)
    for a, b in _spans(blanked):
        if _ALNUM_RE.search(_tidy(blanked[a:b])):
            content = a + (len(blanked[a:b]) - len(blanked[a:b].lstrip()))
            sents.append((a, content, b))
    if not sents:
        return []
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
    return [
        ParsedSentence(_tidy(blanked[a:b]), _dedupe(nums), a, b)
        for (a, _, b), nums in zip(sents, cited, strict=True)
    ]


def _owner(ends: Sequence[int], pos: int) -> int | None:
    """Index of the sentence whose span (or the gap before it) holds `pos`; None after the last."""
    i = bisect.bisect_right(ends, pos)
    return i if i < len(ends) else None


def _dedupe(numbers: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


# ---------------------------------------------------------------------------------------------
# Text normalisation and fact extraction
# ---------------------------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUP_TAG_RE = re.compile(r"<sup>\s*([-−]?\d+)\s*</sup>", re.IGNORECASE)
_SUP_CHARS_RE = re.compile(r"(?<=\d)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_POWER_RE = re.compile(r"(?<=\d)\s?(?:\*\*|\^)\s?(?=\d)")
_SCI_RE = re.compile(r"(?<![\w.])1(?:\.0)?[eE]\+?(\d{1,3})(?!\w)")
_DOTTED_ACRONYM_RE = re.compile(r"\b((?:[A-Z]\.){2,})")
_MARKDOWN_RE = re.compile(r"\*\*|__|`+|^#+\s*|^\s*[-*•]\s+", re.MULTILINE)
_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": " - ",
        "―": " - ",
        "−": "-",
    }
)


def normalise(text: str) -> str:
    """Canonical surface form for comparison: exponents as 10^N, straight quotes, NFKC, one space.

    Line breaks survive (as one newline, or a blank line) because the sentence splitter uses them.
    """
    text = _SUP_TAG_RE.sub(r"^\1", text)
    text = _SUP_CHARS_RE.sub(lambda m: "^" + m.group(1).translate(_SUPERSCRIPTS), text)
    text = _POWER_RE.sub("^", text)
    text = _SCI_RE.sub(r"10^\1", text)
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _DOTTED_ACRONYM_RE.sub(lambda m: m.group(1).replace(".", ""), text)
    text = _MARKDOWN_RE.sub(" ", text)
    text = _HSPACE_RE.sub(" ", text)
    return _LINES_RE.sub(lambda m: "\n\n" if m.group().count("\n") > 1 else "\n", text).strip()


_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# Capitalised only: "may" and "march" are also verbs.
_MONTH_NAMES = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_M = rf"(?P<m>{_MONTH_NAMES})\.?"
_D = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_D1 = r"(?P<d1>[0-3]?\d)"
_Y = r"(?P<y>(?:1[89]|2[01])\d\d)"
_TO = r"\s?(?:-|to|and)\s?"
_DAY_RANGE_RES = [  # "2-3 May 2024", "May 2 to 3": both days are claimed
    re.compile(rf"\b{_D1}{_TO}{_D}\s{_M}(?:,?\s{_Y})?\b"),
    re.compile(rf"\b{_M}\s{_D1}{_TO}{_D}\b(?:,?\s{_Y}\b)?"),
]
_DATE_RES = [
    re.compile(rf"(?<!\d){_Y}-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?!\d)"),
    re.compile(rf"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.{_Y}(?!\d)"),  # "12.7.2024", Official Journal
    re.compile(rf"\b{_D}\s(?:of\s)?{_M},?\s{_Y}\b"),
    re.compile(rf"\b{_M}\s{_D},?\s{_Y}\b"),
    re.compile(rf"\b{_M},?\s(?:of\s)?{_Y}\b"),
    re.compile(rf"\b{_D}\s(?:of\s)?{_M}(?![\w])"),
    re.compile(rf"\b{_M}\s{_D}\b(?!,?\s\d)"),
]
_CURRENCIES = {
    "$": "usd",
    "us$": "usd",
    "usd": "usd",
    "dollar": "usd",
    "dollars": "usd",
    "€": "eur",
    "eur": "eur",
    "euro": "eur",
    "euros": "eur",
    "£": "gbp",
    "gbp": "gbp",
    "pound": "gbp",
    "pounds": "gbp",
    "¥": "jpy",
    "jpy": "jpy",
    "yen": "jpy",
}
_CUR_PREFIX = r"(?P<cur>US\$|\$|€|£|¥|\b(?:USD|EUR|GBP|JPY))\s?"
_CUR_SUFFIX = r"\s?(?P<cur2>euros?|dollars?|yen|pounds?|USD|EUR|GBP|JPY)\b"
_NUM = r"(?P<num>\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\^(?P<exp>-?\d{1,3}))?"
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn)\b)?"
_SCALES = {
    "thousand": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
}
_NUM_START = r"(?<![\w.^])"
_MONEY_RES = [
    re.compile(rf"{_CUR_PREFIX}{_NUM}{_SCALE}", re.IGNORECASE),
    re.compile(rf"{_NUM_START}{_NUM}{_SCALE}{_CUR_SUFFIX}", re.IGNORECASE),
]
_SOURCE_REF_RE = re.compile(r"\b(?:sources?|passages?)\s?#?\d+(?:\s?(?:,|and|&)\s?\d+)*", re.IGNORECASE)
_ENUMERATOR_RE = re.compile(r"(?:^|(?<=[\s;:,]))\((?:\d{1,2}|[a-z]{1,3})\)(?=\s)")
_PERCENT_RE = re.compile(rf"{_NUM_START}{_NUM}\s?(?:%|per ?cent\b|percent\b)", re.IGNORECASE)
_NUMBER_RE = re.compile(rf"{_NUM_START}{_NUM}{_SCALE}(?!\d)", re.IGNORECASE)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# "one" is a pronoun far more often than a count ("one of the principles"), so a sentence is never
# required to back it up; a source saying "one" still counts as evidence for "1".
_UNCHECKED_NUMBER_WORDS = {"one", "hundred"}
_CURRENCY_WORD_RE = re.compile(
    r"US\$|\$|€|£|¥|\b(?:USD|EUR|GBP|JPY|euros?|dollars?|yen|pounds?)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class _Fact:
    kind: str  # "date", "number", "percentage", "money"
    display: str
    needs: tuple[frozenset[str], ...]  # every element must meet the evidence in at least one key


def _canon_number(raw: str, scale: str | None = None, exp: str | None = None) -> frozenset[str]:
    """All keys under which this number may appear in a source ("10,000" → 10000; 10^25 ↔ 1025)."""
    digits = raw.replace(",", "").replace(" ", "")
    if exp is not None:
        # PDF extraction flattens 10^25 to "1025" (the EU AI Act text here does exactly that).
        return frozenset(
            {f"n:{digits}^{int(exp)}", f"n:{digits}{int(exp)}"}
            if digits == "10"
            else {f"n:{digits}^{int(exp)}"}
        )
    if len(digits) > 30:
        return frozenset({"n:" + digits.lstrip("0")})
    try:
        value = Decimal(digits) * _SCALES.get((scale or "").lower(), 1)
    except InvalidOperation:
        return frozenset({"n:" + digits})
    keys = {"n:" + _format_decimal(value)}
    if not scale and re.fullmatch(r"10[1-9]\d", digits):
        keys.add(f"n:10^{digits[2:]}")
    return frozenset(keys)


def _format_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def _date_keys(m: re.Match[str], day_group: str = "d") -> tuple[str, frozenset[str]]:
    groups = m.groupdict()
    year, day = groups.get("y"), groups.get(day_group)
    month_raw = groups.get("m")
    month = int(month_raw) if month_raw and month_raw.isdigit() else _MONTHS.get((month_raw or "").lower(), 0)
    if not 1 <= month <= 12 or (day is not None and not 1 <= int(day) <= 31):
        return "", frozenset()
    if year and day:
        # A source that gives the day without the year ("scheduled for May 2") still backs
        # "2 May 2024" when it names 2024 elsewhere; "&" joins keys that must all be present.
        return "date", frozenset(
            {f"d:{year}-{month:02d}-{int(day):02d}", f"yl:{month:02d}-{int(day):02d}&n:{year}"}
        )
    if year:
        return "date", frozenset({f"d:{year}-{month:02d}"})
    # "yl:" marks a day given without a year; only such a mention may pair with a year found elsewhere.
    return "date", frozenset({f"md:{month:02d}-{int(day or 0):02d}", f"yl:{month:02d}-{int(day or 0):02d}"})


def _extract_facts(text: str) -> list[_Fact]:
    """Dates, money, percentages and numbers in `text` (already normalised), longest match first."""
    facts: list[_Fact] = []
    starts: list[int] = []  # claimed spans, kept sorted and disjoint so a lookup is a bisect
    ends: list[int] = []

    def claim(m: re.Match[str]) -> bool:
        a, b = m.span()
        i = bisect.bisect_left(starts, a)
        if (i > 0 and ends[i - 1] > a) or (i < len(starts) and starts[i] < b):
            return False
        starts.insert(i, a)
        ends.insert(i, b)
        return True

    for range_re in _DAY_RANGE_RES:
        for m in range_re.finditer(text):
            first, last = _date_keys(m, "d1"), _date_keys(m)
            if first[1] and last[1] and claim(m):
                facts.extend(_Fact("date", m.group().strip(), (keys,)) for _, keys in (first, last))
    for date_re in _DATE_RES:
        for m in date_re.finditer(text):
            kind, keys = _date_keys(m)
            if keys and claim(m):
                facts.append(_Fact(kind, m.group().strip(), (keys,)))
    for money_re in _MONEY_RES:
        for m in money_re.finditer(text):
            if claim(m):
                groups = m.groupdict()
                cur = _CURRENCIES.get((groups.get("cur") or groups.get("cur2") or "").lower(), "")
                needs = (_canon_number(m.group("num"), m.group("scale"), m.group("exp")),)
                facts.append(
                    _Fact("money", m.group().strip(), needs + ((frozenset({"c:" + cur}),) if cur else ()))
                )
    for label_re in (_ENUMERATOR_RE, _SOURCE_REF_RE):
        for m in label_re.finditer(text):
            claim(m)  # "(3) stress AI's benefits", "source 2 says": labels, not claims
    for m in _PERCENT_RE.finditer(text):
        if claim(m):
            keys = _canon_number(m.group("num"), None, m.group("exp"))
            facts.append(_Fact("percentage", m.group().strip(), (frozenset("p:" + k[2:] for k in keys),)))
    for m in _NUMBER_RE.finditer(text):
        if claim(m):
            kind = "date" if _is_year(m) else "number"
            facts.append(
                _Fact(
                    kind,
                    m.group().strip(),
                    (_canon_number(m.group("num"), m.group("scale"), m.group("exp")),),
                )
            )
    for m in _NUMBER_WORD_RE.finditer(text):
        if claim(m):
            word = m.group().lower()
            facts.append(
                _Fact(
                    "number" if word not in _UNCHECKED_NUMBER_WORDS else "",
                    m.group(),
                    (frozenset({f"n:{_NUMBER_WORDS[word]}"}),),
                )
            )
    return facts


def _is_year(m: re.Match[str]) -> bool:
    return (
        m.group("exp") is None
        and m.group("scale") is None
        and re.fullmatch(r"(?:1[89]|20)\d\d", m.group("num")) is not None
    )


def _evidence_keys(facts: Iterable[_Fact], text: str) -> set[str]:
    """Every key a source's facts can satisfy, with coarser forms (a full date also backs its year)."""
    keys: set[str] = set()
    for fact in facts:
        for alternatives in fact.needs:
            for key in alternatives:
                if "&" in key:
                    continue
                keys.add(key)
                if key.startswith("d:"):
                    ymd = key[2:].split("-")
                    keys.update(
                        {f"d:{ymd[0]}", f"n:{ymd[0]}"} | ({f"d:{ymd[0]}-{ymd[1]}"} if len(ymd) > 1 else set())
                    )
                    if len(ymd) == 3:
                        keys.add(f"md:{ymd[1]}-{ymd[2]}")
                elif key.startswith("p:"):
                    keys.add("n:" + key[2:])
    keys.update("c:" + _CURRENCIES[m.group().lower()] for m in _CURRENCY_WORD_RE.finditer(text))
    return keys


# ---------------------------------------------------------------------------------------------
# Words, names and stems
# ---------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_][\w'&-]*")


def _words(text: str) -> list[str]:
    return text.split()


_STOP_WORDS = frozenset(
    _words(
        """a about above across after again against all also although am among an and any are as at be
    because been before being below between both but by can could did do does doing done down during
    each either etc even ever every for from further had has have having he her here hers him his how
    however i if in into is it its itself just may me might more most must my neither no nor not now of
    off on once only or other our ours out over own per rather same she should since so some such than
    that the their theirs them then there these they this those though through thus to too under until
    up upon us very via was we were what when where whether which while who whom whose why will with
    within without would yet you your yours shall also e.g i.e namely including include includes
    according source sources passage passages document documents text states state stated says say
    said notes note non"""
    )
)
_ENTITY_STOP = frozenset(
    _words(
        """the a an this that these those under in on at by for of to and or but with from as if when
    while where which who what however also it its their there here all each every both such no not
    article articles annex annexes section sections chapter chapters recital recitals paragraph
    paragraphs point points title part figure table appendix art arts para sec i monday tuesday
    wednesday thursday friday saturday sunday usd eur gbp jpy"""
    )
) | frozenset(_MONTHS)
_CONNECTORS = frozenset({"of", "for", "and", "the", "on", "in", "de", "du", "des", "la", "le", "&"})
_ACRONYM_RE = re.compile(r"[A-Z][A-Za-z0-9&]{1,7}")
_ALIASES = {
    "ai": ("artificial intelligence",),
    "us": ("united states", "america"),
    "usa": ("united states", "america"),
    "uk": ("united kingdom",),
    "eu": ("european union",),
    "un": ("united nations",),
    "g7": ("group of seven",),
    "g20": ("group of twenty",),
    "aisi": ("ai safety institute", "artificial intelligence safety institute"),
    "gpai": (
        "general-purpose ai",
        "general purpose ai",
        "global partnership on ai",
        "global partnership on artificial intelligence",
    ),
    "llm": ("large language model",),
    "ml": ("machine learning",),
    "flop": ("floating point operation", "floating-point operation"),
}
_SUFFIXES = (
    "izations",
    "isations",
    "ization",
    "isation",
    "ational",
    "atives",
    "ations",
    "ation",
    "atory",
    "ments",
    "ment",
    "ities",
    "ity",
    "ness",
    "ings",
    "ing",
    "ives",
    "ive",
    "ates",
    "ated",
    "ate",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "al",
    "s",
)
_STEM_LEN = 5


def _stem(word: str) -> str:
    """Suffix strip then a 5-letter prefix: crude, but symmetric and good enough for overlap."""
    if len(word) > 4 and word.endswith(("ies", "ied")):  # applies, applied → apply
        return (word[:-3] + "y")[:_STEM_LEN]
    for suffix in _SUFFIXES:
        # "ly" needs a long word: "apply" and "only" are not adverbs of "app" and "on".
        if word.endswith(suffix) and len(word) - len(suffix) >= (4 if suffix == "ly" else 3):
            word = word[: -len(suffix)]
            break
    return word[:_STEM_LEN]


_DEMONYMS = {
    "japanese": "japan",
    "american": "america",
    "european": "europe",
    "chinese": "china",
    "british": "britain",
    "italian": "italy",
    "french": "france",
    "german": "germany",
    "canadian": "canada",
    "korean": "korea",
    "indian": "india",
    "australian": "australia",
}


def _word_forms(word: str) -> set[str]:
    """Lower-case lookup forms of one word: possessive and plural dropped, hyphen parts split."""
    w = word.lower().rstrip("'")
    w = w.removesuffix("'s")
    forms = {w, w.replace("-", "")} | set(w.split("-"))
    forms |= {_DEMONYMS[f] for f in list(forms) if f in _DEMONYMS}
    forms |= {f[:-1] for f in list(forms) if len(f) > 3 and f.endswith("s") and not f.endswith("ss")}
    forms |= {f[:-3] + "y" for f in list(forms) if len(f) > 4 and f.endswith("ies")}
    return {f for f in forms if f}


def _content_stems(text: str) -> set[str]:
    stems = set()
    for token in _WORD_RE.findall(text.lower()):
        for word in token.replace("'s", "").split("-"):
            word = word.strip("'&")
            if len(word) < 2 or word in _STOP_WORDS or not word[0].isalpha():
                continue
            stems.add(_stem(word))
    return stems


@dataclass(frozen=True)
class _Name:
    display: str
    tokens: tuple[str, ...]  # the words that must be found (connectors and sentence-initial word dropped)
    initials: str
    pairs: tuple[tuple[str, str], ...]  # neighbouring words that must stay neighbours in the source


def _is_acronym(token: str) -> bool:
    """NIST, G7, LLMs, CoE: short, and more than its first letter in capitals or digits."""
    return _ACRONYM_RE.fullmatch(token) is not None and sum(c.isupper() or c.isdigit() for c in token) >= 2


def _is_capitalised(token: str) -> bool:
    return token[0].isupper()


def _cap_sequences(text: str) -> list[list[tuple[str, int]]]:
    """Runs of capitalised words ("Secretary of Commerce", "AI Safety Institute") with word indexes."""
    words = [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    runs: list[list[tuple[str, int]]] = []
    i = 0
    while i < len(words):
        if not _is_capitalised(words[i][0]):
            i += 1
            continue
        run = [(words[i][0], i)]
        j = i + 1
        while j < len(words) and _adjacent(text, words[j - 1], words[j]):
            token = words[j][0]
            joins_next = (
                token.lower() in _CONNECTORS
                and j + 1 < len(words)
                and _is_capitalised(words[j + 1][0])
                and _adjacent(text, words[j], words[j + 1])
            )
            if _is_capitalised(token) or joins_next:
                run.append((token, j))
                j += 1
            else:
                break
        runs.append(run[:12])
        i = j
    return runs


def _adjacent(text: str, left: tuple[str, int, int], right: tuple[str, int, int]) -> bool:
    return text[left[2] : right[1]].strip() == ""


def _initials(tokens: Sequence[str], with_connectors: bool = False) -> str:
    return "".join(
        t if _is_acronym(t) else t[0] for t in tokens if with_connectors or t.lower() not in _CONNECTORS
    ).lower()


def _extract_names(text: str) -> list[_Name]:
    names = []
    for run in _cap_sequences(text):
        tokens = [t for t, _ in run]
        # A capital at the start of the sentence says nothing: "Providers must..." is not a name.
        if run[0][1] == 0 and not _is_acronym(tokens[0]):
            tokens = tokens[1:]
        while tokens and tokens[0].lower() in _CONNECTORS:
            tokens = tokens[1:]
        required = tuple(t for t in tokens if _required_name_word(t))
        if required:
            names.append(_Name(" ".join(tokens), required, _initials(tokens), _name_pairs(tokens)))
    return names


def _required_name_word(token: str) -> bool:
    return (
        token.lower() not in _CONNECTORS
        and not _word_forms(token) & _ENTITY_STOP
        and (len(token) > 1 or _is_acronym(token))
    )


def _name_pairs(tokens: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Neighbouring name words, except across "and": "Amazon, Microsoft and Japanese companies"
    lists names, while "Economic Co-operation and Development" is one; only the first is common."""
    pairs = []
    previous: str | None = None
    for token in tokens:
        if token.lower() in {"and", "&"}:
            previous = None
        elif _required_name_word(token):
            if previous is not None and not (_is_acronym(previous) or _is_acronym(token)):
                pairs.append((previous, token))
            previous = token
    return tuple(pairs)


def _evidence_initials(text: str) -> set[str]:
    """Initials of every run of capitalised words, so "NIST" is found in "National Institute of ...".

    Sub-runs count too: "the US AI Safety Institute" defines both "AISI" and "USAISI".
    """
    out: set[str] = set()
    for run in _cap_sequences(text):
        tokens = [t for t, _ in run]
        for a in range(len(tokens)):
            for b in range(a + 2, len(tokens) + 1):
                # "CoE" keeps the "o" of "of"; "NIST" drops the "and" of "Standards and Technology".
                out.update({_initials(tokens[a:b]), _initials(tokens[a:b], with_connectors=True)})
    return out


# ---------------------------------------------------------------------------------------------
# Support checking
# ---------------------------------------------------------------------------------------------

# Negators. Legal idioms that are not denials ("no later than", "not less than", "not limited
# to", "No 1025/2012") are left out, or every deadline would look negated; so is "non-", which
# is mostly a noun prefix ("non-compliance", "non-discrimination").
_NEGATION_RE = re.compile(
    r"\b(?:never|neither|nor|cannot|unlike|impossible|unable|outside|rather\s+than|instead\s+of"
    r"|(?:not|no)(?!\s+(?:\d|(?:later|earlier|more|less|fewer|longer|only|exceed\w*|limited)\b)))\b|n't\b",
    re.IGNORECASE,
)
# Opposites that carry polarity without a negator ("mandatory" vs "voluntary"). Each pair is
# (affirming, opposing); a clause conflicts when it uses one side and its source only the other.
_ANTONYMS = (
    (
        re.compile(r"\b(?:mandatory|compulsory|obligatory|(?<!non-)binding)\b", re.IGNORECASE),
        re.compile(r"\b(?:voluntary|optional|non-binding)\b", re.IGNORECASE),
    ),
    (
        re.compile(r"\b(?:prohibit\w*|ban|bans|banned|forbid\w*|outlaw\w*)\b", re.IGNORECASE),
        re.compile(r"\b(?:allow\w*|permit|permits|permitted|permissible)\b", re.IGNORECASE),
    ),
)
_LEADING_YES_NO_RE = re.compile(r"^\s*(?:yes|no)\b\s*[,.!:;-]+\s*", re.IGNORECASE)
_SCOPE_WORDS = 6  # words after a negator that it is taken to deny
_CLAUSE_RE = re.compile(
    r"[;:]|,\s*(?=(?:but|whereas|while|although|however|unless|except)\b)|\b(?:but|whereas)\b", re.IGNORECASE
)
_MIN_CLAUSE_STEMS = 3  # shorter clauses ("It is not mandatory") are too vague to pair with a source clause
_QUOTED_RE = re.compile(r'"([^"]{12,})"')
_ELLIPSIS_RE = re.compile(r"\.\.\.|…")
_EDGE_PUNCT = " .,;:!?\"'()[]"


@dataclass(frozen=True)
class _Clause:
    stems: frozenset[str]
    negated: bool
    scope: frozenset[str]  # content stems of the words that the negators deny
    sides: tuple[tuple[bool, bool], ...]  # per _ANTONYMS pair: uses the first side, the second


def _clause(text: str) -> _Clause:
    text = _LEADING_YES_NO_RE.sub("", text)  # "No. Japan's guidelines are soft law": an answer, not a denial
    scope: set[str] = set()
    matches = list(_NEGATION_RE.finditer(text))
    for m in matches:
        scope |= _content_stems(" ".join(text[m.end() :].split()[:_SCOPE_WORDS]))
    sides = tuple((a.search(text) is not None, b.search(text) is not None) for a, b in _ANTONYMS)
    return _Clause(frozenset(_content_stems(text)), bool(matches), frozenset(scope), sides)


@dataclass(frozen=True)
class _Doc:
    """Everything the checker needs from one text, computed once."""

    norm: str
    squashed: str  # lower case, single spaces, no space before punctuation: for substring tests
    stems: frozenset[str]
    words: frozenset[str]
    positions: dict[str, tuple[int, ...]]  # word form → word indexes, to test that names stay together
    keys: frozenset[str]
    initials: frozenset[str]
    facts: tuple[_Fact, ...]
    names: tuple[_Name, ...]
    clauses: tuple[_Clause, ...]


def _squash(text: str) -> str:
    return _SPACE_BEFORE_PUNCT_RE.sub(r"\1", _WS_RE.sub(" ", text.lower())).strip()


@lru_cache(maxsize=1024)
def _analyse(text: str) -> _Doc:
    norm = normalise(text)
    facts = tuple(_extract_facts(norm))
    positions: dict[str, list[int]] = {}
    for i, w in enumerate(_WORD_RE.findall(norm)):
        for form in _word_forms(w):
            positions.setdefault(form, []).append(i)
    clauses = tuple(
        _clause(clause) for a, b in _spans(norm) for clause in _CLAUSE_RE.split(norm[a:b]) if clause.strip()
    )
    return _Doc(
        norm=norm,
        squashed=_squash(norm),
        stems=frozenset(_content_stems(norm)),
        words=frozenset(positions),
        positions={k: tuple(v) for k, v in positions.items()},
        keys=frozenset(_evidence_keys(facts, norm)),
        initials=frozenset(_evidence_initials(norm)),
        facts=facts,
        names=tuple(_extract_names(norm)),
        clauses=clauses,
    )


def _union(docs: Sequence[_Doc]) -> _Doc:
    if len(docs) == 1:
        return docs[0]
    return _Doc(
        norm="\n".join(d.norm for d in docs),
        squashed="\n".join(d.squashed for d in docs),
        stems=frozenset().union(*(d.stems for d in docs)),
        words=frozenset().union(*(d.words for d in docs)),
        positions=_merge_positions(docs),
        keys=frozenset().union(*(d.keys for d in docs)),
        initials=frozenset().union(*(d.initials for d in docs)),
        facts=tuple(f for d in docs for f in d.facts),
        names=tuple(n for d in docs for n in d.names),
        clauses=tuple(c for d in docs for c in d.clauses),
    )


def _merge_positions(docs: Sequence[_Doc]) -> dict[str, tuple[int, ...]]:
    """Word positions of several passages in one index space, with a gap so no name spans two."""
    merged: dict[str, list[int]] = {}
    offset = 0
    for doc in docs:
        last = 0
        for form, where in doc.positions.items():
            merged.setdefault(form, []).extend(i + offset for i in where)
            last = max(last, where[-1])
        offset += last + _NAME_WINDOW + 2
    return {k: tuple(v) for k, v in merged.items()}


@dataclass
class SupportVerdict:
    supported: bool
    score: float
    reason: str


# Calibration (lexical checker, these defaults), on evals/data/support_labels.jsonl (88 hand-labelled
# pairs: 44 supported paraphrases/quotes; 44 with a changed date, number, actor or polarity, or unrelated):
#   agreement(SupportChecker(), pairs) = 0.864 (76/88): 3 false accepts, 9 false drops. All 9 drops are
#     names that live in the document title, not the passage ("the AI Act", "the G7", "EO 14110");
#   with each pair's document title prepended, as verify() does: 0.920 (81/88), no false drops; the 7
#     false accepts are contradictions that reuse the source's own words (a date moved to another
#     chapter, "Parliament" for "Commission" found elsewhere in the passage, "publish" for "store").
# Content-word overlap separates the classes with a margin: supported pairs ≥ 0.54, unrelated ≤ 0.33,
# so 0.45 sits in the gap (titled agreement: 0.920 for 0.3-0.5, 0.909 at 0.6, 0.898 at 0.7). Gold answer
# sentences of evals/data/questions.jsonl against their evidence in context pass at 0.92 (91/99).
# With the bundled MiniLM, unrelated pairs reach cosine 0.56 and paraphrases 0.61-0.94: 0.6 lets
# embeddings rescue low-overlap paraphrases without admitting unrelated text; agreement is unchanged.
DEFAULT_MIN_OVERLAP = 0.45
DEFAULT_MIN_SIMILARITY = 0.6
DEFAULT_MIN_PARAPHRASE_OVERLAP = 0.25
_MIN_CONTENT_WORDS = 2
_SHORT_SENTENCE_WORDS = 3


class SupportChecker:
    """Decides whether passages support a sentence.

    Facts are a hard gate: every date, number, percentage, amount and name in the sentence must
    occur in the passages. Then the wording: content-word overlap of at least `min_overlap`, or,
    when an embedding function is given, cosine similarity of at least `min_similarity` to some
    passage sentence together with a lower lexical floor (`min_paraphrase_overlap`), so that a
    fluent paraphrase passes but an on-topic sentence with unrelated content does not.
    A sentence found verbatim in the passages always passes.
    """

    def __init__(
        self,
        embed: EmbedFn | None = None,
        *,
        min_overlap: float = DEFAULT_MIN_OVERLAP,
        min_similarity: float = DEFAULT_MIN_SIMILARITY,
        min_paraphrase_overlap: float = DEFAULT_MIN_PARAPHRASE_OVERLAP,
        check_negation: bool = True,
        embed_cache_size: int = 4096,
    ) -> None:
        self.embed = embed
        self.min_overlap = min_overlap
        self.min_similarity = min_similarity
        self.min_paraphrase_overlap = min_paraphrase_overlap
        self.check_negation = check_negation
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = embed_cache_size
        self._cache_lock = threading.Lock()  # one checker serves concurrent requests in the API

    def check(self, sentence: str, passages: Sequence[str]) -> SupportVerdict:
        passages = [p for p in passages if p and p.strip()]
        if not passages:
            return SupportVerdict(False, 0.0, "no source text")
        sent = _analyse(sentence)
        evidence = _union([_analyse(p) for p in passages])
        if _is_verbatim(sent.norm, evidence.squashed):
            return SupportVerdict(True, 1.0, "verbatim quote")
        overlap = self.overlap(sentence, passages)
        problem = (
            _missing_fact(sent, evidence) or _missing_quote(sent, evidence) or _missing_name(sent, evidence)
        )
        if problem:
            return SupportVerdict(False, overlap, problem)
        if self.check_negation and _negation_conflict(sent, evidence):
            return SupportVerdict(False, overlap, "negation does not match source")
        has_facts = any(f.kind for f in sent.facts)
        if not has_facts and len(sent.stems) < _MIN_CONTENT_WORDS:
            # "It applies." shares a word with almost anything: there is no claim to back.
            return SupportVerdict(False, overlap, "too little content to verify")
        if not has_facts and len(sent.stems) < _SHORT_SENTENCE_WORDS and overlap < 1.0:
            # In a short line ("Key points:") half the words is one word: all of them must be found.
            return SupportVerdict(False, overlap, f"low overlap {overlap:.2f}")
        if overlap >= self.min_overlap:
            return SupportVerdict(True, overlap, f"overlap {overlap:.2f}")
        if not sent.stems and has_facts:
            # "Since 11 May 2023." answers a "when" question with nothing but facts, all found above.
            return SupportVerdict(True, 1.0, "all facts found")
        if self.embed is None:
            return SupportVerdict(False, overlap, f"low overlap {overlap:.2f}")
        similarity = self.similarity(sentence, passages)
        if similarity >= self.min_similarity and overlap >= self.min_paraphrase_overlap:
            return SupportVerdict(True, similarity, f"similarity {similarity:.2f}, overlap {overlap:.2f}")
        return SupportVerdict(
            False, max(overlap, similarity), f"low overlap {overlap:.2f}, similarity {similarity:.2f}"
        )

    def overlap(self, sentence: str, passages: Sequence[str]) -> float:
        """Share of the sentence's content words (stemmed) that occur in the passages."""
        stems = _analyse(sentence).stems
        if not stems:
            return 0.0
        evidence = frozenset().union(*(_analyse(p).stems for p in passages)) if passages else frozenset()
        return len(stems & evidence) / len(stems)

    def similarity(self, sentence: str, passages: Sequence[str]) -> float:
        """Best cosine between the sentence and any single passage sentence (or whole passage)."""
        if self.embed is None:
            return 0.0
        candidates: list[str] = []
        for passage in passages:
            candidates.append(passage)
            candidates.extend(passage[a:b] for a, b in _spans(passage) if b - a > 1)
        candidates = [c.strip() for c in candidates if c.strip()][:256]
        if not candidates:
            return 0.0
        vectors = self._vectors([sentence, *candidates])
        return float(np.clip(np.max(vectors[1:] @ vectors[0]), -1.0, 1.0))

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """Embeddings of `texts`, from an LRU cache: the same passages are checked sentence after sentence."""
        if self.embed is None:
            raise ValueError("this SupportChecker has no embedding function")
        with self._cache_lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            rows = np.asarray(self.embed(missing), dtype=np.float32).reshape(len(missing), -1)
            found.update(zip(missing, rows, strict=True))
        with self._cache_lock:
            for text in texts:
                self._cache[text] = found[text]
                self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])


def _is_verbatim(sentence: str, squashed_evidence: str) -> bool:
    """The sentence (or each "..."-separated piece of it) occurs word for word in the evidence."""
    pieces = [_squash(p).strip(_EDGE_PUNCT) for p in _ELLIPSIS_RE.split(sentence)]
    pieces = [p for p in pieces if p]
    # A four-word floor keeps "It applies." from passing just because those words occur somewhere.
    if not pieces or sum(len(p.split()) for p in pieces) < 4:
        return False
    return all(p in squashed_evidence for p in pieces)


def _missing_fact(sent: _Doc, evidence: _Doc) -> str:
    for fact in sent.facts:
        if fact.kind and not all(_satisfied(alts, evidence.keys) for alts in fact.needs):
            return f"{fact.kind} {fact.display} not in source"
    return ""


def _satisfied(alternatives: frozenset[str], keys: frozenset[str]) -> bool:
    return any(all(part in keys for part in alt.split("&")) for alt in alternatives)


def _missing_quote(sent: _Doc, evidence: _Doc) -> str:
    for m in _QUOTED_RE.finditer(sent.norm):
        quoted = m.group(1)
        if len(quoted.split()) >= 3 and not _is_verbatim(quoted, evidence.squashed):
            return f'quote "{_clip(quoted)}" not in source'
    return ""


_NAME_WINDOW = 3  # "Secretary of Commerce" and "Commerce Secretary" are the same name


def _missing_name(sent: _Doc, evidence: _Doc) -> str:
    for name in sent.names:
        if name.initials in evidence.words and len(name.tokens) > 1:
            continue  # "National Institute of Standards and Technology" backed by "NIST"
        for token in name.tokens:
            if not _token_found(token, evidence):
                return f"name {token} not in source"
        # Every word present is not enough: "European Data Protection Board" must not pass on
        # "European Data Protection Supervisor ... the Board".
        for left, right in name.pairs:
            if not _near(left, right, evidence):
                return f"name {name.display} not in source"
    return ""


def _near(left: str, right: str, evidence: _Doc) -> bool:
    lpos = sorted({i for f in _word_forms(left) for i in evidence.positions.get(f, ())})
    rpos = sorted({i for f in _word_forms(right) for i in evidence.positions.get(f, ())})
    if len(lpos) * len(rpos) > 250_000:  # a name made of very common words: don't spend time
        return True
    rset = set(rpos)
    return any(i + d in rset for i in lpos for d in range(-_NAME_WINDOW, _NAME_WINDOW + 1) if d)


def _token_found(token: str, evidence: _Doc) -> bool:
    forms = _word_forms(token)
    if forms & evidence.words:
        return True
    if _is_acronym(token):
        key = token.lower()[:-1] if token.endswith("s") and len(token) > 2 else token.lower()
        if key in evidence.initials or any(alias in evidence.squashed for alias in _ALIASES.get(key, ())):
            return True
    return False


def _negation_conflict(sent: _Doc, evidence: _Doc) -> bool:
    """A clause of the sentence denies what the source clause most like it affirms, or the reverse.

    Judged per clause, against the source clause that shares most of its content words, and only
    when the words under the negation occur on the other side: a long legal clause that also
    says "do not pose unreasonable risks" does not contradict a sentence that skips that part.
    """
    for clause in sent.clauses:
        if len(clause.stems) < _MIN_CLAUSE_STEMS or not evidence.clauses:
            continue
        # Ties go to the tighter clause (Jaccard), not to a long heading that happens to share words.
        best = max(
            evidence.clauses,
            key=lambda other: (
                len(clause.stems & other.stems),
                len(clause.stems & other.stems) / (len(other.stems) or 1),
            ),
        )
        if len(clause.stems & best.stems) / len(clause.stems) < _POLARITY_MIN_OVERLAP:
            continue
        if clause.negated and not best.negated and _covers(clause.scope, best.stems):
            return True
        if best.negated and not clause.negated and _covers(best.scope, clause.stems):
            return True
        if any(_opposed(mine, theirs) for mine, theirs in zip(clause.sides, best.sides, strict=True)):
            return True
    return False


def _opposed(mine: tuple[bool, bool], theirs: tuple[bool, bool]) -> bool:
    return (mine[0] and not mine[1] and theirs[1] and not theirs[0]) or (
        mine[1] and not mine[0] and theirs[0] and not theirs[1]
    )


def _covers(scope: frozenset[str], stems: frozenset[str]) -> bool:
    return bool(scope) and len(scope & stems) / len(scope) >= _SCOPE_MIN_SHARED


_POLARITY_MIN_OVERLAP = 0.5
_SCOPE_MIN_SHARED = 0.5


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Abstention
# ---------------------------------------------------------------------------------------------

_SOURCE_NOUN = r"(?:(?:provided|given|available|retrieved|cited|above)\s+)?(?:sources?|passages?|documents?|context|excerpts?|texts?|materials?)"
_ABSTAIN_RE = re.compile(
    rf"""^(?:(?:unfortunately|sorry|however|but|no|i'm\s+sorry|i\s+am\s+sorry)[,.]?\s+(?:but\s+)?)?(?:
        (?:the\s+|these\s+|this\s+)?{_SOURCE_NOUN}(?:\s+provided)?\s+
            (?:do(?:es)?\s+not|don't|doesn't|did\s+not|didn't|cannot|can't)\s+
            (?:say|state|mention|specify|contain|address|cover|provide|include|discuss|answer|describe
              |explain|indicate|give|tell|offer|clarify|support|have|specify)
      | (?:the\s+)?{_SOURCE_NOUN}\s+(?:is|are)\s+silent
      | i\s+(?:could\s*not|couldn't|cannot|can't|can\s+not|was\s+unable\s+to|am\s+unable\s+to|did\s+not|didn't
              |do\s+not|don't)\s+(?:find|locate|answer|determine|confirm|see|know|have)
      | i\s+(?:have\s+no|lack)\s+(?:information|evidence)
      | (?:there\s+is|there's|there\s+are)\s+(?:no|not\s+enough|insufficient)\s+(?:information|evidence|mention|details?|data)
      | (?:this|that|it|the\s+answer)\s+is\s+not\s+(?:mentioned|stated|specified|covered|addressed|found|given|available|clear)
      | (?:no|insufficient)\s+(?:information|evidence)\s+(?:is|was)\s+(?:available|provided|given|found)
      | not\s+(?:mentioned|stated|specified|found|covered|addressed)\s+in\s+the\s+{_SOURCE_NOUN}
      | (?:the\s+)?answer\s+(?:is|was)\s+not\s+in\s+the\s+{_SOURCE_NOUN}
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_MAX_ABSTENTION_CHARS = 300


def is_abstention_statement(text: str) -> bool:
    """Boilerplate such as "The sources do not say." that needs no citation.

    It must carry no facts of its own: a digit or a long sentence could smuggle an uncited claim.
    """
    stripped = normalise(text).strip(_EDGE_PUNCT)
    if not stripped or len(stripped) > _MAX_ABSTENTION_CHARS or any(c.isdigit() for c in stripped):
        return False
    return _ABSTAIN_RE.match(stripped) is not None


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


@dataclass
class VerifiedAnswer:
    """What survives verification; `answer` is what the user sees, the rest explains it."""

    # Supported sentences (and abstention statements among them), markers normalised to "[1][2]";
    # "" when no cited sentence is left, so the caller falls back (or abstains, see `abstained`).
    answer: str
    sentences: list[Sentence]  # every sentence, dropped ones with verified=False and a reason
    citations: list[Citation]  # one per distinct source actually cited, with the best quote
    warnings: list[str] = field(default_factory=list)
    dropped: int = 0

    @property
    def abstained(self) -> bool:
        """The answerer only abstained: every kept sentence is an abstention statement."""
        kept = [s for s in self.sentences if s.verified]
        return bool(kept) and all(s.reason == ABSTENTION_REASON for s in kept)


ABSTENTION_REASON = "abstention statement"


@dataclass
class _Kept:
    parsed: ParsedSentence
    cited: list[int]


def _evidence_text(source: Source) -> str:
    """Passage text plus its heading and metadata: "Article 5" or the year often live only there."""
    return _with_header(source.text, source.title, source.section, source.publisher, source.date)


def _with_header(text: str, *metadata: str) -> str:
    header = " · ".join(x for x in metadata if x)
    # A blank line keeps the header out of the first sentence of the passage.
    return f"{header}\n\n{text}" if header else text


def verify(answer_text: str, sources: Sequence[Source], checker: SupportChecker) -> VerifiedAnswer:
    """Keep only the sentences that the sources support, each with valid citations."""
    by_number = {s.n: s for s in sources}
    evidence = {s.n: _evidence_text(s) for s in sources}
    sentences: list[Sentence] = []
    kept: list[_Kept] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for parsed in parse_answer(answer_text):
        sentence, keep = _judge(parsed, by_number, evidence, checker, seen, warnings)
        sentences.append(sentence)
        if keep is not None:
            kept.append(keep)
    dropped = sum(not s.verified for s in sentences)
    if dropped:
        warnings.append(f"dropped {dropped} unsupported sentence(s)")
    if not any(k.cited for k in kept):
        if kept:
            warnings.append("only abstention statements are left")
        elif sentences:
            warnings.append("no supported sentence left")
    citations = _citations(kept, by_number, checker)
    answer = _rebuild(answer_text, kept) if any(k.cited for k in kept) else ""
    return VerifiedAnswer(answer, sentences, citations, warnings, dropped)


def _judge(
    parsed: ParsedSentence,
    by_number: dict[int, Source],
    evidence: dict[int, str],
    checker: SupportChecker,
    seen: set[str],
    warnings: list[str],
) -> tuple[Sentence, _Kept | None]:
    """The verdict on one sentence, and what to keep of it (None: dropped)."""
    text = parsed.text
    valid = [n for n in parsed.cited if n in by_number]
    invalid = [n for n in parsed.cited if n not in by_number]
    key = " ".join(_WORD_RE.findall(text.lower()))
    if key in seen:  # small models loop; a repeat adds nothing even when it is true
        return Sentence(text=text, citations=valid, verified=False, reason="repeated sentence"), None
    seen.add(key)
    if is_abstention_statement(text):
        return Sentence(text=text, citations=[], verified=True, reason=ABSTENTION_REASON), _Kept(parsed, [])
    if invalid:
        warnings.append(f"removed citation(s) {_markers(invalid)} from {_clip(text)!r}: no such source")
    if valid:
        verdict = checker.check(text, [evidence[n] for n in valid])
        if not verdict.supported:
            return Sentence(text=text, citations=valid, verified=False, reason=verdict.reason), None
        used = _contributing(text, valid, evidence) or valid
        return Sentence(text=text, citations=used, verified=True, reason=verdict.reason), _Kept(parsed, used)
    best = _best_source(text, evidence, checker)
    if best is None:
        reason = (
            "no valid citation and no source supports it"
            if invalid
            else "no citation and no source supports it"
        )
        return Sentence(text=text, citations=[], verified=False, reason=reason), None
    n, verdict = best
    warnings.append(f"re-assigned {_clip(text)!r} to [{n}]")
    return (
        Sentence(text=text, citations=[n], verified=True, reason=f"citation re-assigned; {verdict.reason}"),
        _Kept(parsed, [n]),
    )


def _best_source(
    text: str, evidence: dict[int, str], checker: SupportChecker
) -> tuple[int, SupportVerdict] | None:
    best: tuple[int, SupportVerdict] | None = None
    for n, passage in evidence.items():
        verdict = checker.check(text, [passage])
        if verdict.supported and (best is None or verdict.score > best[1].score):
            best = (n, verdict)
    return best


def _contributing(text: str, cited: list[int], evidence: dict[int, str]) -> list[int]:
    """Cited sources that share content or a fact with the sentence; a bystander citation is pruned."""
    sent = _analyse(text)
    needed = {key for fact in sent.facts for alts in fact.needs for key in alts}
    out = []
    for n in cited:
        doc = _analyse(evidence[n])
        if sent.stems & doc.stems or needed & doc.keys:
            out.append(n)
    return out


def _markers(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


_TERMINAL_RE = re.compile(r"[.!?]$")


def _with_markers(text: str, cited: list[int]) -> str:
    if not cited:
        return text
    if _TERMINAL_RE.search(text):
        return f"{text[:-1].rstrip()} {_markers(cited)}{text[-1]}"
    return f"{text} {_markers(cited)}"


def _rebuild(raw: str, kept: Sequence[_Kept]) -> str:
    """Join kept sentences, keeping the paragraph and line breaks the answerer used."""
    if not kept:
        return ""
    parts: list[str] = []
    previous_end: int | None = None
    for k in kept:
        if previous_end is not None:
            gap = raw[previous_end : k.parsed.start]
            parts.append("\n\n" if "\n\n" in gap else "\n" if "\n" in gap else " ")
        parts.append(_with_markers(k.parsed.text, k.cited))
        previous_end = k.parsed.end
    return "".join(parts).strip()


def _citations(
    kept: Sequence[_Kept], by_number: dict[int, Source], checker: SupportChecker
) -> list[Citation]:
    citing: dict[int, list[str]] = {}
    for k in kept:
        for n in k.cited:
            citing.setdefault(n, []).append(k.parsed.text)
    out = []
    for n, texts in citing.items():
        source = by_number[n]
        span = _best_quote_span(source.text, texts, checker)
        if span is None:
            out.append(Citation(**source.model_dump()))
            continue
        a, b = span
        out.append(
            Citation(
                **source.model_dump(),
                quote=source.text[a:b],
                quote_start=source.start + a,
                quote_end=source.start + b,
            )
        )
    return out


def _best_quote_span(text: str, citing: Sequence[str], checker: SupportChecker) -> tuple[int, int] | None:
    """The source sentence that best matches the sentences citing it, as offsets into `text`."""
    spans = [_trim(text, a, b) for a, b in _spans(text)]
    spans = [(a, b) for a, b in spans if b > a]
    if not spans:
        return None
    wanted = [_analyse(c).stems for c in citing]
    span_stems = [_content_stems(text[a:b]) for a, b in spans]
    scores = np.array(
        [max((len(w & stems) / len(w) if w else 0.0) for w in wanted) for stems in span_stems],
        dtype=np.float64,
    )
    if checker.embed is not None and len(spans) > 1:
        vectors = checker._vectors([*citing, *(text[a:b] for a, b in spans)])
        sims = vectors[len(citing) :] @ vectors[: len(citing)].T
        scores = scores + np.max(sims, axis=1)
    return spans[int(np.argmax(scores))]  # argmax takes the first of equals: the earlier sentence


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------

_TRUE_LABELS = {"supported", "support", "yes", "true", "1", "entailed", "pass"}


def agreement(checker: SupportChecker, pairs: Iterable[Any]) -> float:
    """Share of labelled (sentence, passage, label) pairs on which the checker agrees; 0.0 if none.

    A pair may be a mapping with keys sentence, passage (or passages) and label, or a tuple
    (sentence, passage, label, ...). Labels may be bools, 0/1 or words such as "supported".
    Optional mapping keys title and section are put above the passage, as verify() does.
    """
    total = agree = 0
    for pair in pairs:
        sentence, passages, label = _unpack(pair)
        total += 1
        agree += checker.check(sentence, passages).supported == label
    return agree / total if total else 0.0


def _unpack(pair: Any) -> tuple[str, list[str], bool]:
    if isinstance(pair, dict):
        sentence = pair["sentence"]
        passage = pair.get("passages", pair.get("passage", ""))
        label = pair.get("label", pair.get("supported"))
        metadata = (str(pair.get("title") or ""), str(pair.get("section") or ""))
    else:
        sentence, passage, label = pair[0], pair[1], pair[2]
        metadata = ("", "")
    passages = [passage] if isinstance(passage, str) else list(passage)
    return sentence, [_with_header(p, *metadata) for p in passages], _as_bool(label)


def _as_bool(label: Any) -> bool:
    if isinstance(label, str):
        return label.strip().lower() in _TRUE_LABELS
    return bool(label)
