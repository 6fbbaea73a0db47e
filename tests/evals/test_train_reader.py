"""`policyqa train-reader`: same data → byte-identical model file; thresholds within the budget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evals.dataset import QUESTION_SETS, load_question_set
from evals.train_reader import (
    MAX_FALSE_ABSTENTION,
    QuestionRows,
    TrainingData,
    abstention_curve,
    choose_rule,
    collect,
    train,
    write_model,
)
from evals.uncertainty import rate_upper_bound
from rag.reader.features import FEATURES
from rag.reader.model import load_reader


def synthetic(seed: int = 0, n: int = 40) -> TrainingData:
    """Questions whose gold sentence has a higher first feature; a fifth are unanswerable."""
    rng = np.random.default_rng(seed)
    data = TrainingData()
    for i in range(n):
        rows = rng.normal(size=(8, len(FEATURES)))
        labels = np.zeros(8, dtype=bool)
        answerable = i % 5 != 0
        if answerable:
            labels[i % 8] = True
            rows[i % 8, 0] += 3.0
        data.questions.append(QuestionRows(f"q{i}", answerable, "q?", rows, labels, False, 0.0))
    return data


def test_same_data_gives_a_byte_identical_model_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_model(train(synthetic(), "synthetic")[0], a)
    write_model(train(synthetic(), "synthetic")[0], b)
    assert a.read_bytes() == b.read_bytes()
    model = load_reader(a)
    assert model.sentence.weights[0] > 1.0  # it learned the feature that marks the gold sentence
    assert model.cv["top1"] > 0.6  # 0.75: the other 21 features are noise here


def test_other_data_gives_another_hash(tmp_path: Path) -> None:
    other = synthetic()
    other.questions[1].labels = ~other.questions[1].labels
    assert other.sha256() != synthetic().sha256()
    assert synthetic(seed=1).sha256() != synthetic().sha256()


def test_the_chosen_rule_stays_within_the_false_abstention_budget() -> None:
    rng = np.random.default_rng(3)
    answerable = rng.random(200) < 0.8
    top = np.where(answerable, rng.uniform(0.0, 1.0, 200), rng.uniform(0.0, 0.3, 200))
    share = np.where(answerable, 0.0, rng.choice([0.0, 0.6], 200))
    clause = np.zeros(200, dtype=bool)
    rule, curve, (floor, false, recall) = choose_rule(top, share, answerable, clause)
    n = int(answerable.sum())
    assert rate_upper_bound(round(false * n), n) <= MAX_FALSE_ABSTENTION and recall > 0.5
    # The budget binds on the bound, not the rate: the next laxer floor's bound would pass it.
    nxt = next(c for c in curve if c[0] > floor and c[1] > false)
    assert rate_upper_bound(round(nxt[1] * n), n) > MAX_FALSE_ABSTENTION or nxt[2] <= recall
    assert rule.min_answer_prob == floor
    assert rule.missing_subject_share <= 0.6  # the share rule catches the silent-subject questions
    # Along the floor, both rates only grow: the curve the README plots.
    rates = abstention_curve(top, share, answerable, clause, 1.01)
    assert all(x[1] <= y[1] and x[2] <= y[2] for x, y in zip(rates, rates[1:]))
    clause[:] = True  # a named clause that was found is always answered
    assert all(c[1] == 0.0 and c[2] == 0.0 for c in abstention_curve(top, share, answerable, clause, 0.1))


@pytest.mark.slow
def test_training_on_the_real_store_is_repeatable(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real path: dev questions through the real retrieval, twice, give the same rows and file; the
    second time with a table of word vectors that starts empty, so the soft coverage cannot depend on
    which words were met before."""
    from rag.chain import PolicyQAChain
    from rag.reader.features import FEATURES
    from rag.reader.word_vectors import WordVectors

    chain: PolicyQAChain = services.chain.model_copy(update={"reader": None})
    questions = load_question_set(QUESTION_SETS["all"], "dev")[::12]
    first = collect(chain, questions, 5, words=services.word_vectors)
    second = collect(chain, questions, 5, words=WordVectors(services.embedder.encode_short))
    assert first.sha256() == second.sha256()
    soft = FEATURES.index("soft_coverage")
    assert any(q.rows[:, soft].max() > 0 for q in first.questions if len(q.labels))
    assert sum(int(q.labels.any()) for q in first.questions) >= len(questions) // 3  # gold sentences found
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_model(train(first, "dev sample")[0], a)
    write_model(train(second, "dev sample")[0], b)
    assert a.read_bytes() == b.read_bytes()


def test_too_few_answerable_questions_for_the_bound_get_the_laxest_rule() -> None:
    """Ten answerable questions: one declined by the fixed rules puts every floor's bound over the budget."""
    answerable = np.asarray([True] * 10 + [False] * 3)
    top = np.asarray([0.9] * 10 + [0.01] * 3)
    no_detail = [True] + [False] * 12  # the detail rule declines one answerable question whatever the floor
    clause = np.zeros(13, dtype=bool)
    rule, _, (floor, false, _) = choose_rule(top, np.zeros(13), answerable, clause, None, no_detail)
    assert (floor, rule.missing_subject_share) == (0.0, 1.01) and false == 0.1
