"""Two- and three-part questions read part by part.

"What's the biggest fine for a general-purpose model provider, compared to the top fine for banned
practices?" needs Article 101 and Article 99, but one search for the whole question ranks one side's
passages first, and the reader, scoring sentences against the whole question, quotes that side three
times. Each part (rag/reader/question.py `question_parts`) is searched and read on its own; its best
sentence joins the evidence, and the composer quotes it (rag/answerers/extractive.py). Peers decompose
with an LLM (LangChain's decomposition prompts); this needs none, and costs a search and a read a part.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from rag.condense import PRONOUN, subject_of
from rag.core.models import Filters
from rag.evidence import Evidence, EvidenceSelector, ScoredSentence
from rag.reader.question import ENUMERATION, question_parts, question_type
from rag.retrieval import Searcher
from rag.text.tokenize import STOP_WORDS

# Passages read for each part: a part asks one thing, and each passage read costs time (not swept).
PART_POOL = 3
# A part's best sentence is quoted only above this probability. Swept 0 / 0.15 / 0.3 on dev (2026-12-04):
# the same accuracy (users 0.559, v1 0.750, ja 0.600), 2.84 / 2.83 / 2.80 quotes an answer, gold citation
# precision 0.548 / 0.549 / 0.553; the least noise wins.
PART_FLOOR = 0.2


def read_parts(
    question: str,
    evidence: Evidence,
    *,
    searcher: Searcher,
    selector: EvidenceSelector,
    reader: Any,  # rag.reader.Reader
    glossary: Any = None,  # rag.retrieval.glossary.Glossary
    filters: Filters | None = None,
) -> tuple[Evidence, list[ScoredSentence]]:
    """The evidence with each part's best passage added, and each part's best sentence in it (in the
    order of the parts). A part whose reading would abstain adds nothing."""
    parts = question_parts(question)
    if reader is None or len(parts) < 2:
        return evidence, []
    picks: list[ScoredSentence] = []
    picked: set[str] = set()
    # A part's quote comes from a document the whole question's search found or the part names: a part
    # searched alone ("what deadline did the add-on get?") otherwise quoted an unrelated "deadline".
    docs = {src.doc_id for src in evidence.sources}
    previous = ""
    for part in parts:
        own_docs = _named_docs(searcher, part)
        query = part
        if previous and not own_docs and _refers_back(part):
            resolved = _resolve_demonstrative(part, previous)
            # "…an OECD text. Which text was that, and when was it adopted?": "it" is the subject before.
            if resolved != part:
                query = resolved
                own_docs = _named_docs(searcher, query)
            else:
                query = f"{part} ({subject_of(previous)})"
        previous = part
        expansion = "; ".join(glossary.expansions(query)) if glossary is not None else ""
        hits = searcher.search(query, filters=filters, expansion=expansion)
        own = selector.select(query, hits, PART_POOL, expansion=expansion)
        reading = reader.read(query, own, [])
        allowed = docs | own_docs
        fit = [
            s
            for p, s in reading.ranked
            if p > PART_FLOOR
            and len(s.text.split()) >= 4
            and _doc(own, s) in allowed
            and s.text not in picked  # two parts quoting one sentence answer one of them
        ]
        if question_type(query) == "list":
            # "what are its four core functions?" is answered by the sentence that lists them, not by "It
            # describes four specific functions" ranked above it (as the composer does, _lists_first)
            fit = sorted(fit[:3], key=lambda s: not ENUMERATION.search(s.text)) + fit[3:]
        best = fit[0] if fit else None
        if best is None or not reading.answers:
            continue
        # Its passage's sentences scored again for the whole question, which the reader reads them against.
        terms, sents = evidence.query_terms, own.sentences[best.source_n]
        rescored = [replace(s, coverage=selector.coverage(terms, s.tokens)) for s in sents]
        own = replace(own, sentences={best.source_n: rescored})
        evidence, n = evidence.with_source(own, best.source_n)
        picks.append(next(s for s in evidence.sentences[n] if s.position == best.position))
        picked.add(best.text)
    return evidence, picks


# "that framework", "this add-on", "those guidelines": a noun the part before named with its modifiers.
_DEMONSTRATIVE = re.compile(r"\b(?:that|this|these|those)\s+([a-z][a-z-]{2,})\b", re.I)
_MODIFIER = r"(?:[A-Z][\w.-]*(?:['’]s)?|[\w-]+['’]s|[a-z][\w-]*)"


def _resolve_demonstrative(part: str, previous: str) -> str:
    """The part with "that framework" put back as the part before named it ("NIST's risk framework"), so
    that its search finds the framework and not the part before's subject (dev u-mh-629)."""

    def named(found: re.Match[str]) -> str:
        noun = found.group(1)
        earlier = list(re.finditer(rf"((?:{_MODIFIER}\s+){{1,2}}){re.escape(noun)}s?\b", previous, re.I))
        if not earlier:
            return found.group(0)
        words: list[str] = []
        for word in reversed(earlier[-1].group(1).split()):  # the modifiers next to it, up to a stop word
            if word.lower() in STOP_WORDS:
                break
            words.insert(0, word)
        return " ".join([*words, noun]) if words else found.group(0)

    return _DEMONSTRATIVE.sub(named, part)


def _named_docs(searcher: Searcher, text: str) -> set[str]:
    """The documents the text names, or whose issuer it names."""
    named = searcher.parse(text)
    return set(named.doc_ids) | set(named.cued_doc_ids)


def _refers_back(part: str) -> bool:
    """It leans on the part before: a pronoun ("when was it adopted?") or too few words to stand alone."""
    return bool(PRONOUN.search(part)) or len(part.split()) <= 6


def _doc(evidence: Evidence, s: ScoredSentence) -> str:
    return next(src.doc_id for src in evidence.sources if src.n == s.source_n)
