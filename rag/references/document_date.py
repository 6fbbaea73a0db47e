""" "When was the EU AI Act signed?": a question about a named document's own date, and where its text
states that date.

Users ask it of every document, and the reader, which ranks sentences by what they say, found the
answer for one of ten documents (2026-12-04): the date is in a title ("G7 Apulia Leaders' Communiqué (14
June 2024)"), a dateline or "Resolution adopted by the General Assembly on 21 March 2024", lines that say
little else and that the reader is trained to pass over. The manifest's date (`DocAlias.date`, also each
chunk's `date`) says which date is the document's own; the answer quotes the document's first sentence
that states it, unless that sentence dates an amendment (the OECD Recommendation's title, "as amended …
3 May 2024", is no answer to when it was adopted: "22 May 2019", which the reader finds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol, TypeVar

from rag.text.months import MONTH_NAMES
from rag.text.tokenize import tokenize
from rag.text.versions import VERSION, versions

# What a question may say besides the document's name: a verb of coming into being and date words.
_ASKED_VERBS = (
    "adopted adopt signed sign issued issue published publish released release agreed agree approved "
    "approve announced announce endorsed endorse passed pass made make unveiled unveil finalised finalized "
    "finalise finalize dated written write launched launch came come put first original originally "
    "officially official exactly open opened signature signing adoption publication issuance approval "
    "enactment"
)
_DATE_WORDS = "date day year month"
_ALLOWED = frozenset(tokenize(f"{_ASKED_VERBS} {_DATE_WORDS}"))
# A document whose own date is an amendment's ("as amended 8 November 2023 and 3 May 2024"): the date it
# was first adopted is elsewhere in its text, and the reader finds it.
AMENDED = re.compile(r"\b(amended|revised|updated)\b", re.I)
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


# "which day did …", "us-japan joint leaders statement date": date questions without a "when".
_ASKS_DATE = re.compile(r"\bwhen\b|\b(?:what|which)\s+(?:day|date|year|month)\b|\bdate\b", re.I)


def asks_document_date(question: str, names: Sequence[str], iso: str = "") -> bool:
    """The question asks only when the named document came about: every word left after its `names`, if
    any, is a verb of adoption or publication, a date word, its own year or month ("the April 2024 fact
    sheet") or its own version ("version 1.0 of the Guidelines", whose title says "Ver1.0"), as in "When
    was the AI Act signed?" or "What date was EO 14110 issued?"; so "When does the AI Act apply?", "When
    was the AI Office set up?" or "When was version 1.1 published?" is not one."""
    if not _ASKS_DATE.search(question):
        return False
    if not versions(question) <= set().union(*map(versions, names)):
        return False  # another version than the one held: its date is not this text's
    words = set(tokenize(VERSION.sub(" ", question))) - set(tokenize(" ".join(names))) - _own_date_words(iso)
    # Nothing but the name ("When was the EU AI Act?", or a Japanese question whose verb 出た the
    # translation dropped: "When AI Guidelines for Business?") asks for its date too.
    return words <= _ALLOWED


def _own_date_words(iso: str) -> set[str]:
    parts = iso.split("-")
    if len(parts) < 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        return set()
    return set(tokenize(f"{parts[0]} {MONTH_NAMES[int(parts[1]) - 1]}"))


@lru_cache(maxsize=256)  # a document's date is matched against each of its chunks
def date_pattern(iso: str) -> re.Pattern[str] | None:
    """The ways the corpus writes an ISO date ("2024-06-13"): 13 June 2024, June 13, 2024, 13.VI.2024; a
    day-less one ("2023-01") as its month and year."""
    parts = iso.split("-")
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        return None
    name = MONTH_NAMES[month - 1]
    if len(parts) < 3:
        return re.compile(rf"\b{name},?\s+{year}\b")
    day = int(parts[2])
    return re.compile(
        rf"\b0?{day}\s+{name},?\s+{year}\b|\b{name}\s+0?{day}(?:st|nd|rd|th)?,?\s+{year}\b"
        rf"|\b0?{day}\.{_ROMAN_MONTHS[month - 1]}\.{year}\b"
    )


class _Sentence(Protocol):
    text: str


S = TypeVar("S", bound=_Sentence)


def own_dated_sentence(sentences: Iterable[S], iso: str) -> S | None:
    """The first sentence that states the text's own date (`iso`), or None: none does, or the first that does
    dates an amendment ("as amended … 3 May 2024" is no answer to when a text was adopted)."""
    found = next((s for s in sentences if states_date(s.text, iso)), None)
    return None if found is None or AMENDED.search(found.text) else found


def states_date(text: str, iso: str) -> bool:
    """The text states this ISO date, or, for a document dated to the day, its month and year."""
    full = date_pattern(iso)
    if full is None:
        return False
    if full.search(text):
        return True
    month_only = date_pattern("-".join(iso.split("-")[:2]))
    return iso.count("-") == 2 and month_only is not None and bool(month_only.search(text))


# "what date did the G7 release the communique from its 2024 summit in Italy": a document described by its
# issuer (rag/references/cues.py) and its kind, its name never given.
_KINDS = ("communique", "statement", "declaration", "resolution", "fact sheet", "code of conduct")
_ISSUED = re.compile(
    r"\b(?:issue[sd]?|issuing|put (?:out|it out)|publish(?:ed)?|release[sd]?|adopt(?:ed)?|sign(?:ed)?"
    # "what's the date on the 2024 G7 communique?" asks the same (fresh users dev, stop 53)
    r"|come out|came out|date (?:of|on)|dated)\b",
    re.I,
)


def described_document(question: str, cued: tuple[str, ...], names: dict[str, tuple[str, ...]]) -> str:
    """The one document, among those whose issuer a date question names (`cued`), whose kind it also
    names ("the communique") as it asks when it was issued; "" when none or more than one."""
    if not cued or not _ASKS_DATE.search(question) or not _ISSUED.search(question):
        return ""
    kinds = [k for k in _KINDS if re.search(rf"\b{k}\b", _plain(question))]
    if len(kinds) != 1:
        return ""
    fits = [d for d in cued if any(kinds[0] in _plain(n) for n in names.get(d, ()))]
    return fits[0] if len(fits) == 1 else ""


def _plain(text: str) -> str:
    return text.lower().replace("é", "e")
