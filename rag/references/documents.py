"""Which documents a question names: titles, short titles, aliases, acronyms and numbers, as people
write them ("the AI Act", "EO 14110", "OECD principles"), matched longest name first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.references.cues import CueMatcher
from rag.text.normalize import normalize


@dataclass(frozen=True)
class DocAlias:
    doc_id: str
    names: tuple[str, ...]  # title, short_title, aliases
    cues: tuple[str, ...] = ()  # words for its issuer ("G7", "Brussels"): rag/references/cues.py
    date: str = ""  # ISO prefix, as in the manifest


_ABBR = re.compile(r"(?<![^\W_])(?:[a-z]\.){2,}")  # e.u. u.s. e.o.
_POSSESSIVE = re.compile(r"'s(?![^\W_])")
_NOT_KEY = re.compile(r"[^\w/]+|_+")
_STRAY_SLASH = re.compile(r"(?<![^\W_])/|/(?![^\W_])")
_ACRONYM = re.compile(r"(?<![\w/])[A-Za-z]{3,6}(?![\w/])")
_NUMERIC_ID = re.compile(r"(?<![\w/])(?:[0-9]+/[0-9]+|[0-9]{5,})(?![\w/])")
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")
_DROP_WORDS = frozenset({"the"})
# "and", "or by", "and under", "vs": what stands between two names asked the same of.
_JOIN = re.compile(r"(?:and|or|nor|vs|versus|as well as)(?: (?:also|under|by|in|to|with|from|for|of))?")


def _key(text: str) -> str:
    """Comparable form of a name or question: words joined by single spaces, padded with spaces.

    Tolerates what people vary: case, accents, curly/straight apostrophes and possessives
    ("Leaders' Statement", "Japan's"), "the", and dotted abbreviations ("E.U." = "EU").
    """
    text = normalize(text)
    text = _ABBR.sub(lambda m: m.group().replace(".", ""), text)
    text = _POSSESSIVE.sub("", text).replace("'", "")
    text = _STRAY_SLASH.sub(" ", _NOT_KEY.sub(" ", text))
    words = [w for w in text.split() if w not in _DROP_WORDS]
    return " " + " ".join(words) + " " if words else ""


def _name_variants(name: str) -> set[str]:
    variants = {_key(name)}
    stripped = _PARENTHETICAL.sub("", name)  # "Japan's AI Diplomacy (The Diplomat)"
    if stripped and stripped != name:
        variants.add(_key(stripped))
    # "EU AI Act" is also asked as "AI Act"
    variants |= {v.replace(" eu ", " ", 1) for v in variants if " eu " in v}
    return {v for v in variants if len(v.strip()) >= 3}


def _derived_names(names: Sequence[str]) -> set[str]:
    """Acronyms used in two or more of a document's names (OECD, NIST, RMF, UNGA, CETS) and
    distinctive numbers (14110, 2024/1689, 78/265): people name documents by these alone."""
    out: set[str] = set()
    counts: dict[str, int] = {}
    for name in names:
        for a in {m.group() for m in _ACRONYM.finditer(name) if sum(c.isupper() for c in m.group()) >= 2}:
            counts[a.lower()] = counts.get(a.lower(), 0) + 1
        for m in _NUMERIC_ID.finditer(name):
            out.add(f" {m.group()} ")
    out.update(f" {a} " for a, n in counts.items() if n >= 2)
    return out


class DocMatcher:
    """Longest-alias-wins matching of document names inside a question."""

    def __init__(self, docs: Sequence[DocAlias]) -> None:
        per_doc: dict[str, set[str]] = {}
        for d in docs:
            keys = per_doc.setdefault(d.doc_id, set())
            for name in d.names:
                keys |= _name_variants(name)
            keys |= _derived_names(d.names)
        # A name that also occurs inside another document's name ("G7 Leaders' Statement" inside
        # "G7 Leaders' Statement on the Hiroshima AI Process") cannot tell the two apart: drop it,
        # and let the longer name win when it is spelled out.
        self.names: list[tuple[str, str]] = []
        for doc_id, keys in per_doc.items():
            others = [k for other, ks in per_doc.items() if other != doc_id for k in ks]
            for k in keys:
                if not any(k in o for o in others):
                    self.names.append((k, doc_id))
        self.names.sort(key=lambda kd: (-len(kd[0]), kd[0], kd[1]))
        self.oecd_ids = frozenset(
            doc_id for doc_id, keys in per_doc.items() if any(" oecd " in k for k in keys)
        )
        self.cues = CueMatcher(docs)  # for questions that name none of them

    def match(self, question: str) -> tuple[str, ...]:
        ordered: dict[str, None] = {}
        for _, _, doc_id in sorted(self._named(_key(question))):
            ordered.setdefault(doc_id, None)
        return tuple(ordered)

    def without_names(self, question: str) -> str:
        """The question in its comparable form (lower case, no "the") with the documents' names cut out:
        "do the EU AI Act and the CoE treaty both say…" → "do and both say…", to search one of them for
        what it asks without the other's name ("Council") matching its text."""
        q = _key(question)
        for a, b, _ in sorted(self._named(q), reverse=True):
            q = q[:a] + q[b:]
        return " ".join(q.split())

    def joined(self, question: str) -> bool:
        """Two documents' names stand side by side, joined by "and", "or", "nor" or "vs" (a preposition
        may follow): "do the OECD principles or the G7 code say…", "under the AI Act and under the CoE
        convention"."""
        q = _key(question)
        spans = sorted(self._named(q))
        return any(
            d1 != d2 and _JOIN.fullmatch(q[b1:a2].strip())
            for (_, b1, d1), (a2, _, d2) in zip(spans, spans[1:])
        )

    def _named(self, q: str) -> list[tuple[int, int, str]]:
        """`_spans`, and the names found once "ai" is taken out, at their places in `q`: "the UN general
        assembly AI resolution" is the "General Assembly resolution", for people slip "AI" into a name that
        lacks it (users dev u-fu-535), as they drop "the" (_DROP_WORDS). Cut out with the name, the "AI"
        leaves no stray word in the question that searches one text."""
        spans = self._spans(q)
        if " ai " not in q:
            return spans
        kept: list[int] = []  # position in q of each character of the question without "ai"
        i = 0
        while i < len(q):
            if q.startswith(" ai ", i):
                kept.append(i)
                i += 4
            else:
                kept.append(i)
                i += 1
        stripped = "".join(q[j] for j in kept)
        for a, b, doc_id in self._spans(stripped):
            start, end = kept[a], kept[b - 1] + 1
            if not any(x < end and start < y for x, y, _ in spans):
                spans.append((start, end, doc_id))
        return spans

    def _spans(self, q: str) -> list[tuple[int, int, str]]:
        """(start, end, doc_id) of each name in the keyed question, a longer name winning over the names
        inside it."""
        taken = bytearray(len(q))  # 1 where a longer name already matched
        hits: list[tuple[int, int, str]] = []
        for name, doc_id in self.names:  # longest first
            start = q.find(name)
            while start != -1:
                a, b = start + 1, start + len(name) - 1  # inside the padding spaces, which names share
                if taken.find(1, a, b) == -1:
                    taken[a:b] = b"\x01" * (b - a)
                    hits.append((a, b, doc_id))
                start = q.find(name, start + 1)
        return hits


@lru_cache(maxsize=16)
def _cached_matcher(docs: tuple[DocAlias, ...]) -> DocMatcher:
    return DocMatcher(docs)


def matcher(docs: Sequence[DocAlias]) -> DocMatcher:
    try:
        return _cached_matcher(tuple(docs))
    except TypeError:  # names given as a list: unhashable, build afresh
        return DocMatcher(docs)


def doc_aliases_from_manifest(manifest_path: Path) -> list[DocAlias]:
    """One DocAlias per manifest entry: doc_id is the file name without `.md`."""
    entries = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    out = []
    for e in entries:
        file = str(e.get("file") or "")
        if not file:
            continue
        doc_id = file[:-3] if file.endswith(".md") else Path(file).stem
        raw = [e.get("title"), e.get("short_title"), *(e.get("aliases") or [])]
        names = tuple(dict.fromkeys(str(n).strip() for n in raw if n and str(n).strip()))
        cues = tuple(str(c).strip() for c in e.get("cues") or [] if str(c).strip())
        out.append(DocAlias(doc_id=doc_id, names=names, cues=cues, date=str(e.get("date") or "")))
    return out
