"""From fused hits to the numbered sources and scored sentences an answer is built from.

No cross-encoder ships here, so reranking uses what does: the chunk's dense similarity and fused
rank, IDF-weighted coverage of the question by the chunk and by its best sentence, clause matches,
and maximal marginal relevance (token-set overlap) for diversity.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache

from langchain_core.documents import Document

from rag.core.models import Source
from rag.retrieval import Hit
from rag.store.index import chunk_body
from rag.text.sentences import sentence_spans
from rag.text.tokenize import tokenize

# Words that say what kind of question it is, not what it is about.
QUESTION_WORDS = set(
    tokenize(
        "what which when where who whom whose why how does do did is are was were say says said "
        "according describe explain tell me about document text provide provision require requirement "
        "many much mean meaning"
    )
)

# Rerank weights, swept on the dev split for hit@5: these 0.885; (0.5, 0.3, 0.1, 0.1) 0.865;
# (0.25, 0.45, 0.15, 0.15) 0.904 — one question, not enough to move off the balanced setting.
W_FUSED, W_DENSE, W_CHUNK_COV, W_SENT_COV = 0.35, 0.35, 0.15, 0.15
# The chunk's best sentence similarity (small-to-big), on top: swept 0 / 0.2 / 0.4 with the sentence
# list fused at 0.3 / 1.0 on dev. hit@5 (v1, user-style): 0 → 0.885, 0.667; 0.2 → 0.865, 0.696;
# 0.4 → 0.846, 0.703. One v1 question for four user-style ones.
W_SENT_DENSE = 0.2
MMR_LAMBDA = 0.8


_Scored = tuple[
    float, Hit, frozenset[str], float
]  # (rerank score, hit, chunk tokens, best sentence coverage)


@dataclass
class ScoredSentence:
    text: str
    start: int  # offsets in the cleaned document
    end: int
    source_n: int
    coverage: float  # IDF-weighted share of the question's content terms found in the sentence
    position: int  # index of the sentence in its passage
    dense: float = 0.0  # the sentence's own similarity to the question (sentence index; 0 if unindexed)
    tokens: frozenset[str] = frozenset()
    adapted: float = 0.0  # `dense` after the query adapter (rag/retrieval/query_adapter.py)


@dataclass
class Evidence:
    sources: list[Source]
    sentences: dict[int, list[ScoredSentence]] = field(default_factory=dict)  # by source n, passage order
    strength: float = 0.0
    clause_match: bool = False
    query_terms: list[str] = field(default_factory=list)
    expansion_terms: frozenset[str] = frozenset()  # the glossary's corpus terms for the question's lay words

    def keep(self, order: list[int]) -> Evidence:
        """These sources (by their current n), renumbered 1.. in this order, with their sentences."""
        renumber = {old: new for new, old in enumerate(order, start=1)}
        by_n = {src.n: src for src in self.sources}
        return replace(
            self,
            sources=[by_n[old].model_copy(update={"n": renumber[old]}) for old in order],
            sentences={
                renumber[old]: [replace(s, source_n=renumber[old]) for s in self.sentences.get(old, [])]
                for old in order
            },
        )


class SentenceCache:
    """Sentence spans per chunk id: splitting is the costly part of sentence scoring."""

    def __init__(self, size: int = 20000) -> None:
        self._data: OrderedDict[str, list[tuple[int, int, frozenset[str]]]] = OrderedDict()
        self._size = size

    def get(self, chunk_id: str, body: str) -> list[tuple[int, int, frozenset[str]]]:
        got = self._data.get(chunk_id)
        if got is None:
            got = [(a, b, frozenset(tokenize(body[a:b]))) for a, b in sentence_spans(body)]
            self._data[chunk_id] = got
            if len(self._data) > self._size:
                self._data.popitem(last=False)
        else:
            self._data.move_to_end(chunk_id)
        return got


def query_terms(question: str, doc_name_tokens: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    seen: list[str] = []
    for t in tokenize(question):
        if t not in QUESTION_WORDS and t not in doc_name_tokens and t not in seen:
            seen.append(t)
    return seen


class EvidenceSelector:
    def __init__(self, idf: dict[str, float] | None = None) -> None:
        self.idf = idf or {}
        self.cache = SentenceCache()

    def prefill(self, docs: list[Document]) -> None:
        """Split and tokenise these chunks' sentences ahead of the questions that will need them."""
        for d in docs:
            self.cache.get(str(d.id), chunk_body(d))

    def weight(self, term: str) -> float:
        return self.idf.get(term, 1.0)

    def coverage(self, terms: list[str], tokens: frozenset[str] | set[str]) -> float:
        return _Coverage(self, terms)(tokens)

    def select(
        self,
        question: str,
        hits: list[Hit],
        k: int,
        doc_name_tokens: set[str] | None = None,
        expansion: str = "",
    ) -> Evidence:
        terms = query_terms(question, doc_name_tokens or set())
        expanded = frozenset(tokenize(expansion)) - QUESTION_WORDS - set(terms)
        if not hits:
            return Evidence(sources=[], query_terms=terms, expansion_terms=expanded)
        coverage = _Coverage(self, terms)
        max_fused = max(h.score for h in hits) or 1.0
        scored: list[_Scored] = []
        for h in hits:
            body = chunk_body(h.doc)
            sents = self.cache.get(str(h.doc.id), body)
            chunk_tokens = frozenset().union(*(s[2] for s in sents)) if sents else frozenset(tokenize(body))
            best_sent = max((coverage(s[2]) for s in sents), default=0.0)
            rel = (
                W_FUSED * (h.score / max_fused)
                + W_DENSE * max(h.dense, 0.0)
                + W_CHUNK_COV * coverage(chunk_tokens)
                + W_SENT_COV * best_sent
                + W_SENT_DENSE * h.sentence
            )
            scored.append((rel, h, chunk_tokens, best_sent))

        # Clause matches first (the question named that paragraph), then MMR over the rest.
        clause = sorted((s for s in scored if s[1].ref > 0), key=lambda s: (s[1].ref, s[0]), reverse=True)
        chosen = clause[: max(1, min(k, 3))] if clause else []
        _mmr(chosen, [s for s in scored if s not in chosen], k)

        sources: list[Source] = []
        sentences: dict[int, list[ScoredSentence]] = {}
        for n, (rel, h, _, _) in enumerate(chosen, start=1):
            md = h.doc.metadata
            body = chunk_body(h.doc)
            start = int(md.get("start", 0))
            sources.append(
                Source(
                    n=n,
                    chunk_id=str(h.doc.id),
                    doc_id=md.get("doc_id", ""),
                    title=md.get("title", ""),
                    publisher=md.get("publisher", ""),
                    date=md.get("date", ""),
                    section=md.get("section", ""),
                    text=body,
                    start=start,
                    end=int(md.get("end", start + len(body))),
                    url=md.get("url", ""),
                    score=round(float(rel), 4),
                )
            )
            sentences[n] = [
                ScoredSentence(
                    body[a:b],
                    start + a,
                    start + b,
                    n,
                    coverage(toks),
                    i,
                    h.sentence_sims.get(i, 0.0),
                    toks,
                    h.sentence_adapted.get(i, 0.0),
                )
                for i, (a, b, toks) in enumerate(self.cache.get(str(h.doc.id), body))
            ]
        top = chosen[:3]
        strength = max(0.5 * max(h.dense, 0.0) + 0.5 * bs for _, h, _, bs in top)
        return Evidence(
            sources=sources,
            sentences=sentences,
            strength=float(strength),
            clause_match=any(h.ref >= 1.0 for _, h, _, _ in chosen),
            query_terms=terms,
            expansion_terms=expanded,
        )


class _Coverage:
    """IDF-weighted share of the question's terms found in a token set, with the weights looked up once
    per question: selection scores every sentence of ~40 candidates, and this is its inner loop."""

    def __init__(self, selector: EvidenceSelector, terms: list[str]) -> None:
        self.weights = [(t, selector.weight(t)) for t in terms]
        self.total = sum(w for _, w in self.weights)

    def __call__(self, tokens: frozenset[str] | set[str]) -> float:
        if not self.total:
            return 0.0
        return sum(w for t, w in self.weights if t in tokens) / self.total


def _mmr(chosen: list[_Scored], rest: list[_Scored], k: int) -> None:
    """Extend `chosen` to k by maximal marginal relevance over token-set overlap.

    Each candidate's similarity to the chosen set is updated with each pick rather than recomputed
    against every pick: the same picks, O(k·n) instead of O(k²·n) (the reader reads k+6 passages)."""
    sim = [_max_sim(s[2], chosen) for s in rest]
    while len(chosen) < k and rest:
        i = max(range(len(rest)), key=lambda j: MMR_LAMBDA * rest[j][0] - (1 - MMR_LAMBDA) * sim[j])
        best = rest.pop(i)
        del sim[i]
        chosen.append(best)
        sim = [max(v, _jaccard(s[2], best[2])) for v, s in zip(sim, rest)]


def _max_sim(tokens: frozenset[str], chosen: list[_Scored]) -> float:
    return max((_jaccard(tokens, c[2]) for c in chosen), default=0.0)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    # |a ∪ b| by counting, not by building the union: MMR calls this a few hundred times a question.
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared or 1)


_DATE_RE = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2},?)?\s+\d{4}\b|\b(?:19|20)\d{2}\b",
    re.I,
)


def has_date(text: str) -> bool:
    return bool(_DATE_RE.search(text))


_QUANTITY_RE = re.compile(
    r"\b\d[\d,.\s]*(?:%|percent|per cent|days?|weeks?|months?|years?|hours?|minutes?|million|billion|"
    r"members?|countries|states|times|flops?|operations|employees|people|persons|organi[sz]ations)\b"
    r"|(?:EUR|€|\$|USD|JPY|¥)\s*\d|\b\d+\^\d+|\b10\d{2}\b(?=\.)"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|hundred)\b",
    re.I,
)


def has_quantity(text: str) -> bool:
    """A count, duration, amount or share: not just an enumeration label or a clause number."""
    return bool(_QUANTITY_RE.search(text))


# Capitalised phrases and numbers in a question name what the answer is about ("China's Interim
# Measures", "SB 1047", "July 2023"). When none of the retrieved passages mentions one of them, the
# corpus is silent on it however similar the rest of the passage is: a strong abstention signal that
# a bi-encoder score alone misses.
_NUM = r"\d[\d,/\-]*(?:\.\d+)*"
_ENTITY = re.compile(
    rf"(?:(?<=\s)|^)((?:[A-Z][\w’'\-]*|{_NUM})(?:\s+(?:of|and|for|on|de|the)?\s*(?:[A-Z][\w’'\-]*|{_NUM}))*)"
)
_NOT_ENTITY = set(
    "what which when where who whom whose why how does do did is are was were can could should will would "
    "must shall has have had "
    "according in on under the a an and or of for to by from with as at ai given if since after before "
    "besides apart beyond so also please".split()
)


def question_entities(question: str) -> list[str]:
    out = []
    words = question.strip()
    for m in _ENTITY.finditer(words):
        phrase = m.group(1).strip(" ,.?")
        if m.start(1) == 0:  # drop a sentence-initial question word but keep the rest of the phrase
            first, _, rest = phrase.partition(" ")
            if first.lower() in _NOT_ENTITY:
                phrase = rest
        if _AI_COMPOUND.fullmatch(phrase):  # "AI-made", "AI-generated": capitalised by "AI", not a name
            continue
        toks = [t for t in tokenize(phrase) if t not in _NOT_ENTITY]
        if not toks:
            continue
        # "METI and MIC" names two bodies, each of which a passage may mention on its own ("MIC and METI");
        # "Standards and Technology" inside a longer name is not split, as its sides are not acronyms.
        pair = _ACRONYM_PAIR.fullmatch(phrase)
        out.extend(pair.groups() if pair else [phrase])
    return out


_ACRONYM_PAIR = re.compile(r"([A-Z][A-Z0-9]{1,7})\s+(?:and|&|or)\s+([A-Z][A-Z0-9]{1,7})")


_AI_COMPOUND = re.compile(r"AI-[a-z][\w\-]*")


def unmatched_entities(
    question: str,
    sources: list[Source],
    ignore: set[str],
    vocab: set[str] | frozenset[str] = frozenset(),
    evidence: Evidence | None = None,
) -> list[str]:
    """Names of the question that no single retrieved passage (with its heading path) mentions.

    Only multi-word names ("China's Interim Measures") and names the corpus never uses count: on the
    dev split, single common names (a minister, a city) missing from the top passages were as often
    paraphrase as silence, and abstaining on them cost more false abstentions than it saved.
    `evidence`: its sentences' tokens stand in for the passages' (tokenising five passages again
    for every question cost ~4 ms of the request).
    """
    source_tokens = [_passage_tokens(s, evidence) for s in sources]
    missing = []
    for phrase in question_entities(question):
        toks = {
            t
            for t in tokenize(phrase)
            if t not in ignore and t not in _NOT_ENTITY and "_" not in t and len(t) > 2
        }
        if not toks or any(toks <= st for st in source_tokens):
            continue
        if len(toks) >= 2 or (vocab and not toks <= vocab):
            missing.append(phrase)
    return missing


def _passage_tokens(src: Source, evidence: Evidence | None) -> set[str]:
    sents = evidence.sentences.get(src.n, []) if evidence is not None else []
    if not sents or not any(s.tokens for s in sents):
        return set(tokenize(f"{src.title} {src.section} {src.date} {src.text}"))
    return set().union(*(s.tokens for s in sents)) | _header_tokens(f"{src.title} {src.section} {src.date}")


@lru_cache(maxsize=8192)
def _header_tokens(header: str) -> frozenset[str]:
    return frozenset(tokenize(header))
