"""The reader: score every candidate sentence with the trained model, then decide answerability.

Replaces the hand-set sentence score (coverage plus bonuses) and the abstention vetoes with the model
and thresholds of `rag/data/reader.json`, trained on the dev questions by `policyqa train-reader`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.evidence import Evidence, ScoredSentence
from rag.reader.answerability import missing_detail, missing_share
from rag.reader.features import FEATURES, answer_mask, feature_matrix, quotable
from rag.reader.model import READER_PATH, ReaderFile, load_reader
from rag.reader.question import question_type
from rag.reader.word_vectors import WordVectors
from rag.translate.framing import missing_detail_warning

# The reader reads POOL_EXTRA more passages than it answers from and keeps the k whose rerank score plus
# READER_BLEND x their best sentence probability is highest. Dev sweep (pool, blend) → hit@5 v1 / user-style:
# (0, -) 0.865 / 0.696; (3, 0.5) 0.865 / 0.696; (3, 1) 0.865 / 0.710; (3, 3) 0.865 / 0.717; (6, 3) 0.865 /
# 0.725; (6, 10) 0.846 / 0.717. Answer accuracy moved by one question either way.
POOL_EXTRA = 6
READER_BLEND = 3.0


@dataclass
class Reading:
    ranked: list[tuple[float, ScoredSentence]] = field(default_factory=list)  # best first
    top_prob: float = 0.0  # the best sentence's probability of holding the answer (the confidence model's)
    answers: bool = False
    # The abstention signals behind `answers`, kept for the trace (rag/tracing.py).
    missing_share: float = 0.0
    similarity: float | None = None
    missing_detail: str = ""  # what is missing, for the user's warning ("the name of a company")

    @property
    def detail_missing(self) -> bool:
        return bool(self.missing_detail)

    def abstention_warnings(self, question_language: str | None = None) -> list[str]:
        """What the user is told when the reader declines because the asked-for detail is not there."""
        if not self.missing_detail:
            return []
        return [missing_detail_warning(self.missing_detail, question_language)]


class Reader:
    def __init__(self, model: ReaderFile, words: WordVectors | None = None) -> None:
        """`words`: single words' vectors, for the soft coverage feature (rag/reader/word_vectors.py)."""
        self.model = model
        self.words = words

    @classmethod
    def load(cls, path: Path = READER_PATH, words: WordVectors | None = None) -> Reader:
        return cls(load_reader(path), words)

    def _score(self, question: str, evidence: Evidence) -> tuple[list[ScoredSentence], np.ndarray, float]:
        """Candidates, their probabilities, and the confidence model's best probability."""
        cands, rows = feature_matrix(question, evidence, self.words)
        mask = answer_mask([s.text for s in cands])
        probs = self.model.sentence.probabilities(rows) * mask
        top = self._confidence(rows) * mask if self.model.confidence is not None else probs
        return cands, probs, float(top.max()) if len(top) else 0.0

    def _confidence(self, rows: np.ndarray) -> np.ndarray:
        """Probabilities from the model without the adapter's features (the sentence model if none)."""
        conf = self.model.confidence
        if conf is None or not len(rows):
            return self.model.sentence.probabilities(rows)
        return conf.probabilities(rows[:, conf.columns(FEATURES)])

    def choose_sources(
        self, question: str, evidence: Evidence, k: int, cover: Sequence[str] = (), keep: Sequence[int] = ()
    ) -> Evidence:
        """The k passages to answer from, among a wider pool: clause matches first, then by the rerank
        score blended with the reader's best sentence in each passage. `cover`: documents the question
        names side by side; each keeps its best passage, if the pool has one, in place of the last
        passage of a document that has several. `keep`: passages that stay whatever their score, after the
        first (a named text's statement of itself: rag/references/own_statements.py)."""
        if len(evidence.sources) <= k:
            return evidence
        # The model without the adapter's similarities chooses: with the adapted one choosing, dev lost 3
        # of 29 abstentions and a v1 answer (cross-fitted, 2026-12-03); see ReaderFile.confidence.
        cands, rows = feature_matrix(question, evidence, self.words)
        probs = self._confidence(rows) * answer_mask([s.text for s in cands])
        best: dict[int, float] = {}
        for s, p in zip(cands, probs):
            best[s.source_n] = max(best.get(s.source_n, 0.0), float(p))
        # The named clause stays first, and so does a passage pinned in its place: Article 99(4), the fine
        # for breaching Article 50, ranked 7th of 11 by rerank and reader once Article 112's review of
        # "transparency measures pursuant to Article 50" reached the pool (2026-12-05).
        lead = [evidence.sources[0].n] if evidence.clause_match or evidence.pinned else []
        lead += [n for n in keep if n not in lead][: max(k - len(lead), 0)]
        # A passage with no sentence that can answer (a page of footnotes: answer_mask) comes after every
        # passage that has one: it took a source's place and can give no quote.
        rest = sorted(
            (src for src in evidence.sources if src.n not in lead),
            key=lambda src: (best.get(src.n, 0.0) <= 0.0, -(src.score + READER_BLEND * best.get(src.n, 0.0))),
        )
        order = lead + [src.n for src in rest]
        return evidence.keep(_covering(order, k, {src.n: src.doc_id for src in evidence.sources}, cover))

    def read(
        self, question: str, evidence: Evidence, missing: list[str], translated: bool = False
    ) -> Reading:
        cands, probs, top = self._score(question, evidence)
        order = sorted(range(len(cands)), key=lambda i: (-probs[i], cands[i].source_n, cands[i].position))
        share = missing_share(question, evidence.query_terms, missing)
        similarity = top_similarity(cands)
        # The asked detail is looked for in what the answer can quote: a heading ranked first ("## AI R&D
        # Guidelines Integration") held no figure, and the question was declined though the next sentence
        # said "those three guidelines".
        qtype = question_type(question)
        quotes = [cands[i].text for i in order if quotable(float(probs[i]), cands[i].text, qtype)]
        titles = [f"{src.title} {src.section}" for src in evidence.sources]
        dates = [src.date or "" for src in evidence.sources]
        no_detail = missing_detail(question, quotes[:5], translated, titles, dates)
        return Reading(
            ranked=[(float(probs[i]), cands[i]) for i in order],
            top_prob=top,
            answers=bool(order) and self.model.abstention.answers(top, share, similarity, bool(no_detail)),
            missing_share=share,
            similarity=similarity,
            missing_detail=no_detail,
        )


def top_similarity(cands: list[ScoredSentence]) -> float | None:
    """The best sentence similarity; None when no candidate has a sentence vector."""
    best = max((s.dense for s in cands), default=0.0)
    return best if best > 0.0 else None


def _covering(order: list[int], k: int, doc_of: dict[int, str], cover: Sequence[str]) -> list[int]:
    """The first k of `order`, with each `cover` document's best passage swapped in if it was left out."""
    chosen = order[:k]
    for doc in cover:
        if any(doc_of[n] == doc for n in chosen):
            continue
        best = next((n for n in order[k:] if doc_of[n] == doc), None)
        counts = Counter(doc_of[n] for n in chosen)
        victim = next((i for i in range(len(chosen) - 1, 0, -1) if counts[doc_of[chosen[i]]] > 1), None)
        if best is not None and victim is not None:
            chosen[victim] = best
    return sorted(chosen, key=order.index)
