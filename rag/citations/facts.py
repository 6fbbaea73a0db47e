"""Facts in a sentence or passage: dates, money, percentages, numbers, each under comparable keys.

A sentence's fact is backed when every element of its `needs` meets the passage's keys, so the keys
are canonical ("10,000" and "10 000" → `n:10000`; "2 May 2024" → `d:2024-05-02`) and a passage also
yields coarser keys (a full date backs its year).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rag.text.months import MONTH_NUMBER, MONTH_PATTERN

MONTHS = MONTH_NUMBER
# Capitalised only: "may" and "march" are also verbs.
_MONTH_NAMES = rf"{MONTH_PATTERN}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
_M = rf"(?P<m>{_MONTH_NAMES})\.?"
_D = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_D1 = r"(?P<d1>[0-3]?\d)"
_Y = r"(?P<y>(?:1[89]|2[01])\d\d)"
_TO = r"\s?(?:-|to|and)\s?"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN_MONTH = "|".join(sorted(_ROMAN, key=len, reverse=True))
_DAY_RANGE_RES = [  # "2-3 May 2024", "May 2 to 3": both days are claimed
    re.compile(rf"\b{_D1}{_TO}{_D}\s{_M}(?:,?\s{_Y})?\b"),
    re.compile(rf"\b{_M}\s{_D1}{_TO}{_D}\b(?:,?\s{_Y}\b)?"),
]
_DATE_RES = [
    re.compile(rf"(?<!\d){_Y}-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?!\d)"),
    re.compile(rf"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.{_Y}(?!\d)"),  # "12.7.2024", Official Journal
    # "5.IX.2024", the Council of Europe's style
    re.compile(rf"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>{_ROMAN_MONTH})\.{_Y}(?!\d)"),
    re.compile(rf"\b{_D}\s(?:of\s)?{_M},?\s{_Y}\b"),
    re.compile(rf"\b{_M}\s{_D},?\s{_Y}\b"),
    re.compile(rf"\b{_M},?\s(?:of\s)?{_Y}\b"),
    re.compile(rf"\b{_D}\s(?:of\s)?{_M}(?![\w])"),
    re.compile(rf"\b{_M}\s{_D}\b(?!,?\s\d)"),
]
# fmt: off
_CURRENCIES = {
    "$": "usd", "us$": "usd", "usd": "usd", "dollar": "usd", "dollars": "usd",
    "€": "eur", "eur": "eur", "euro": "eur", "euros": "eur",
    "£": "gbp", "gbp": "gbp", "pound": "gbp", "pounds": "gbp",
    "¥": "jpy", "jpy": "jpy", "yen": "jpy",
}
# fmt: on
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
# fmt: off
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
# Ordinals count as their number: the AI Act's "the twentieth day" backs "the 20th day", and the reverse.
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15, "twentieth": 20,
    "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "ninetieth": 90, "hundredth": 100,
}
# fmt: on
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join([*NUMBER_WORDS, *ORDINAL_WORDS]) + r")\b", re.IGNORECASE)
# "one" is a pronoun far more often than a count ("one of the principles"), and "first", "second" and
# "third" rank or name ("the first framework", "third parties") more than they count, so a sentence is
# never required to back them up; a source saying them still counts as evidence for the number.
UNCHECKED_NUMBER_WORDS = {"one", "hundred", "first", "second", "third"}
_CURRENCY_WORD_RE = re.compile(
    r"US\$|\$|€|£|¥|\b(?:USD|EUR|GBP|JPY|euros?|dollars?|yen|pounds?)\b", re.IGNORECASE
)


# The kinds that answer "how many / how much".
AMOUNT_KINDS = frozenset({"number", "percentage", "money"})


@dataclass(frozen=True)
class Fact:
    kind: str  # "date", "number", "percentage", "money"; "" for one that needs no backing
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
    month = int(month_raw) if month_raw and month_raw.isdigit() else MONTHS.get((month_raw or "").lower(), 0)
    if month_raw in _ROMAN:
        month = _ROMAN.index(month_raw) + 1
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


class _Claims:
    """Spans already taken by a longer or more specific fact, kept sorted and disjoint for bisect."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def claim(self, m: re.Match[str]) -> bool:
        a, b = m.span()
        i = bisect.bisect_left(self.starts, a)
        if (i > 0 and self.ends[i - 1] > a) or (i < len(self.starts) and self.starts[i] < b):
            return False
        self.starts.insert(i, a)
        self.ends.insert(i, b)
        return True


def extract_facts(text: str) -> list[Fact]:
    """Dates, money, percentages and numbers in `text` (already normalised), longest match first."""
    facts: list[Fact] = []
    claims = _Claims()
    _dates(text, claims, facts)
    _money(text, claims, facts)
    for label_re in (_ENUMERATOR_RE, _SOURCE_REF_RE):
        for m in label_re.finditer(text):
            claims.claim(m)  # "(3) stress AI's benefits", "source 2 says": labels, not claims
    _numbers(text, claims, facts)
    return facts


def _dates(text: str, claims: _Claims, facts: list[Fact]) -> None:
    for range_re in _DAY_RANGE_RES:
        for m in range_re.finditer(text):
            first, last = _date_keys(m, "d1"), _date_keys(m)
            if first[1] and last[1] and claims.claim(m):
                facts.extend(Fact("date", m.group().strip(), (keys,)) for _, keys in (first, last))
    for date_re in _DATE_RES:
        for m in date_re.finditer(text):
            kind, keys = _date_keys(m)
            if keys and claims.claim(m):
                facts.append(Fact(kind, m.group().strip(), (keys,)))


def _money(text: str, claims: _Claims, facts: list[Fact]) -> None:
    for money_re in _MONEY_RES:
        for m in money_re.finditer(text):
            if claims.claim(m):
                groups = m.groupdict()
                cur = _CURRENCIES.get((groups.get("cur") or groups.get("cur2") or "").lower(), "")
                needs = (_canon_number(m.group("num"), m.group("scale"), m.group("exp")),)
                facts.append(
                    Fact("money", m.group().strip(), needs + ((frozenset({"c:" + cur}),) if cur else ()))
                )


def _numbers(text: str, claims: _Claims, facts: list[Fact]) -> None:
    for m in _PERCENT_RE.finditer(text):
        if claims.claim(m):
            keys = _canon_number(m.group("num"), None, m.group("exp"))
            facts.append(Fact("percentage", m.group().strip(), (frozenset("p:" + k[2:] for k in keys),)))
    for m in _NUMBER_RE.finditer(text):
        if claims.claim(m):
            kind = "date" if _is_year(m) else "number"
            needs = (_canon_number(m.group("num"), m.group("scale"), m.group("exp")),)
            facts.append(Fact(kind, m.group().strip(), needs))
    for m in _NUMBER_WORD_RE.finditer(text):
        if claims.claim(m):
            word = m.group().lower()
            kind = "number" if word not in UNCHECKED_NUMBER_WORDS else ""
            value = NUMBER_WORDS.get(word) or ORDINAL_WORDS[word]
            facts.append(Fact(kind, m.group(), (frozenset({f"n:{value}"}),)))


def _is_year(m: re.Match[str]) -> bool:
    return (
        m.group("exp") is None
        and m.group("scale") is None
        and re.fullmatch(r"(?:1[89]|20)\d\d", m.group("num")) is not None
    )


def evidence_keys(facts: Iterable[Fact], text: str) -> set[str]:
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


def satisfied(alternatives: frozenset[str], keys: frozenset[str]) -> bool:
    """Some alternative has all its "&"-joined parts among the evidence keys."""
    return any(all(part in keys for part in alt.split("&")) for alt in alternatives)
