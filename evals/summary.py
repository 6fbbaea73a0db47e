"""From per-question records to the summary dict: overall and per-kind means, ratios, latency, misses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from evals.metrics import aggregate, latency_summary, ratio
from evals.scoring import keys_present


def build_summary(
    records: Sequence[Mapping[str, Any]],
    *,
    split: str,
    mode: str,
    k: int,
    systems: Sequence[str],
    calibration: Mapping[str, Any] | None = None,
    misses: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """`records` carry system, id, kind, answerable, scores and timings_ms (see runner.run_eval)."""
    keys = keys_present([r["scores"] for r in records])
    first = systems[0]
    questions = [r for r in records if r["system"] == first]
    kind_counts = Counter(r["kind"] for r in questions)
    kinds = sorted(kind_counts)

    metrics: dict[str, Any] = {}
    latency: dict[str, Any] = {}
    latency_by_kind: dict[str, Any] = {}
    errors: dict[str, int] = {}
    for system in systems:
        mine = [r for r in records if r["system"] == system]
        ok = [r for r in mine if not r.get("error")]
        errors[system] = len(mine) - len(ok)
        metrics[system] = {
            "overall": aggregate([r["scores"] for r in ok], keys, interval=True),
            "by_kind": {
                kind: aggregate([r["scores"] for r in ok if r["kind"] == kind], keys, interval=True)
                for kind in kinds
            },
        }
        latency[system] = latency_summary(r["timings_ms"] for r in ok if r.get("timings_ms"))
        latency_by_kind[system] = {
            kind: latency_summary(r["timings_ms"] for r in ok if r["kind"] == kind and r.get("timings_ms"))
            for kind in kinds
        }

    ratios: dict[str, Any] = {}
    if len(systems) > 1:
        ours, base = metrics[systems[0]], metrics[systems[1]]
        ratios = {
            "overall": {
                key: ratio(ours["overall"][key]["mean"], base["overall"][key]["mean"]) for key in keys
            },
            "by_kind": {
                kind: {
                    key: ratio(ours["by_kind"][kind][key]["mean"], base["by_kind"][kind][key]["mean"])
                    for key in keys
                }
                for kind in kinds
            },
        }
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "split": split,
        "mode": mode,
        "k": k,
        "systems": list(systems),
        "n_questions": len(questions),
        "n_answerable": sum(1 for r in questions if r["answerable"]),
        "n_unanswerable": sum(1 for r in questions if not r["answerable"]),
        "kinds": kinds,
        "kind_counts": dict(kind_counts),
        "metric_keys": keys,
        "metrics": metrics,
        "ratios": ratios,
        "latency_ms": latency,
        "latency_ms_by_kind": latency_by_kind,
        "judge_calibration": dict(calibration or {}),
        "errors": errors,
        "retrieval_misses": list(misses),
    }
