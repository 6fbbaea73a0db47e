"""Train the reader (`policyqa train-reader`, `make train`): two logistic models from the dev questions.

1. Every dev question (both question sets) runs through the real retrieval and evidence selection.
   Each candidate sentence of the top-k passages is a row (rag/reader/features.py), positive when it
   holds a gold evidence quote.
2. The sentence model is fitted on those rows. Out-of-fold probabilities (5 folds grouped by question)
   give its cross-validated score and the inputs of the second model, so that the answerability model
   learns from reader confidences it would really see.
3. The abstention rule's two thresholds (rag/reader/answerability.py) are the pair that catches the
   most unanswerable questions while the one-sided 95% upper bound of the answerable ones declined stays
   within `MAX_FALSE_ABSTENTION`, judged on the out-of-fold probabilities.

Only the dev split is read. Same data → byte-identical model file (lbfgs, no shuffling, rounded floats).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evals.dataset import EvalQuestion
from evals.metrics import Passage, passage_has_evidence
from evals.uncertainty import rate_upper_bound
from rag.chain import AskRequest, PolicyQAChain
from rag.evidence import ScoredSentence
from rag.reader.answerability import AbstentionRule, detail_missing, missing_share
from rag.reader.features import ADAPTER_FEATURES, FEATURES, SOFT_FEATURES, answer_mask, feature_matrix
from rag.reader.model import LogisticModel, ReaderFile
from rag.reader.reader import top_similarity
from rag.reader.word_vectors import WordVectors
from rag.retrieval.query_adapter import QueryAdapter
from rag.text.normalize import normalize_text

log = logging.getLogger(__name__)

FOLDS = 5
C = 1.0  # L2 strength; 0.3 and 3.0 moved the CV top-1 by under a point on dev
MAX_FALSE_ABSTENTION = 0.08  # the target for false abstention
SHARES = (0.15, 0.2, 0.3, 0.5, 1.01)  # 1.01: the missing-name rule off
DIGITS = 6


@dataclass
class QuestionRows:
    id: str
    answerable: bool
    question: str
    rows: np.ndarray  # sentence features
    labels: np.ndarray  # sentence holds a gold quote
    clause_match: bool
    missing_share: float  # of the question's terms, inside names no passage mentions
    top_similarity: float | None = None  # the best candidate sentence's own similarity
    texts: list[str] = field(default_factory=list)  # the candidate sentences, in row order


@dataclass
class TrainingData:
    questions: list[QuestionRows] = field(default_factory=list)

    def sha256(self) -> str:
        h = hashlib.sha256()
        for q in self.questions:
            sim = "-" if q.top_similarity is None else f"{q.top_similarity:.{DIGITS}f}"
            h.update(f"{q.id}|{q.answerable}|{q.clause_match}|{q.missing_share:.{DIGITS}f}|{sim}|".encode())
            h.update(np.round(q.rows, DIGITS).tobytes())
            h.update(q.labels.astype(np.int8).tobytes())
        return h.hexdigest()


def is_gold(sentence: ScoredSentence, doc_id: str, q: EvalQuestion) -> bool:
    """The sentence holds a gold quote, or is a whole sentence inside a longer gold quote."""
    text = normalize_text(sentence.text)
    for e in q.evidence:
        if passage_has_evidence(Passage(doc_id, sentence.text), e):
            return True
        if (
            (not e.doc_id or e.doc_id == doc_id)
            and len(text.split()) >= 6
            and text in normalize_text(e.quote)
        ):
            return True
    return False


def collect(
    chain: PolicyQAChain,
    questions: list[EvalQuestion],
    k: int,
    adapter_for: Callable[[EvalQuestion], QueryAdapter | None] | None = None,
    words: WordVectors | None = None,
) -> TrainingData:
    """Run each question through condense → retrieve → evidence, and turn its candidates into rows.
    `adapter_for`: the query adapter to search with for each question (evals/train_adapter.py).
    `words`: for the soft coverage feature, as the reader reads it (rag/reader/word_vectors.py)."""
    data = TrainingData()
    shipped = chain.searcher.adapter
    for q in questions:
        if adapter_for is not None:
            chain.searcher.adapter = adapter_for(q)
        standalone = chain.condense(AskRequest(question=q.question, history=q.history), "extractive", [])
        got = chain.gather(standalone, None, k)
        cands, rows = feature_matrix(standalone, got.evidence, words)
        doc_of = {s.n: s.doc_id for s in got.evidence.sources}
        labels = np.asarray([is_gold(s, doc_of[s.source_n], q) for s in cands], dtype=bool)
        data.questions.append(
            QuestionRows(
                q.id,
                q.answerable,
                standalone,
                rows,
                labels,
                got.evidence.clause_match,
                missing_share(standalone, got.evidence.query_terms, got.missing),
                top_similarity(cands),
                [s.text for s in cands],
            )
        )
    chain.searcher.adapter = shipped
    return data


def _fit(rows: np.ndarray, labels: np.ndarray, names: tuple[str, ...]) -> LogisticModel:
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, max_iter=5000).fit((rows - mean) / scale, labels)
    return LogisticModel(
        features=list(names),
        mean=_r(mean),
        scale=_r(scale),
        weights=_r(lr.coef_[0]),
        bias=round(float(lr.intercept_[0]), DIGITS),
    )


def _r(values: np.ndarray) -> list[float]:
    return [round(float(v), DIGITS) for v in values]


def _folds(n: int) -> list[np.ndarray]:
    """Question i goes to fold i % FOLDS: deterministic, and every kind spread over the folds."""
    return [np.arange(f, n, FOLDS) for f in range(FOLDS)]


def out_of_fold_sentence_probs(data: TrainingData, names: tuple[str, ...] = FEATURES) -> list[np.ndarray]:
    """Each question's candidates scored by a model fitted without its fold, on these features."""
    qs = data.questions
    cols = [FEATURES.index(f) for f in names]
    out: list[np.ndarray] = [np.zeros(len(q.labels)) for q in qs]
    for held in _folds(len(qs)):
        held_set = set(held.tolist())
        train = [q for i, q in enumerate(qs) if i not in held_set and len(q.labels)]
        rows = np.vstack([q.rows for q in train])[:, cols]
        model = _fit(rows, np.concatenate([q.labels for q in train]), names)
        for i in held:
            # masked as the reader masks them (a bibliographic entry is no answer), when the texts are kept
            mask = answer_mask(qs[i].texts) if len(qs[i].texts) == len(qs[i].labels) else 1.0
            out[i] = model.probabilities(qs[i].rows[:, cols]) * mask if len(qs[i].labels) else np.zeros(0)
    return out


def abstention_curve(
    top_prob: np.ndarray,
    share: np.ndarray,
    answerable: np.ndarray,
    clause: np.ndarray,
    max_share: float,
    similarity: list[float | None] | None = None,
    no_detail: list[bool] | None = None,
) -> list[tuple[float, float, float]]:
    """(probability floor, false-abstention rate, abstention recall) along the floor.

    A question whose named clause was found is always answered, as in the chain."""
    out = []
    sims = similarity or [None] * len(top_prob)
    details = no_detail or [False] * len(top_prob)
    for t in np.round(np.linspace(0.0, 0.3, 61), 3):
        rule = AbstentionRule(min_answer_prob=float(t), missing_subject_share=max_share)
        abstain = (
            np.asarray([not rule.answers(p, m, x, a) for p, m, x, a in zip(top_prob, share, sims, details)])
            & ~clause
        )
        false = float(abstain[answerable].mean()) if answerable.any() else 0.0
        recall = float(abstain[~answerable].mean()) if (~answerable).any() else 0.0
        out.append((float(t), false, recall))
    return out


def choose_rule(
    top_prob: np.ndarray,
    share: np.ndarray,
    answerable: np.ndarray,
    clause: np.ndarray,
    similarity: list[float | None] | None = None,
    no_detail: list[bool] | None = None,
) -> tuple[AbstentionRule, list[tuple[float, float, float]], tuple[float, float, float]]:
    """The most abstention recall within the false-abstention budget; ties go to the laxer rule.
    The similarity floor and the detail rule are fixed (see AbstentionRule); the curve is drawn with them.

    Within the budget means the rate's one-sided 95% upper bound (Wilson) is, not the rate itself: the
    highest-recall point whose dev rate sits at the budget's edge is as likely as not to pass it on new
    questions. On dev (2026-12-05) the edge rule chose floors from 0.045 to 0.085 across the folds."""
    n_answerable = int(np.asarray(answerable).sum())
    best: tuple | None = None
    for max_share in SHARES:
        curve = abstention_curve(top_prob, share, answerable, clause, max_share, similarity, no_detail)
        for point in curve:
            if rate_upper_bound(round(point[1] * n_answerable), n_answerable) <= MAX_FALSE_ABSTENTION:
                key = (point[2], -point[1], max_share, -point[0])
                if best is None or key > best[0]:
                    best = (key, max_share, curve, point)
    if best is None:  # too few answerable questions for any bound to fit: the laxest rule
        curve = abstention_curve(top_prob, share, answerable, clause, SHARES[-1], similarity, no_detail)
        best = (None, SHARES[-1], curve, curve[0])
    _, max_share, curve, point = best
    return AbstentionRule(min_answer_prob=point[0], missing_subject_share=max_share), curve, point


def sentence_cv(data: TrainingData, probs: list[np.ndarray]) -> dict[str, float]:
    """Top-1 and top-3 accuracy of the ranking, over answerable questions with a gold sentence retrieved."""
    top1 = top3 = n = 0
    for q, p in zip(data.questions, probs):
        if not q.answerable or not q.labels.any():
            continue
        order = np.argsort(-p, kind="stable")
        n += 1
        top1 += int(q.labels[order[0]])
        top3 += int(q.labels[order[:3]].any())
    return {"top1": round(top1 / n, 4) if n else 0.0, "top3": round(top3 / n, 4) if n else 0.0, "n": float(n)}


def train(
    data: TrainingData, trained_on: str, adapted: bool = False
) -> tuple[ReaderFile, list[tuple[float, float, float]]]:
    """`adapted`: the rows come from searches with the query adapter. Answerability gets its own model
    (ReaderFile.confidence), without the soft coverage and, when adapted, the adapter's features."""
    qs = [q for q in data.questions if len(q.labels)]
    rows, labels = np.vstack([q.rows for q in qs]), np.concatenate([q.labels for q in qs])
    sentence = _fit(rows, labels, FEATURES)
    oof = out_of_fold_sentence_probs(data)
    # Answerability reads a model without the ranking-only features (rag/reader/features.py SOFT_FEATURES).
    left_out = SOFT_FEATURES + (ADAPTER_FEATURES if adapted else ())
    names = tuple(f for f in FEATURES if f not in left_out)
    confidence = _fit(rows[:, [FEATURES.index(f) for f in names]], labels, names)
    conf_oof = out_of_fold_sentence_probs(data, names)
    top_prob = np.asarray([float(p.max()) if len(p) else 0.0 for p in conf_oof])
    share = np.asarray([q.missing_share for q in data.questions])
    answerable = np.asarray([q.answerable for q in data.questions])
    clause = np.asarray([q.clause_match for q in data.questions])
    similarity = [q.top_similarity for q in data.questions]
    # The detail rule reads the top sentences, ranked here by the out-of-fold model as the reader would.
    no_detail = [
        len(q.texts) == len(p)
        and detail_missing(q.question, [q.texts[i] for i in np.argsort(-p, kind="stable")[:5]])
        for q, p in zip(data.questions, oof)
    ]
    rule, curve, (_, false, recall) = choose_rule(top_prob, share, answerable, clause, similarity, no_detail)
    cv = sentence_cv(data, oof) | {"false_abstention": round(false, 4), "abstention_recall": round(recall, 4)}
    model = ReaderFile(
        data_sha256=data.sha256(),
        trained_on=trained_on,
        sentence=sentence,
        confidence=confidence,
        abstention=rule,
        cv=cv,
    )
    return model, curve


def write_model(model: ReaderFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.model_dump(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def plot_curve(curve: list[tuple[float, float, float]], chosen: float, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [c[0] for c in curve]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(t, [c[1] for c in curve], label="false abstention (answerable declined)")
    ax.plot(t, [1 - c[2] for c in curve], label="missed abstention (unanswerable answered)")
    ax.axvline(chosen, color="grey", linestyle="--", label=f"chosen floor {chosen:.3f}")
    ax.set_xlabel("floor on the reader's best sentence probability")
    ax.set_ylabel("rate")
    ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
