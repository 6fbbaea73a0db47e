"""`policyqa eval-compare A B`: did a change move the scores, or only the noise?

Two runs of `policyqa eval` over the same questions (before and after a change) are paired question by
question: for each headline metric, overall and per kind, the change, its 95% interval, the questions
gained and lost, and for a right/wrong metric the exact McNemar p-value. A run is a report folder
(`evals/reports/<timestamp>-<split>/`) or the name of one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evals.report import HEADLINE, OURS
from evals.uncertainty import PairedChange, paired_change

REPORTS = Path(__file__).resolve().parent / "reports"


class CompareError(ValueError):
    """A run that cannot be read, or two runs with no question in common."""


class Comparison(BaseModel):
    run_a: str
    run_b: str
    n_common: int
    only_a: int
    only_b: int
    overall: list[PairedChange]
    by_kind: dict[str, list[PairedChange]]


def resolve_run(name: str, reports: Path = REPORTS) -> Path:
    """A report folder given by path or by its name under evals/reports/."""
    for path in (Path(name), reports / name):
        if (path / "results.jsonl").is_file():
            return path
    raise CompareError(f"no eval run at {name!r} (expected a folder holding results.jsonl)")


def load_records(run: Path, system: str = OURS) -> dict[str, Mapping[str, Any]]:
    """One record per question id for `system`; a line that is not JSON is an error, not skipped."""
    out: dict[str, Mapping[str, Any]] = {}
    with (run / "results.jsonl").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CompareError(f"{run / 'results.jsonl'} line {n} is not JSON ({exc.msg})") from None
            if rec.get("system") == system and not rec.get("error"):
                out[str(rec["id"])] = rec
    return out


def compare_runs(
    run_a: Path, run_b: Path, metrics: Sequence[str] = HEADLINE, system: str = OURS
) -> Comparison:
    a, b = load_records(run_a, system), load_records(run_b, system)
    common = a.keys() & b.keys()
    if not common:
        raise CompareError(f"{run_a.name} and {run_b.name} share no question: compare runs of the same set")

    def changes(ids: set[str]) -> list[PairedChange]:
        out = []
        for metric in metrics:
            sa = {i: a[i]["scores"].get(metric) for i in ids}
            sb = {i: b[i]["scores"].get(metric) for i in ids}
            change = paired_change(metric, sa, sb)
            if change is not None:
                out.append(change)
        return out

    kinds = sorted({str(a[i].get("kind", "")) for i in common})
    return Comparison(
        run_a=run_a.name,
        run_b=run_b.name,
        n_common=len(common),
        only_a=len(a.keys() - b.keys()),
        only_b=len(b.keys() - a.keys()),
        overall=changes(set(common)),
        by_kind={k: changes({i for i in common if str(a[i].get("kind", "")) == k}) for k in kinds},
    )
