"""The corpus as a chronology: dated events found in the documents, each a verbatim sentence with its span.

Deterministic, no model: a sentence that names a calendar date ("on 8 November 2023", "May 19-21, 2023",
"in October 2023") is an event on that date, of the kind its verb says (adopted, entered into force,
applies, held, established, published, signed). A deadline counted from the document's own date ("within
270 days of the date of this order") is resolved against the document's date from the manifest and
flagged as computed. A bare year is no event: "2023" alone is as often a title or a reference as a date.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from rag.store.doc_meta import DocMeta
from rag.text.months import MONTH_PATTERN, month_number
from rag.text.sentences import sentence_spans

log = logging.getLogger(__name__)

_MONTH = rf"({MONTH_PATTERN})"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"((?:19|20)\d{2})"
# Most specific first; a span taken by one is not read again by the next.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("dmy_range", re.compile(rf"\b{_DAY}\s*[-–]\s*\d{{1,2}}\s+{_MONTH}\s+{_YEAR}\b")),  # 22-23 May 2019
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:day\s+of\s+)?{_MONTH},?\s+{_YEAR}\b")),  # 8 November 2023; 5th day of
    ("mdy_range", re.compile(rf"\b{_MONTH}\s+{_DAY}\s*[-–]\s*\d{{1,2}},?\s+{_YEAR}\b")),  # May 19-21, 2023
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")),  # February 14, 2024
    ("my", re.compile(rf"\b(?:in|since|from|by|until|of)\s+{_MONTH}\s+{_YEAR}\b")),  # in October 2023
]
_DEADLINE = re.compile(
    r"\bwithin\s+(\d{1,4})\s+days\s+of\s+the\s+date\s+of\s+this\s+(order|regulation|memorandum|resolution)\b",
    re.I,
)
# The event's kind from the sentence's verb, first match wins (a deadline is read only from the words just
# before its date: "attacks by Hamas … on 7 October 2023" is no deadline).
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("entry into force", re.compile(r"\b(entr(?:y|ies|ered)|enter(?:s|ed)?)\s+into\s+force\b", re.I)),
    ("applies", re.compile(r"\b(shall\s+apply|appl(?:y|ies)\s+from|applicable\s+from)\b", re.I)),
    ("adopted", re.compile(r"\b(adopt(?:ed|s|ion)|revised|amended|endorsed)\b", re.I)),
    ("signed", re.compile(r"\b(signed|signature|opened\s+for\s+signature)\b", re.I)),
    (
        "established",
        re.compile(r"\b(establish(?:ed|ment)?|launch(?:ed)?|set\s+up|created|found(?:ed)?)\b", re.I),
    ),
    ("published", re.compile(r"\b(publish(?:ed)?|released|issued|announced)\b", re.I)),
    ("meeting", re.compile(r"\b(summit|meeting|ministerial|conference|met|held|hosted|visit)\b", re.I)),
]
# What the words just before a date make of it, whatever the sentence's verb: "Directive … of 15 May
# 2014" dates another act; "by 2 August 2025" is a deadline; "shall apply from 2 August 2026" an application.
_BEFORE: list[tuple[str, re.Pattern[str]]] = [
    (
        "act cited",
        re.compile(
            r"\b(?:Regulations?|Directives?|Decisions?|Recommendations?|resolutions?|Executive\s+Orders?|Convention)"
            r"\b[^.;:]*\bof\s*$",
            re.I,
        ),
    ),
    ("act cited", re.compile(r"\b\d+/\d+\s+of\s*$")),  # "… and 78/160 of 19 December 2023"
    ("applies", re.compile(r"\b(?:apply|applies|applicable)\s+from\s*$", re.I)),
    ("deadline", re.compile(r"\b(?:by|no\s+later\s+than|before|until)\s*$", re.I)),
    ("signed", re.compile(r"(?:\bDone\s+(?:at|in)\s+[^,]+,\s*(?:this\s*)?|\bTHE\s+WHITE\s+HOUSE,\s*)$")),
]
_MIN_WORDS = 6


class TimelineEvent(BaseModel):
    date: str = Field(description="ISO date: YYYY-MM-DD, or YYYY-MM when the text gives only the month.")
    precision: str = Field(description="day or month")
    kind: str = Field(description="adopted, entry into force, applies, signed, established, published, …")
    doc_id: str
    title: str
    quote: str = Field(description="The sentence, verbatim.")
    start: int = Field(description="The sentence's offsets in the document's text (the document view's).")
    end: int
    date_text: str = Field(description="The words that give the date.")
    computed: bool = Field(False, description="Counted from the document's own date, not stated in it.")
    basis: str = Field("", description="For a computed date: what it was counted from.")


class TimelineDay(BaseModel):
    date: str
    events: list[TimelineEvent]


def extract_events(meta: DocMeta, text: str) -> list[TimelineEvent]:
    """Every dated event of one document, in text order."""
    events: list[TimelineEvent] = []
    for a, b in sentence_spans(text):
        sentence = text[a:b]
        heading = sentence.lstrip().startswith("#")
        if heading:  # a dated title states the document's own event: "Resolution adopted … on 21 March 2024"
            a += len(sentence) - len(sentence.lstrip().lstrip("#"))
            sentence = text[a:b]
        if len(sentence.split()) < (3 if heading else _MIN_WORDS):
            continue  # stray labels state no event
        kind = event_kind(sentence)
        if heading and kind == "mentioned":
            kind = "published"  # "G7 Hiroshima Leaders' Communiqué (20 May 2023)"
        for at, iso, precision, date_text in stated_dates(sentence):
            here = date_kind(sentence[max(0, at - 300) : at]) or kind
            events.append(_event(meta, sentence, a, b, iso, precision, here, date_text))
        for iso, date_text, basis in deadlines(sentence, meta.date):
            event = _event(meta, sentence, a, b, iso, "day", "deadline", date_text)
            events.append(event.model_copy(update={"computed": True, "basis": basis}))
    return _dedupe(events)


def _event(
    meta: DocMeta, sentence: str, a: int, b: int, iso: str, precision: str, kind: str, date_text: str
) -> TimelineEvent:
    lead = len(sentence) - len(sentence.lstrip())
    quote = sentence.strip()
    return TimelineEvent(
        date=iso,
        precision=precision,
        kind=kind,
        doc_id=meta.doc_id,
        title=meta.short_title or meta.title,
        quote=quote,
        start=a + lead,
        end=a + lead + len(quote),
        date_text=date_text,
    )


def stated_dates(sentence: str) -> list[tuple[int, str, str, str]]:
    """(offset, ISO date, precision, the words) for each calendar date the sentence names, in order."""
    found: list[tuple[int, str, str, str]] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            iso = _iso(name, m)
            if iso is None:
                continue
            taken.append((m.start(), m.end()))
            text = m.group(0)
            if name == "my":
                text = text.split(None, 1)[1]  # "in October 2023" → "October 2023"
            found.append((m.start(), iso, "month" if name == "my" else "day", text))
    return sorted(found)


def _iso(name: str, m: re.Match[str]) -> str | None:
    if name in ("dmy", "dmy_range"):
        day, month, year = int(m.group(1)), m.group(2), int(m.group(3))
    elif name in ("mdy", "mdy_range"):
        month, day, year = m.group(1), int(m.group(2)), int(m.group(3))
    else:
        return f"{int(m.group(2)):04d}-{month_number(m.group(1)):02d}"
    try:
        return date(year, month_number(month), day).isoformat()
    except ValueError:  # "31 February": not a date
        return None


def deadlines(sentence: str, doc_date: str) -> list[tuple[str, str, str]]:
    """(ISO date, the words, the basis) for each "within N days of the date of this order" in a document
    whose own date is known to the day."""
    if len(doc_date) != 10:
        return []
    issued = date.fromisoformat(doc_date)
    out = []
    for m in _DEADLINE.finditer(sentence):
        due = issued + timedelta(days=int(m.group(1)))
        out.append(
            (
                due.isoformat(),
                m.group(0),
                f"{m.group(1)} days from the {m.group(2).lower()}'s date, {doc_date}",
            )
        )
    return out


def date_kind(before: str) -> str | None:
    """The kind the words right before a date give it, if they say."""
    return next((kind for kind, pattern in _BEFORE if pattern.search(before)), None)


def event_kind(sentence: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.search(sentence):
            return kind
    return "mentioned"


def _dedupe(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """One event per (date, sentence): a sentence that names its date twice is one event."""
    seen: set[tuple[str, int, bool]] = set()
    out = []
    for e in events:
        key = (e.date, e.start, e.computed)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def by_day(
    events: Iterable[TimelineEvent],
    date_from: str = "",
    date_to: str = "",
    doc_ids: Iterable[str] = (),
) -> list[TimelineDay]:
    """Events filtered by date (inclusive ISO prefixes) and documents, grouped by date, oldest first;
    within a day, in document then text order."""
    docs = set(doc_ids)
    kept = [
        e
        for e in events
        if (not docs or e.doc_id in docs)
        and (not date_from or e.date >= date_from[: len(e.date)])
        and (not date_to or e.date[: len(date_to)] <= date_to)
    ]
    days: dict[str, list[TimelineEvent]] = {}
    for e in sorted(kept, key=lambda e: (e.date, e.doc_id, e.start)):
        days.setdefault(e.date, []).append(e)
    return [TimelineDay(date=d, events=evs) for d, evs in days.items()]


class Timeline:
    """The corpus's events, read once per corpus version: any ingest or deletion changes the version, and
    the next call reads the documents again (about a second for this corpus)."""

    def __init__(self, index: Any, version: Callable[[], str]) -> None:
        self.index = index  # rag.store.Index: documents() and document(doc_id)
        self.version = version
        self._lock = threading.Lock()
        self._read: tuple[str, list[TimelineEvent]] | None = None

    def events(self) -> list[TimelineEvent]:
        version = self.version()
        with self._lock:
            if self._read is None or self._read[0] != version:
                self._read = (version, self._extract())
            return self._read[1]

    def _extract(self) -> list[TimelineEvent]:
        events: list[TimelineEvent] = []
        for meta, _ in self.index.documents():
            found = self.index.document(meta.doc_id)
            if found is not None:
                events += extract_events(found[0], found[1])
        log.info("timeline: %d events from the corpus", len(events))
        return events
