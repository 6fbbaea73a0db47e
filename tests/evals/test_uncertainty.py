"""Intervals and paired changes (evals/uncertainty.py, evals/compare.py) and `policyqa eval-compare`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evals.compare import CompareError, compare_runs, resolve_run
from evals.uncertainty import mean_interval, paired_change

ROOT = Path(__file__).resolve().parents[2]


def test_interval_brackets_the_mean_and_narrows_with_more_questions() -> None:
    small = mean_interval([1.0] * 6 + [0.0] * 4)
    large = mean_interval([1.0] * 60 + [0.0] * 40)
    assert small is not None and large is not None
    assert small[0] < 0.6 < small[1] and large[0] < 0.6 < large[1]
    assert large[1] - large[0] < small[1] - small[0]
    # The textbook normal-approximation half-width at n=100, p=0.6 is 0.096; the bootstrap's is close.
    assert (large[1] - large[0]) / 2 == pytest.approx(0.096, abs=0.015)


def test_interval_is_repeatable_and_defined_for_constant_or_tiny_samples() -> None:
    xs = [1.0, 0.0, 1.0, 1.0, 0.5, 0.0, 1.0]
    assert mean_interval(xs) == mean_interval(xs)
    assert mean_interval([1.0, 1.0, 1.0]) == (1.0, 1.0)
    assert mean_interval([0.7]) is None and mean_interval([]) is None


def test_paired_change_counts_gains_and_losses_and_tests_them() -> None:
    a = {f"q{i}": 0.0 for i in range(20)}
    b = {f"q{i}": (1.0 if i < 10 else 0.0) for i in range(20)}
    change = paired_change("accuracy", a, b)
    assert change is not None
    assert (change.n, change.gained, change.lost) == (20, 10, 0)
    assert change.diff == pytest.approx(0.5)
    assert change.p_value == pytest.approx(2 * 0.5**10)  # exact McNemar: 10 discordant pairs, all one way
    assert change.significant and change.low is not None and change.low > 0


def test_an_unchanged_or_balanced_run_is_not_significant() -> None:
    a = {f"q{i}": float(i % 2) for i in range(40)}
    assert paired_change("accuracy", a, dict(a)).p_value == 1.0  # type: ignore[union-attr]
    swapped = {k: 1.0 - v if k in ("q0", "q1") else v for k, v in a.items()}  # one gained, one lost
    change = paired_change("accuracy", a, swapped)
    assert change is not None and (change.gained, change.lost) == (1, 1)
    assert not change.significant and change.p_value == 1.0


def test_questions_outside_a_metric_or_a_run_are_left_out() -> None:
    a = {"x": 1.0, "y": None, "z": 0.0}
    b = {"x": 1.0, "y": 1.0, "w": 1.0}
    change = paired_change("abstention_recall", a, b)
    assert change is not None and change.n == 1
    assert paired_change("accuracy", {"x": 1.0}, {"y": 1.0}) is None
    fractional = paired_change("gold_citation_precision", {"x": 0.5, "z": 1.0}, {"x": 1.0, "z": 1.0})
    assert fractional is not None and fractional.p_value is None  # McNemar is for right/wrong scores


def _run(folder: Path, scores: dict[str, float], kind: str = "paraphrase") -> Path:
    folder.mkdir(parents=True)
    rows = [
        {"system": "policyqa", "id": qid, "kind": kind, "error": "", "scores": {"accuracy": s, "hit_at_k": 1}}
        for qid, s in scores.items()
    ]
    rows.append({"system": "baseline", "id": "b1", "kind": kind, "error": "", "scores": {"accuracy": 1.0}})
    (folder / "results.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return folder


def test_compare_runs_pairs_by_question_and_kind(tmp_path: Path) -> None:
    before = _run(tmp_path / "a", {f"q{i}": 0.0 for i in range(12)})
    after = _run(tmp_path / "b", {**{f"q{i}": 1.0 for i in range(9)}, **{f"q{i}": 0.0 for i in range(9, 12)}})
    result = compare_runs(before, after)
    acc = next(c for c in result.overall if c.metric == "accuracy")
    assert (result.n_common, acc.gained, acc.lost) == (12, 9, 0)
    assert result.by_kind["paraphrase"][0].metric in ("hit_at_k", "accuracy")
    assert resolve_run(str(before)) == before
    with pytest.raises(CompareError):
        resolve_run(str(tmp_path / "missing"))
    with pytest.raises(CompareError):
        compare_runs(before, _run(tmp_path / "c", {"other": 1.0}))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", "eval-compare", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "120"},
    )  # fmt: skip


def test_cli_prints_the_change_and_fails_cleanly_on_bad_input(tmp_path: Path) -> None:
    before = _run(tmp_path / "a", {f"q{i}": 0.0 for i in range(12)})
    after = _run(tmp_path / "b", {f"q{i}": 1.0 for i in range(12)})
    out = tmp_path / "cmp.json"
    ok = _cli(str(before), str(after), "--json", str(out))
    assert ok.returncode == 0, ok.stderr
    assert "12 questions in both runs" in ok.stdout and "+1.000 *" in ok.stdout
    assert json.loads(out.read_text())["overall"][0]["n"] == 12
    bad = _cli(str(before), str(tmp_path / "nowhere"))
    assert bad.returncode == 2 and "no eval run" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "results.jsonl").write_text("{not json\n")
    broken = _cli(str(before), str(tmp_path / "broken"))
    assert broken.returncode == 2 and "line 1 is not JSON" in broken.stderr


def test_rate_upper_bound_is_above_the_rate_and_tightens_with_n() -> None:
    from evals.uncertainty import rate_upper_bound

    assert rate_upper_bound(0, 0) == 0.0
    small, large = rate_upper_bound(3, 50), rate_upper_bound(30, 500)
    assert small > large > 0.06
    assert rate_upper_bound(24, 403) > 0.08 > rate_upper_bound(23, 403)  # 5.7% of 403 passes, 6.0% not
