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
# A text asked the whole question is read wider: the passage that answers it within the text ranked 4th
# for dev u-mh-438 (Article 50, under Article 4's "persons dealing with … AI systems").
DOCUMENT_POOL = 5
DOCUMENT_HITS = 12
# A part's best sentence is quoted only above this probability. Swept 0 / 0.15 / 0.3 on dev (2026-12-04):
# the same accuracy (users 0.559, v1 0.750, ja 0.600), 2.84 / 2.83 / 2.80 quotes an answer, gold citation
# precision 0.548 / 0.549 / 0.553; the least noise wins.
PART_FLOOR = 0.2
# A text the question is asked of gets its quote from lower down: the user asked about it by name, and its
# best sentence for a question worded for both texts scores low ("switch off" in the NIST RMF: 0.08).
# Swept 0.2 / 0.1 / 0.05 / 0 on dev (2026-12-06): probes dev accuracy 0.638 / 0.643 / 0.653 / 0.653, users
# dev (cross-fitted) 0.703 throughout, citation hit 0.806 / 0.808 / 0.808 / 0.811; the least noise of the
# best wins.
DOCUMENT_FLOOR = 0.05
# A part's quote comes from a text the whole question's search found or the part names, unless the reader
# is this sure of it: "when did japan set up its AI safety institute, and what did the US and japan agree
# to do with these institutes…" found the two April statements, and the date is The Diplomat's (0.86;
# dev u-mh-358, declined for want of a date before). Swept 0.3 / 0.5 / 0.7 on dev (2026-12-07).
ANY_TEXT_FLOOR = 0.5


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
    if reader is None:
        return evidence, []
    parts = _readings(question, searcher)
    if len(parts) < 2:
        return evidence, []
    picks: list[ScoredSentence] = []
    picked: set[str] = set()
    # A part's quote comes from a document the whole question's search found or the part names: a part
    # searched alone ("what deadline did the add-on get?") otherwise quoted an unrelated "deadline".
    docs = {src.doc_id for src in evidence.sources}
    previous, previous_quotes = "", []
    for part, only_doc in parts:
        if only_doc is not None:
            part_filters = _within(filters, only_doc)
            if part_filters is None:
                continue
            query, docs, own_docs = part, set(), {only_doc}
        else:
            part_filters = filters
            query, own_docs = _part_query(searcher, part, previous, previous_quotes)
        previous, previous_quotes = part, []
        expansion = "; ".join(glossary.expansions(query)) if glossary is not None else ""
        # Within one text, its top passages are enough to read five of (selection scored 40: 1 ms a text).
        fetch_k = DOCUMENT_HITS if only_doc else None
        hits = searcher.search(query, filters=part_filters, expansion=expansion, fetch_k=fetch_k)
        own = selector.select(query, hits, DOCUMENT_POOL if only_doc else PART_POOL, expansion=expansion)
        reading = reader.read(query, own, [])
        allowed = docs | own_docs
        fit = [
            s
            for p, s in reading.ranked
            if p > (DOCUMENT_FLOOR if only_doc else PART_FLOOR)
            and len(s.text.split()) >= 4
            and (_doc(own, s) in allowed or p >= ANY_TEXT_FLOOR)
            and s.text not in picked  # two parts quoting one sentence answer one of them
        ]
        if question_type(query) == "list":
            # "what are its four core functions?" is answered by the sentence that lists them, not by "It
            # describes four specific functions" ranked above it (as the composer does, _lists_first)
            fit = sorted(fit[:3], key=lambda s: not ENUMERATION.search(s.text)) + fit[3:]
        best = fit[0] if fit else None
        # The bridge to the next part may be named below the floor ("(Adapted from: OECD Recommendation…)").
        previous_quotes = [s.text for _, s in reading.ranked[:3] if _doc(own, s) in allowed]
        # A text the user named is quoted from its best sentence above the floor even where its own
        # reading would abstain: whether the question is answered is the whole question's reading's call,
        # and "does the CoE treaty ban social scoring like the EU does?" is answered by the treaty's
        # "moratorium or ban" (probability 0.07; dev u-mh-022), not by the EU's recital alone.
        if best is None or not (reading.answers or only_doc):
            continue
        # Its passage's sentences scored again for the whole question, which the reader reads them against.
        terms, sents = evidence.query_terms, own.sentences[best.source_n]
        rescored = [replace(s, coverage=selector.coverage(terms, s.tokens)) for s in sents]
        own = replace(own, sentences={best.source_n: rescored})
        evidence, n = evidence.with_source(own, best.source_n)
        picks.append(next(s for s in evidence.sentences[n] if s.position == best.position))
        picked.add(best.text)
    return evidence, picks


def queries_ahead(question: str, searcher: Searcher) -> list[str]:
    """What `read_parts` will search for, as far as the question alone tells: each part's query (one that
    points back may be searched for a name the part before's quotes give instead), or the question with
    its texts' names cut. The chain starts embedding them while it searches for the whole question."""
    parts = _readings(question, searcher)
    if len(parts) > 1 and parts[0][1] is None:  # as `read_parts` asks, less the bridge (the quotes give it)
        asked = [part for part, _ in parts]
        return [_part_query(searcher, part, previous, [])[0] for part, previous in zip(asked, ["", *asked])]
    return [asked for asked, _ in parts[:1]]


def _readings(question: str, searcher: Searcher) -> list[tuple[str, str | None]]:
    """What is read on its own: each part of the question, or the whole question within each text it is
    asked of (the document, None for a part, which the whole corpus answers)."""
    parts: list[tuple[str, str | None]] = [(part, None) for part in question_parts(question)]
    per_document = _per_document(question, searcher)
    # A part that names every text asked of ("did the UN resolution and Biden's order both deal with jobs?
    # what did each one ask for?", dev u-mh-011) is asked of each text, as a question in one part is.
    if per_document and (not parts or any(_names_all(searcher, part, per_document) for part, _ in parts)):
        return per_document
    return parts


def _part_query(
    searcher: Searcher, part: str, previous: str, previous_quotes: list[str]
) -> tuple[str, set[str]]:
    """What a part is searched for, and the documents that names: a part that points back is searched
    for the name the part before's quotes gave, or for what the part before named."""
    own_docs = _named_docs(searcher, part)
    bridged = _bridge(part, previous, previous_quotes) if previous_quotes else None
    if bridged:
        return bridged, _named_docs(searcher, bridged)
    if previous and not own_docs and _refers_back(part):
        resolved = _resolve_demonstrative(part, previous)
        # "…an OECD text. Which text was that, and when was it adopted?": "it" is the subject before.
        if resolved != part:
            return resolved, _named_docs(searcher, resolved)
        return f"{part} ({subject_of(previous)})", own_docs
    return part, own_docs


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


# A name in a quote: two or more capitalised words, joined by "of", "on", "in"… ("G7 Leaders’ Summit in
# Hiroshima", "Hiroshima AI Process Comprehensive Policy Framework", "OECD Recommendation on AI:2019").
_CAP = r"(?:[A-Z][\w’'.:-]*[\w’']|G\d+)"
_NAME = re.compile(rf"{_CAP}(?:\s+(?:(?:of|on|for|in|and|the|to)\s+)*{_CAP})+")
# "Which summit" asks for a named summit; "which text" for a named instrument of any kind.
_ASKED_NOUN = re.compile(r"\b(?:which|what)\s+([a-z]{3,})\b", re.I)
_WHAT_WAS_THAT = re.compile(r"\bwhat\s+(?:was|is|were|are)\s+(?:that|it|this|they)\W*$", re.I)
_ARTICLE_NOUN = re.compile(r"\b(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?([a-z]{4,})\b")
_MONTH_AFTER = re.compile(
    r"\s+(?:in|on|of)\s+(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b.*$"
)
_NOT_NOUNS = {"was", "were", "is", "are", "did", "does", "do", "has", "have", "had", "can", "will", "would"}
_INSTRUMENT_WORDS = {"text", "document", "instrument", "agreement", "paper"}
_INSTRUMENTS = set(
    "recommendation convention resolution guidelines principles declaration act order framework code"
    " statement communiqué plan process charter regulation".split()
)
_BACK = re.compile(r"\b(?:it|that|this|them|they)\b", re.I)


def _bridge(part: str, previous: str, quotes: list[str]) -> str | None:
    """The part with its "it" replaced by the name the part before asked for and its quotes gave: "Which
    summit…, and when was it held?" searches "when was G7 Leaders’ Summit in Hiroshima held?" (dev
    u-mh-015). Without it the second part searched for the question's own words and found the first
    part's passage again. Peers join hops with an LLM (LangChain's decomposition chains); the name is the
    bridge an LLM would write."""
    if not _BACK.search(part) or _asked_nouns(part):
        return None
    asked = _asked_nouns(previous)
    that = _WHAT_WAS_THAT.search(previous)
    if that:  # "…a G7 AI framework in December 2023 — what was that": the noun it points back to
        asked += [m.group(1) for m in _ARTICLE_NOUN.finditer(previous[: that.start()])][-1:]
    if not asked:
        return None
    wanted = set(asked)
    if wanted & _INSTRUMENT_WORDS:
        wanted |= _INSTRUMENTS
    said = set(re.findall(r"\w+", previous.lower()))
    for quote in quotes:
        for name in _NAME.finditer(quote):
            words = [re.sub(r"[’']s?$", "", w.lower()) for w in re.findall(r"[\w’']+", name.group(0))]
            new = [w for w in words if w not in said and w not in STOP_WORDS]
            stems = set(words) | {w.rstrip("s") for w in words}
            if wanted & stems and new:
                bridge = _MONTH_AFTER.sub("", name.group(0)).removeprefix("The ")
                return _BACK.sub(bridge, part, count=1)
    return None


_COMPARES = re.compile(
    r"\b(?:both|each|either|neither|same|similar|differ\w*|difference|like|the way|compar\w*|unlike"
    r"|versus)\b",
    re.I,
)


def _per_document(question: str, searcher: Searcher) -> list[tuple[str, str | None]]:
    """One reading of the whole question per document it names, for a question in one part that asks
    the same of two or three texts ("do the EU AI Act and the CoE treaty both say people must be told
    they're dealing with an AI?", dev u-mh-438): one search ranks one side's passages first, and the
    reader quoted that side three times and the other side's nearest sentence (AI literacy, not Article
    50)."""
    named = searcher.parse(question).doc_ids
    # Asked of both, not one named as the other's source or actor ("Biden's order gave NIST…").
    if len(named) < 2 or not (_COMPARES.search(question) or searcher.names_joined(question)):
        return []
    # Each text searched for what is asked, without the names: "Council" (of Europe) is in the AI Act's
    # every citation, and "EU AI Act" in none of its sentences.
    asked = searcher.without_doc_names(question).rstrip("?") + "?"
    return [(asked, doc_id) for doc_id in named[:3]]


def _names_all(searcher: Searcher, part: str, per_document: list[tuple[str, str | None]]) -> bool:
    """The part names each of the texts the question is asked of."""
    return {doc for _, doc in per_document} <= set(searcher.parse(part).doc_ids)


def _within(filters: Filters | None, doc_id: str) -> Filters | None:
    """The filters narrowed to one document; None when they leave it out."""
    if filters is None:
        return Filters(doc_ids=[doc_id])
    if filters.doc_ids is not None and doc_id not in filters.doc_ids:
        return None
    return filters.model_copy(update={"doc_ids": [doc_id]})


def _asked_nouns(text: str) -> list[str]:
    found = (m.group(1).lower() for m in _ASKED_NOUN.finditer(text))
    return [noun for noun in found if noun not in _NOT_NOUNS]


def _named_docs(searcher: Searcher, text: str) -> set[str]:
    """The documents the text names, or whose issuer it names."""
    named = searcher.parse(text)
    return set(named.doc_ids) | set(named.cued_doc_ids)


def _refers_back(part: str) -> bool:
    """It leans on the part before: a pronoun ("when was it adopted?") or too few words to stand alone."""
    return bool(PRONOUN.search(part)) or len(part.split()) <= 6


def _doc(evidence: Evidence, s: ScoredSentence) -> str:
    return next(src.doc_id for src in evidence.sources if src.n == s.source_n)
