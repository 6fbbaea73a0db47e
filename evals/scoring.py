"""Every score of one answer to one question: the bridge from `Answer` records to the pure metrics.

A score is None where it does not apply (retrieval scores on an unanswerable question, citation scores
on an abstention), so that averages are taken over the questions each metric is about.
"""

from __future__ import annotations

from collections.abc import Sequence

from evals.dataset import EvalQuestion
from evals.metrics import (
    CitedSentence,
    Judge,
    Passage,
    citation_hit,
    citation_precision,
    citation_recall,
    doc_hit_at_k,
    evidence_ranks,
    gold_citation_precision,
    gold_citation_recall,
    hit_at_k,
    matches_must_include,
    recall_at_k,
    reciprocal_rank,
)
from rag.core.models import Answer, Source

# Keys in report order. *_llm keys exist only when a second judge is configured.
RETRIEVAL_KEYS = ["hit_at_1", "hit_at_k", "recall_at_k", "mrr", "doc_hit_at_k"]
ANSWER_KEYS = ["accuracy", "correct", "citation_hit", "abstention_recall", "false_abstention"]
# Grounding against the gold evidence (independent of the chain), then the checker's view of its own output.
SUPPORT_KEYS = ["gold_citation_precision", "gold_citation_recall", "citation_recall", "citation_precision"]
LLM_KEYS = ["citation_recall_llm", "citation_precision_llm"]
SCORE_KEYS = RETRIEVAL_KEYS + ANSWER_KEYS + SUPPORT_KEYS


def support_text(src: Source) -> str:
    """What the judge reads for a passage: the heading path and the text, as the chain's own check does."""
    return f"{src.section}\n{src.text}" if src.section else src.text


def ranked_passages(answer: Answer) -> list[Passage]:
    return [Passage(s.doc_id, s.text) for s in sorted(answer.sources, key=lambda s: s.n)]


def cited_passages(answer: Answer) -> list[Passage]:
    return [Passage(c.doc_id, c.text) for c in answer.citations]


def cited_sentences(answer: Answer) -> list[CitedSentence]:
    by_n: dict[int, Source] = {s.n: s for s in answer.sources}
    by_n.update({c.n: c for c in answer.citations if c.n not in by_n})
    return [
        CitedSentence(s.text, [support_text(by_n[n]) for n in s.citations if n in by_n])
        for s in answer.sentences
    ]


def score_answer(
    q: EvalQuestion, answer: Answer, k: int, judge: Judge, second_judge: Judge | None = None
) -> dict[str, float | None]:
    ranks = evidence_ranks(ranked_passages(answer), q.evidence)
    docs = [s.doc_id for s in sorted(answer.sources, key=lambda s: s.n)]
    scores: dict[str, float | None] = {
        "hit_at_1": hit_at_k(ranks, 1),
        "hit_at_k": hit_at_k(ranks, k),
        "recall_at_k": recall_at_k(ranks, k),
        "mrr": reciprocal_rank(ranks, k),
        "doc_hit_at_k": doc_hit_at_k(docs, q.gold_docs, k) if q.answerable else None,
    }

    abstained = float(answer.abstained)
    if q.answerable:
        matched = matches_must_include(answer.answer, q.must_include)
        scores["accuracy"] = None if matched is None else (0.0 if answer.abstained else float(matched))
        scores["correct"] = scores["accuracy"]
        hit = citation_hit(cited_passages(answer), q.evidence)
        scores["citation_hit"] = None if hit is None else (0.0 if answer.abstained else hit)
        cited = [] if answer.abstained else cited_passages(answer)
        scores["gold_citation_precision"] = gold_citation_precision(cited, q.evidence)
        scores["gold_citation_recall"] = gold_citation_recall(cited, q.evidence)
        scores["abstention_recall"] = None
        scores["false_abstention"] = abstained
    else:
        scores["accuracy"] = None
        scores["correct"] = abstained
        scores["citation_hit"] = None
        scores["gold_citation_precision"] = scores["gold_citation_recall"] = None
        scores["abstention_recall"] = abstained
        scores["false_abstention"] = None

    sentences = cited_sentences(answer) if not answer.abstained else []
    scores["citation_recall"] = citation_recall(sentences, judge)
    scores["citation_precision"] = citation_precision(sentences, judge)
    if second_judge is not None:
        scores["citation_recall_llm"] = citation_recall(sentences, second_judge)
        scores["citation_precision_llm"] = citation_precision(sentences, second_judge)
    return scores


def retrieval_miss_detail(q: EvalQuestion, answer: Answer, k: int) -> dict:
    """What was retrieved instead of the gold evidence: for tuning fusion and the abstention threshold."""
    return {
        "id": q.id,
        "kind": q.kind,
        "question": q.question,
        "standalone": answer.standalone_question,
        "gold_docs": q.gold_docs,
        "evidence": [{"doc_id": e.doc_id, "quote": e.quote[:160]} for e in q.evidence],
        "abstained": answer.abstained,
        "retrieved": [
            {"n": s.n, "doc_id": s.doc_id, "section": s.section, "score": s.score, "text": s.text[:160]}
            for s in sorted(answer.sources, key=lambda s: s.n)[:k]
        ],
    }


def keys_present(records: Sequence[dict[str, float | None]]) -> list[str]:
    extra = [k for k in LLM_KEYS if any(k in r for r in records)]
    return SCORE_KEYS + extra
