"""Cross-fitted dev evaluation (`policyqa eval --set dev --cross-fitted`): each dev question is answered
by a query adapter and a reader that never saw its document's questions.

The shipped adapter and reader are fitted on every dev question, so a plain dev eval scores them on their
own training data. With the adapter alone held out (2026-12-03 to 12-05), dev gains kept showing on the
test split at a quarter of their size or less: the reader, fitted on the same questions, was still
in-sample. Both are now refitted per fold (folds grouped by the question's gold document, as
`policyqa train-reader` makes the adapter's), the reader from rows searched with its fold's adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from evals.dataset import QUESTION_SETS, EvalQuestion, load_question_set
from evals.train_adapter import collect_adapter_data, fold_adapters, fold_of, question_group
from evals.train_reader import FOLDS, TrainingData, collect, train
from rag.core.settings import Settings
from rag.reader.model import ReaderFile
from rag.retrieval.query_adapter import QueryAdapter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoldModels:
    adapter: QueryAdapter | None
    reader: ReaderFile | None


def cross_fitted(
    settings: Settings, k: int = 5, dev: list[EvalQuestion] | None = None
) -> Callable[[EvalQuestion], FoldModels | None]:
    """Per dev question (of the sets the shipped models were trained on), the models of its held-out
    fold; None for a question they never saw (a Japanese one, any test question). `dev`: the training
    questions (default: those `policyqa train-reader` trains on)."""
    from rag.container import Services

    dev = dev if dev is not None else load_question_set(QUESTION_SETS["all"], "dev")
    folds = [_fold(q) for q in dev]
    adapters: list[QueryAdapter | None] = [None] * FOLDS
    if settings.query_adapter:
        plain = Services(settings.model_copy(update={"query_adapter": False, "reader": False}))
        adapters = fold_adapters(collect_adapter_data(plain.chain, dev, k))
    readers: dict[int, ReaderFile] = {}
    if settings.reader:
        searching = Services(settings.model_copy(update={"reader": False}))
        # a fold's reader learns from rows searched with the adapter it will answer with
        data = collect(searching.chain, dev, k, lambda q: adapters[_fold(q)], searching.word_vectors)
        for f in sorted(set(folds)):
            kept = TrainingData([row for row, fi in zip(data.questions, folds, strict=True) if fi != f])
            readers[f], _ = train(kept, f"fold {f} held out", adapted=settings.query_adapter)
        log.info("cross-fitted readers: %s", {f: r.cv.get("top1") for f, r in readers.items()})
    fold_by_id = dict(zip((q.id for q in dev), folds, strict=True))

    def models_for(q: EvalQuestion) -> FoldModels | None:
        f = fold_by_id.get(q.id)
        if f is None:
            return None
        return FoldModels(adapters[f], readers.get(f))

    return models_for


def _fold(q: EvalQuestion) -> int:
    """The question's gold document's fold; an unanswerable one (no gold document) by its id. Grouped
    under the empty document, every unanswerable question fell in one fold, whose reader then learnt
    its abstention rule from none and declined nothing (v1 dev near misses 1 of 8)."""
    return fold_of(question_group(q) if q.evidence else q.id)
