"""`policyqa eval --set dev --cross-fitted`: each dev question is answered by models fitted without its
document's questions."""

from __future__ import annotations

from evals.cross_fit import _fold, cross_fitted
from evals.dataset import QUESTION_SETS, load_question_set
from rag.reader.model import load_reader


def test_each_question_gets_the_models_of_its_held_out_fold(services) -> None:  # type: ignore[no-untyped-def]
    dev = load_question_set(QUESTION_SETS["all"], "dev")[::6]
    models_for = cross_fitted(services.settings, 5, dev)
    shipped = load_reader(services.settings.reader_path)
    by_fold: dict[int, str] = {}
    for q in dev:
        models = models_for(q)
        assert models is not None and models.reader is not None
        fold = _fold(q)
        assert models.reader.trained_on == f"fold {fold} held out"
        assert models.reader.sentence.weights != shipped.sentence.weights
        by_fold.setdefault(fold, models.reader.data_sha256)
        assert by_fold[fold] == models.reader.data_sha256  # one reader per fold
    assert len(set(by_fold.values())) == len(by_fold) >= 3  # each fold trained on other questions
    # unanswerable questions (no gold document) are spread over the folds, not all in one
    assert len({_fold(q) for q in load_question_set(QUESTION_SETS["all"], "dev") if not q.evidence}) == 5
    unseen = load_question_set(QUESTION_SETS["all"], "test")[0]
    assert models_for(unseen) is None
