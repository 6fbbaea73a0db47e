"""Evaluation metrics as pure functions over plain records, so each one can be unit-tested by hand.

Retrieval is judged by evidence, not by document: a passage "contains" a gold quote when the quote's
normalised text lies inside the passage's. Quotes were copied from the raw corpus files while our
passages are cleaned text (markdown, curly quotes, `<sup>` and soft hyphens differ), so both sides are
reduced to lower-case alphanumeric tokens before comparing. A quote that straddles a chunk boundary
counts when at least half of it (a prefix or a suffix) is in the passage: the reader then sees the
evidence, and both systems are held to the same rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from evals.dataset import EvidenceQuote
from evals.uncertainty import mean_interval
from rag.text.normalize import normalize_text

# A boundary-straddling quote counts when this share of its tokens (and at least this many) is present.
PARTIAL_MIN_SHARE = 0.5
PARTIAL_MIN_TOKENS = 6

# (sentence, cited passages) → does the union of the passages support the sentence?
Judge = Callable[[str, Sequence[str]], bool]


# -- text matching ----------------------------------------------------------------------------------
def _longest_true(pred: Callable[[int], bool], hi: int) -> int:
    """Largest n in [0, hi] with pred(n), for a pred that is true up to some n and false after."""
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pred(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def quote_coverage(quote: str, passage: str) -> float:
    """Share of the quote's tokens found in the passage as one contiguous prefix or suffix (1.0 = all)."""
    q = normalize_text(quote).split()
    if not q:
        return 0.0
    hay = f" {normalize_text(passage)} "

    def has(tokens: Sequence[str]) -> bool:
        return f" {' '.join(tokens)} " in hay

    if has(q):
        return 1.0
    # Containment of a prefix is monotone in its length (so is a suffix's), hence binary search.
    prefix = _longest_true(lambda n: n == 0 or has(q[:n]), len(q))
    suffix = _longest_true(lambda n: n == 0 or has(q[len(q) - n :]), len(q))
    return max(prefix, suffix) / len(q)


def contains_quote(quote: str, passage: str) -> bool:
    cov = quote_coverage(quote, passage)
    if cov >= 1.0:
        return True
    n = len(normalize_text(quote).split())
    return cov >= PARTIAL_MIN_SHARE and cov * n >= PARTIAL_MIN_TOKENS


@dataclass(frozen=True)
class Passage:
    doc_id: str
    text: str


def passage_has_evidence(passage: Passage, ev: EvidenceQuote) -> bool:
    # The same sentence can occur in two documents (communiqués restate each other); a gold quote
    # names its document, so only that document's passages count.
    if ev.doc_id and passage.doc_id and ev.doc_id != passage.doc_id:
        return False
    return contains_quote(ev.quote, passage.text)


# -- retrieval ----------------------------------------------------------------------------------------
def evidence_ranks(passages: Sequence[Passage], evidence: Sequence[EvidenceQuote]) -> list[int | None]:
    """For each gold quote, the 1-based rank of the first passage that contains it (None: not retrieved)."""
    ranks: list[int | None] = []
    for ev in evidence:
        ranks.append(next((i for i, p in enumerate(passages, start=1) if passage_has_evidence(p, ev)), None))
    return ranks


def hit_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """1.0 when some gold quote is in the top k; None when there is no gold evidence to find."""
    if not ranks:
        return None
    return 1.0 if any(r is not None and r <= k for r in ranks) else 0.0


def recall_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of the gold quotes found in the top k."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def reciprocal_rank(ranks: Sequence[int | None], k: int | None = None) -> float | None:
    """1 / rank of the first passage holding any gold quote (0 when none does, within k if given)."""
    if not ranks:
        return None
    found = [r for r in ranks if r is not None and (k is None or r <= k)]
    return 1.0 / min(found) if found else 0.0


def doc_hit_at_k(doc_ids: Sequence[str], gold_docs: Sequence[str], k: int) -> float | None:
    """Looser diagnostic: a gold document among the top-k passages' documents."""
    if not gold_docs:
        return None
    return 1.0 if set(doc_ids[:k]) & set(gold_docs) else 0.0


# -- answers ----------------------------------------------------------------------------------------
def matches_must_include(answer: str, must_include: Sequence[Sequence[str]]) -> bool | None:
    """True when every group is matched by at least one of its alternatives (token-boundary containment).

    None when there is nothing to check (no groups).
    """
    groups = [[a for a in g if normalize_text(a)] for g in must_include]
    groups = [g for g in groups if g]
    if not groups:
        return None
    hay = f" {normalize_text(answer)} "
    return all(any(f" {normalize_text(alt)} " in hay for alt in group) for group in groups)


def citation_hit(cited: Sequence[Passage], evidence: Sequence[EvidenceQuote]) -> float | None:
    """1.0 when some cited passage contains some gold quote."""
    if not evidence:
        return None
    return 1.0 if any(passage_has_evidence(p, ev) for p in cited for ev in evidence) else 0.0


def gold_citation_precision(cited: Sequence[Passage], evidence: Sequence[EvidenceQuote]) -> float | None:
    """Share of cited passages that hold some gold quote: grounding judged by the labels, not by our checker.

    A strict reading: a passage that supports the answer without holding a labelled quote counts as a miss.
    """
    if not evidence or not cited:
        return None
    return sum(any(passage_has_evidence(p, ev) for ev in evidence) for p in cited) / len(cited)


def gold_citation_recall(cited: Sequence[Passage], evidence: Sequence[EvidenceQuote]) -> float | None:
    """Share of gold quotes that some cited passage holds (a two-part answer needs both parts cited)."""
    if not evidence or not cited:
        return None
    return sum(any(passage_has_evidence(p, ev) for p in cited) for ev in evidence) / len(evidence)


@dataclass
class CitedSentence:
    text: str
    passages: list[str] = field(default_factory=list)  # the texts of the passages this sentence cites


def citation_recall(sentences: Sequence[CitedSentence], judge: Judge) -> float | None:
    """ALCE citation recall: share of answer sentences that their cited passages (together) support.

    A sentence with no citation is unsupported. None when the answer has no sentences (abstention).
    """
    if not sentences:
        return None
    return sum(1 for s in sentences if s.passages and judge(s.text, s.passages)) / len(sentences)


def citation_precision(sentences: Sequence[CitedSentence], judge: Judge) -> float | None:
    """Share of (sentence, cited passage) pairs in which that passage alone supports the sentence.

    Simpler than ALCE's precision (which also credits a citation needed jointly with others): our
    answers cite one passage per sentence, where the two definitions coincide.
    """
    pairs = [(s.text, p) for s in sentences for p in s.passages]
    if not pairs:
        return None
    return sum(1 for text, p in pairs if judge(text, [p])) / len(pairs)


# -- judge calibration --------------------------------------------------------------------------------
def agreement_stats(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, float | None]:
    """Agreement of a judge with human labels: accuracy, precision/recall/F1 on 'supported', Cohen's kappa."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    n = len(gold)
    if not n:
        return {"n": 0}
    tp = sum(1 for g, p in zip(gold, pred) if g and p)
    tn = sum(1 for g, p in zip(gold, pred) if not g and not p)
    fp = sum(1 for g, p in zip(gold, pred) if not g and p)
    fn = sum(1 for g, p in zip(gold, pred) if g and not p)
    acc = (tp + tn) / n
    # Undefined ratios are None rather than 0: a group with only unsupported pairs has no recall to speak of.
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    g_yes, p_yes = (tp + fn) / n, (tp + fp) / n
    pe = g_yes * p_yes + (1 - g_yes) * (1 - p_yes)
    # Kappa says nothing when the labels are all one class (the group's "chance" is the whole story).
    kappa = (acc - pe) / (1 - pe) if 0 < g_yes < 1 and pe < 1 else None
    return {
        "n": n,
        "accuracy": acc,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "kappa": kappa,
        "tp": tp,
        "tn": tn,
        "fp": fp,
        "fn": fn,
    }


def agreement_by_group(
    gold: Sequence[bool], pred: Sequence[bool], groups: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """agreement_stats per group label (e.g. per perturbation type), plus 'overall'."""
    out = {"overall": agreement_stats(gold, pred)}
    for g in sorted(set(groups)):
        idx = [i for i, x in enumerate(groups) if x == g]
        out[g] = agreement_stats([gold[i] for i in idx], [pred[i] for i in idx])
    return out


# -- latency --------------------------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), q in [0, 100]; None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency_summary(timings: Iterable[Mapping[str, float]]) -> dict[str, dict[str, float | None]]:
    """p50/p95/mean per stage over a list of timings_ms dicts (a stage missing from a record is skipped)."""
    by_stage: dict[str, list[float]] = {}
    for t in timings:
        for stage, ms in t.items():
            by_stage.setdefault(stage, []).append(float(ms))
    return {
        stage: {
            "n": len(v),
            "p50": percentile(v, 50),
            "p95": percentile(v, 95),
            "mean": sum(v) / len(v),
        }
        for stage, v in by_stage.items()
    }


# -- aggregation ----------------------------------------------------------------------------------------
def mean_or_none(values: Iterable[float | None]) -> float | None:
    xs = [float(v) for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def aggregate(
    records: Sequence[Mapping[str, float | None]], keys: Sequence[str], interval: bool = False
) -> dict[str, dict[str, Any]]:
    """Mean of each score over the records where it applies (not None), with how many applied, and with
    `interval` its 95% bootstrap interval as `ci95` ([low, high], None below two records)."""
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        vals = [r.get(key) for r in records]
        applied = [float(v) for v in vals if v is not None]
        out[key] = {"mean": mean_or_none(applied), "n": len(applied)}
        if interval:
            ci = mean_interval(applied)
            out[key]["ci95"] = None if ci is None else [ci[0], ci[1]]
    return out


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """ours / theirs, None when undefined (a zero or missing baseline)."""
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs
