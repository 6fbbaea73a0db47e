"""How sure a score is: a 95% interval for each mean, and a paired test for a change between two runs.

A split holds a few hundred questions, so one question moves a mean by 0.003 and the 95% interval of an
accuracy near 0.6 is about ±0.05 wide. Each stop's change to the answer layer moved dev by one to a dozen
questions and test by fewer; without an interval the report cannot say which moves were noise.
scipy does the statistics (a seeded percentile bootstrap, the exact binomial test); this module only
pairs the records by question and keeps the output plain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel
from scipy import stats

LEVEL = 0.95
RESAMPLES = 2000
SEED = 0


def mean_interval(values: Sequence[float], level: float = LEVEL) -> tuple[float, float] | None:
    """Percentile-bootstrap interval of the mean (seeded, so a report is repeatable); None below 2 values.

    Percentile rather than BCa: BCa's jackknife is undefined when every value is equal (an all-right kind)."""
    xs = np.asarray([float(v) for v in values], dtype=np.float64)
    if len(xs) < 2:
        return None
    if np.all(xs == xs[0]):
        return float(xs[0]), float(xs[0])
    res = stats.bootstrap(
        (xs,),
        np.mean,
        confidence_level=level,
        n_resamples=RESAMPLES,
        method="percentile",
        rng=np.random.default_rng(SEED),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def rate_upper_bound(k: int, n: int, level: float = LEVEL) -> float:
    """One-sided `level` upper bound of a rate seen k times in n (Wilson score); 0 for n = 0."""
    if n <= 0:
        return 0.0
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=2 * level - 1, method="wilson")
    return float(ci.high)


class PairedChange(BaseModel):
    """One metric, run A against run B, over the questions both runs scored."""

    metric: str
    n: int
    mean_a: float
    mean_b: float
    diff: float  # b - a
    low: float | None  # 95% interval of the difference (paired bootstrap)
    high: float | None
    gained: int  # questions that scored higher in B (for a 0/1 metric: right in B only)
    lost: int
    p_value: float | None  # exact McNemar (binomial on gained vs lost); None for a non-binary metric

    @property
    def significant(self) -> bool:
        return self.low is not None and self.high is not None and (self.low > 0 or self.high < 0)


def paired_change(
    metric: str, a: Mapping[str, float | None], b: Mapping[str, float | None]
) -> PairedChange | None:
    """Run B's change over run A on `metric`, paired by question id; None when no question has both."""
    ids = sorted(i for i in a.keys() & b.keys() if a[i] is not None and b[i] is not None)
    if not ids:
        return None
    xa = np.asarray([float(a[i]) for i in ids])  # type: ignore[arg-type]
    xb = np.asarray([float(b[i]) for i in ids])  # type: ignore[arg-type]
    d = xb - xa
    interval = mean_interval(d.tolist())
    gained, lost = int((d > 0).sum()), int((d < 0).sum())
    binary = bool(np.isin(xa, (0.0, 1.0)).all() and np.isin(xb, (0.0, 1.0)).all())
    p = None
    if binary:
        p = 1.0 if gained + lost == 0 else float(stats.binomtest(gained, gained + lost, 0.5).pvalue)
    return PairedChange(
        metric=metric,
        n=len(ids),
        mean_a=float(xa.mean()),
        mean_b=float(xb.mean()),
        diff=float(d.mean()),
        low=None if interval is None else interval[0],
        high=None if interval is None else interval[1],
        gained=gained,
        lost=lost,
        p_value=p,
    )
