"""From fused hits to the numbered sources and scored sentences an answer is built from.

No cross-encoder ships here, so reranking uses what does: the chunk's dense similarity and fused
rank, IDF-weighted coverage of the question by the chunk and by its best sentence, clause matches,
and maximal marginal relevance (token-set overlap) for diversity.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
from langchain_core.documents import Document

from rag.core.models import Source
from rag.retrieval import Hit
from rag.sentence_cache import ChunkSentences, SentenceCache
from rag.store.index import chunk_body, chunk_context
from rag.text.clauses import PATH_SEPARATOR
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


# (rerank score, hit, its sentences, best sentence coverage, each sentence's coverage)
_Scored = tuple[float, Hit, "ChunkSentences", float, list[float]]


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
    # Coverage by the sentence read under its headings' titles: "Annex III — High-risk AI systems" makes
    # its item 5(b) answer "is a credit-scoring AI high-risk?", whose words the item itself lacks.
    context_coverage: float = 0.0


@dataclass
class Evidence:
    sources: list[Source]
    sentences: dict[int, list[ScoredSentence]] = field(default_factory=dict)  # by source n, passage order
    strength: float = 0.0
    clause_match: bool = False
    # The first source was pinned by what the question names (its clause, or a passage that ranks as one
    # would: the penalty provision that cites it, the document's dated statement, the definition).
    pinned: bool = False
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

    def with_source(self, other: Evidence, n: int) -> tuple[Evidence, int]:
        """This evidence with `other`'s source n added after its own (or found, by chunk), and its n here."""
        src = next(s for s in other.sources if s.n == n)
        mine = next((s for s in self.sources if s.chunk_id == src.chunk_id), None)
        if mine is not None:
            return self, mine.n
        new = max((s.n for s in self.sources), default=0) + 1
        added = [replace(s, source_n=new) for s in other.sentences.get(n, [])]
        merged = replace(
            self,
            sources=[*self.sources, src.model_copy(update={"n": new})],
            sentences={**self.sentences, new: added},
        )
        return merged, new


def query_terms(question: str, doc_name_tokens: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    seen: list[str] = []
    for t in tokenize(question):
        if t not in QUESTION_WORDS and t not in doc_name_tokens and t not in seen:
            seen.append(t)
    return seen


# Each text's share of the question's words it holds or holds a near-synonym of, in [0, 1]
# (rag/reader/word_vectors.py `WordVectors.soft_coverage`).
SoftCoverage = Callable[[str, Sequence[str]], list[float]]


class EvidenceSelector:
    def __init__(
        self, idf: dict[str, float] | None = None, soft: SoftCoverage | None = None, soft_weight: float = 0.0
    ) -> None:
        """`soft`, at `soft_weight`, joins the rerank: the exact-word coverage missed a passage that says
        "employer" for a question's "boss" (Settings.soft_rerank_weight)."""
        self.idf = idf or {}
        self.cache = SentenceCache()
        self.soft = soft
        self.soft_weight = soft_weight

    def prefill(self, docs: list[Document]) -> None:
        """Split and tokenise these chunks' sentences ahead of the questions that will need them."""
        for d in docs:
            self.cache.get(str(d.id), chunk_body(d))

    def sentence_texts(self, docs: list[Document]) -> Iterator[str]:
        """Each sentence of these chunks, as the selector splits them."""
        for d in docs:
            body = chunk_body(d)
            for a, b, _ in self.cache.get(str(d.id), body).spans:
                yield body[a:b]

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
        bodies = [chunk_body(h.doc) for h in hits]
        softs = (
            self.soft(question, bodies) if self.soft is not None and self.soft_weight else [0.0] * len(hits)
        )
        for h, body, soft in zip(hits, bodies, softs, strict=True):
            cached = self.cache.get(str(h.doc.id), body)
            chunk_cov, covs = coverage.of_chunk(cached)
            best_sent = max(covs, default=0.0)
            rel = (
                W_FUSED * (h.score / max_fused)
                + W_DENSE * max(h.dense, 0.0)
                + W_CHUNK_COV * chunk_cov
                + W_SENT_COV * best_sent
                + W_SENT_DENSE * h.sentence
                + self.soft_weight * soft
            )
            scored.append((rel, h, cached, best_sent, covs))

        # Clause matches first (the question named that paragraph), then MMR over the rest.
        clause = sorted((s for s in scored if s[1].ref > 0), key=lambda s: (s[1].ref, s[0]), reverse=True)
        chosen = clause[: max(1, min(k, 3))] if clause else []
        _mmr(chosen, [s for s in scored if s not in chosen], k)

        sources: list[Source] = []
        sentences: dict[int, list[ScoredSentence]] = {}
        for n, (rel, h, cached, _, covs) in enumerate(chosen, start=1):
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
                    titled_section=chunk_context(h.doc),
                    text=body,
                    start=start,
                    end=int(md.get("end", start + len(body))),
                    url=md.get("url", ""),
                    score=round(float(rel), 4),
                )
            )
            sentences[n] = _scored_sentences(n, h, body, start, cached, covs, coverage)
        top = chosen[:3]
        strength = max(0.5 * max(s[1].dense, 0.0) + 0.5 * s[3] for s in top)
        return Evidence(
            sources=sources,
            sentences=sentences,
            strength=float(strength),
            clause_match=any(s[1].ref >= 1.0 for s in chosen),
            pinned=bool(chosen) and chosen[0][1].ref > 0,
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
        return _share(self.weights, tokens, self.total)

    def of_chunk(self, cached: ChunkSentences) -> tuple[float, list[float]]:
        """The chunk's coverage and each sentence's. A sentence can only hold terms its chunk holds, so
        each sentence is checked for those alone (1-2 of ~6): selection scores ~400 sentences a question."""
        if not self.total:
            return 0.0, [0.0] * len(cached.spans)
        present = [(t, w) for t, w in self.weights if t in cached.tokens]
        return _share(present, cached.tokens, self.total), [
            _share(present, toks, self.total) if present else 0.0 for _, _, toks in cached.spans
        ]


def _share(weights: list[tuple[str, float]], tokens: frozenset[str] | set[str], total: float) -> float:
    """Summed in the terms' order, so that every caller gets the same float for the same tokens."""
    if not total:
        return 0.0
    found = 0
    for t, w in weights:
        if t in tokens:
            found += w
    return found / total


def _scored_sentences(
    n: int, h: Hit, body: str, start: int, cached: ChunkSentences, covs: list[float], coverage: _Coverage
) -> list[ScoredSentence]:
    heads = context_tokens(chunk_context(h.doc))
    return [
        ScoredSentence(
            body[a:b],
            start + a,
            start + b,
            n,
            covs[i],
            i,
            h.sentence_sims.get(i, 0.0),
            toks,
            h.sentence_adapted.get(i, 0.0),
            coverage(toks | heads) if heads else covs[i],
        )
        for i, (a, b, toks) in enumerate(cached.spans)
    ]


@lru_cache(maxsize=8192)  # chunks of one article share their path, and a path recurs every question
def context_tokens(path: str) -> frozenset[str]:
    """A heading path's words, without the document's short title (every chunk of it has that)."""
    _, sep, rest = path.partition(PATH_SEPARATOR)
    return frozenset(tokenize(rest)) if sep else frozenset()


def _mmr(chosen: list[_Scored], rest: list[_Scored], k: int) -> None:
    """Extend `chosen` to k by maximal marginal relevance over token-set overlap (Jaccard).

    Every pair's overlap comes from one matrix product over the candidates' token ids, not from ~400
    set intersections in Python (1.3 ms of a 14 ms answer); the picks are the same, ties included."""
    if len(chosen) >= k or not rest:
        return
    overlap = _jaccard_matrix([s[2].ids for s in chosen + rest])
    n_chosen = len(chosen)
    rel = np.asarray([s[0] for s in rest], dtype=np.float64)
    sim = overlap[n_chosen:, :n_chosen].max(axis=1) if n_chosen else np.zeros(len(rest))
    left = np.ones(len(rest), dtype=bool)
    while len(chosen) < k and left.any():
        score = np.where(left, MMR_LAMBDA * rel - (1 - MMR_LAMBDA) * sim, -np.inf)
        i = int(np.argmax(score))  # the first of equal scores, as max() over the list picked
        chosen.append(rest[i])
        left[i] = False
        sim = np.maximum(sim, overlap[n_chosen:, n_chosen + i])


def _jaccard_matrix(ids: list[np.ndarray]) -> np.ndarray:
    """|a ∩ b| / |a ∪ b| for every pair of token-id sets (0 for two empty ones)."""
    sizes = np.asarray([len(x) for x in ids], dtype=np.int64)
    if not sizes.sum():
        return np.zeros((len(ids), len(ids)))
    vocab, cols = np.unique(np.concatenate(ids), return_inverse=True)
    member = np.zeros((len(ids), len(vocab)), dtype=np.float32)
    member[np.repeat(np.arange(len(ids)), sizes), cols] = 1.0
    shared = np.rint(member @ member.T).astype(np.int64)  # exact: sums of ones, far below 2**24
    union = sizes[:, None] + sizes[None, :] - shared
    return shared / np.where(union == 0, 1, union)


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
