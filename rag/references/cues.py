"""Which documents a question points at without naming them: by who issued them ("the G7", "Brussels",
"the UN", "Biden and Kishida"), narrowed by a year or month it gives ("what the G7 said in 2024").

People rarely name the instrument ("is it legal in Europe for an app to…", "the UN's big AI
resolution"), so name matching alone leaves nearly half of them with no document (64 of 138 answerable
users dev questions). LangChain's SelfQueryRetriever turns such cues into a metadata filter with an LLM;
we have none that can, so the cues are data: each manifest entry's `cues` lists the words people use for
its issuer. They only rank that document's passages first (rag/retrieval/searcher.py), never filter the
others out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from rag.text.months import MONTH_PATTERN, month_number

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTH_YEAR = re.compile(rf"\b({MONTH_PATTERN})\s+((?:19|20)\d\d)\b", re.I)


def _cue_pattern(cue: str) -> re.Pattern[str]:
    """A cue in capitals ("EU", "UN", "LDP") matches only in capitals: "un" and "eu" are no issuers.
    "Europe" is not the one in "Council of Europe", which is another issuer."""
    flags = 0 if cue.isupper() or any(c.isdigit() for c in cue) else re.I
    guard = r"(?<!Council of )" if cue.lower().startswith("europe") else ""
    return re.compile(rf"{guard}(?<![\w-]){re.escape(cue)}(?![\w-])", flags)


class CuedDocument(Protocol):
    doc_id: str
    cues: tuple[str, ...]
    date: str


class CueMatcher:
    def __init__(self, docs: Sequence[CuedDocument]) -> None:
        self.cues = {d.doc_id: [(c, _cue_pattern(c)) for c in d.cues if c.strip()] for d in docs}
        self.patterns = [(doc_id, [p for _, p in cues]) for doc_id, cues in self.cues.items()]
        self.dates = {d.doc_id: d.date for d in docs}

    def match(self, question: str) -> tuple[str, ...]:
        """The documents whose issuer the question names, in manifest order; when it also gives a year
        (or a month and year) that some of them carry, only those."""
        docs = tuple(doc_id for doc_id, pats in self.patterns if any(p.search(question) for p in pats))
        if len(docs) < 2:
            return docs
        months = {f"{y}-{month_number(m):02d}" for m, y in _MONTH_YEAR.findall(question)}
        years = set(_YEAR.findall(question))
        dated = [d for d in docs if self.dates[d][:7] in months] or [
            d for d in docs if self.dates[d][:4] in years
        ]
        return tuple(dated) or docs

    def other_side(self, question: str, named: tuple[str, ...]) -> tuple[str, ...]:
        """The one other document that a question naming `named` points at by an issuer none of them
        shares: "Does the EU force me to watermark, or is that just something the G7 code suggests?",
        "Does the Council of Europe treaty ban social scoring like the EU does?". Such a question is
        answered from both sides, as one naming both is. "The G7" beside the G7 code is its own issuer,
        and an issuer of several documents points at none of them in particular."""
        own = {c for d in named for c, _ in self.cues.get(d, ())}
        others = tuple(
            doc_id
            for doc_id, cues in self.cues.items()
            if doc_id not in named and any(c not in own and p.search(question) for c, p in cues)
        )
        return others if len(others) == 1 else ()
