"""Latency summaries and ratios. Percentiles come from evals.metrics so evals and bench agree."""

from __future__ import annotations

from collections.abc import Sequence

from evals.metrics import percentile


def summarize(values_ms: Sequence[float]) -> dict[str, float | None]:
    """n, p50, p95, p99, mean and max of a list of milliseconds (None where undefined)."""
    xs = [float(v) for v in values_ms]
    return {
        "n": len(xs),
        "p50": percentile(xs, 50),
        "p95": percentile(xs, 95),
        "p99": percentile(xs, 99),
        "mean": sum(xs) / len(xs) if xs else None,
        "max": max(xs) if xs else None,
    }


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """ours / theirs; None when either side is missing or the baseline is zero."""
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs


def pair_ratios(ours: Sequence[float], theirs: Sequence[float]) -> list[float]:
    """Ratios taken pair by pair (run i of ours over run i of the baseline).

    On a shared machine the speed drifts between runs; pairing adjacent runs cancels most of it.
    """
    return [a / b for a, b in zip(ours, theirs, strict=False) if b]


def median(values: Sequence[float]) -> float | None:
    return percentile(list(values), 50)


def growth_exponent(sizes: Sequence[float], values: Sequence[float]) -> float | None:
    """Least-squares slope of log(value) on log(size): ~1 linear, <1 sub-linear, >1 super-linear."""
    import math

    pts = [
        (math.log(s), math.log(v)) for s, v in zip(sizes, values, strict=False) if s and v and s > 0 and v > 0
    ]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    if den == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den


def describe_growth(exponent: float | None) -> str:
    """Words for a log-log slope; the band around 1 is wide because two or three noisy points are all we
    have."""
    if exponent is None:
        return "n/a"
    if exponent < 0.15:
        return f"flat (≈ n^{exponent:.2f})"
    if exponent < 0.85:
        return f"sub-linear (≈ n^{exponent:.2f})"
    if exponent <= 1.15:
        return f"linear (≈ n^{exponent:.2f})"
    return f"super-linear (≈ n^{exponent:.2f})"
