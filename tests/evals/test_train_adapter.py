"""Training the query adapter: deterministic, and it learns a map that puts gold sentences first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evals.train_adapter import AdapterData, fit, fold_adapters, held_out_scores, train_adapter, write_adapter
from evals.train_reader import QuestionRows, TrainingData, train
from rag.reader.features import ADAPTER_FEATURES, FEATURES
from rag.reader.model import load_reader
from rag.retrieval.query_adapter import load_query_adapter

DIM = 16


def synthetic(n: int = 60, seed: int = 0) -> AdapterData:
    """The gold sentence is the question seen through a fixed permutation of the coordinates (as an
    answer's words differ from the question's); the decoys are noisy copies of the question, which the
    plain cosine prefers. A linear map can learn the permutation."""
    rng = np.random.default_rng(seed)
    perm = np.roll(np.eye(DIM, dtype=np.float32), 3, axis=0)
    data = AdapterData()
    for i in range(n):
        q = rng.normal(size=DIM).astype(np.float32)
        q /= np.linalg.norm(q)
        gold = 0.3 * q + perm @ q
        decoys = [q + 0.6 * rng.normal(size=DIM) for _ in range(5)]
        rows = np.vstack([gold, *decoys]).astype(np.float32)
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        data.ids.append(f"q{i}")
        data.groups.append(f"doc{i % 7}")
        data.queries.append(q)
        data.sentences.append(rows)
        data.labels.append(np.asarray([True] + [False] * 5))
    return data


def test_same_data_gives_a_byte_identical_adapter_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_adapter(train_adapter(synthetic(), "synthetic")[0], a)
    write_adapter(train_adapter(synthetic(), "synthetic")[0], b)
    assert a.read_bytes() == b.read_bytes()
    assert load_query_adapter(a).data_sha256 != train_adapter(synthetic(seed=1), "x")[0].data_sha256


def test_the_map_puts_gold_sentences_first_on_documents_it_did_not_see() -> None:
    data = synthetic()
    scores = held_out_scores(data, fold_adapters(data))
    assert scores["top1_cosine_before"] < 0.5
    assert scores["top1_cosine_after"] > scores["top1_cosine_before"] + 0.2


def test_fit_is_repeatable_on_a_subset() -> None:
    data = synthetic()
    u1, v1 = fit(data, list(range(30)))
    u2, v2 = fit(data, list(range(30)))
    assert np.array_equal(u1, u2) and np.array_equal(v1, v2)


def test_with_the_adapter_answerability_gets_a_model_without_its_features(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    data = TrainingData()
    for i in range(40):
        rows = rng.normal(size=(8, len(FEATURES)))
        labels = np.zeros(8, dtype=bool)
        if i % 5:
            labels[i % 8] = True
            rows[i % 8, FEATURES.index("adapted")] += 3.0
        data.questions.append(QuestionRows(f"q{i}", bool(i % 5), "q?", rows, labels, False, 0.0))
    model, _ = train(data, "synthetic", adapted=True)
    assert model.confidence is not None
    assert not set(ADAPTER_FEATURES) & set(model.confidence.features)
    assert model.sentence.weights[FEATURES.index("adapted")] > 1.0
    path = tmp_path / "reader.json"
    path.write_text(model.model_dump_json(), encoding="utf-8")
    assert load_reader(path).confidence == model.confidence


@pytest.mark.slow
def test_the_adapter_trains_repeatably_on_the_real_store(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Dev questions through the real retrieval, with the sentence vectors of the real index."""
    from evals.dataset import QUESTION_SETS, load_question_set
    from evals.train_adapter import collect_adapter_data

    chain = services.chain.model_copy(update={"reader": None})
    questions = load_question_set(QUESTION_SETS["all"], "dev")[::6]
    first, second = collect_adapter_data(chain, questions, 5), collect_adapter_data(chain, questions, 5)
    assert first.sha256() == second.sha256()
    assert len(first.ids) >= len(questions) // 3  # gold sentences with vectors among the candidates
    assert all(s.shape[1] == 384 and len(s) == len(y) for s, y in zip(first.sentences, first.labels))
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_adapter(train_adapter(first, "dev sample")[0], a)
    write_adapter(train_adapter(second, "dev sample")[0], b)
    assert a.read_bytes() == b.read_bytes()
