"""CI regression gate: the real pipeline (extractive mode) on the dev split, against measured floors.

Thresholds are the numbers measured when this gate was set, minus a margin that absorbs one or two
questions changing on a split of ~60; a drop beyond that is a regression worth a look. No timing
thresholds: CI machines vary too much.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Measured 2026-11-29 on the dev split (60 questions: 52 answerable, 8 unanswerable), extractive, k=5,
# with `policyqa eval --set dev`: hit@5 0.885 (46/52), accuracy 0.654 (34/52), abstention recall
# 0.375 (3/8), false-abstention rate 0.038 (2/52). Floors allow ~4 questions (one unanswerable) of
# slack. Re-measure and move these when retrieval or the abstention threshold is tuned on purpose.
THRESHOLDS = {
    "hit_at_k": 0.80,
    "accuracy": 0.57,
    "abstention_recall": 0.25,
}
MAX_FALSE_ABSTENTION = 0.12


@pytest.fixture(scope="module")
def eval_services(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The shared session `services` (tests/conftest.py) when there is one, else a private index.

    Without the shared fixture, POLICYQA_DATA_DIR (when set) points at an index to reuse, which saves
    the ~2 min ingest while iterating; otherwise the corpus is ingested into a temporary folder.
    """
    try:
        return request.getfixturevalue("services")
    except pytest.FixtureLookupError:
        from rag.container import Services
        from rag.core.settings import Settings

        data = os.environ.get("POLICYQA_DATA_DIR") or tmp_path_factory.mktemp("quick-eval") / "data"
        return Services(Settings(data_dir=data, corpus_dir=ROOT / "corpus", _env_file=None))


@pytest.fixture(scope="module")
def dev_summary(eval_services) -> dict:  # type: ignore[no-untyped-def]
    from evals.runner import run_eval

    return run_eval(
        eval_services.settings,
        split="dev",
        mode="extractive",
        k=5,
        baseline=False,
        services=eval_services,
        report_root=None,
    )


def _mean(summary: dict, key: str) -> float:
    value = summary["metrics"]["policyqa"]["overall"][key]["mean"]
    assert value is not None, f"{key} applied to no question"
    return value


def test_no_question_errors(dev_summary: dict) -> None:
    assert dev_summary["n_questions"] >= 30
    assert dev_summary["errors"]["policyqa"] == 0


@pytest.mark.parametrize("key", sorted(THRESHOLDS))
def test_metric_floor(dev_summary: dict, key: str) -> None:
    value = _mean(dev_summary, key)
    misses = [m["id"] for m in dev_summary["retrieval_misses"]]
    assert value >= THRESHOLDS[key], f"{key} = {value:.3f} < {THRESHOLDS[key]} (retrieval misses: {misses})"


def test_false_abstention_ceiling(dev_summary: dict) -> None:
    value = _mean(dev_summary, "false_abstention")
    assert value <= MAX_FALSE_ABSTENTION, f"false-abstention rate {value:.3f} > {MAX_FALSE_ABSTENTION}"
