"""One cProfile pass over the query path (chain.invoke, extractive), written out for the lead to optimise.

pyinstrument is not installed here; cProfile's per-function self time (tottime) is what points at
hotspots, and cumulative time shows which stage they belong to.
"""

from __future__ import annotations

import cProfile
import io
import logging
import pstats
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.dataset import EvalQuestion

log = logging.getLogger(__name__)

ROOT = str(Path(__file__).resolve().parent.parent) + "/"


def profile_calls(
    fn: Callable[[Any], Any], items: Sequence[Any], before_each: Callable[[], None] | None = None
) -> pstats.Stats:
    prof = cProfile.Profile()
    for item in items:
        if before_each:
            before_each()
        prof.enable()
        fn(item)
        prof.disable()
    return pstats.Stats(prof)


def _where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    short = path.replace(ROOT, "")
    if "site-packages/" in short:
        short = short.split("site-packages/", 1)[1]
    return f"{name} ({short}:{line})" if line else name


def hotspots(stats: pstats.Stats, n: int = 15) -> list[dict[str, Any]]:
    """Top functions by self time, with their share of the profiled total."""
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:n]
    return [
        {"function": _where(func), "calls": v[1], "self_s": v[2], "cum_s": v[3], "self_share": v[2] / total}
        for func, v in rows
    ]


def project_stages(stats: pstats.Stats, n: int = 15) -> list[dict[str, Any]]:
    """Project functions (rag/, ingest/) by cumulative time: which of our stages the time sits under."""
    raw = stats.stats  # type: ignore[attr-defined]
    ours = [(f, v) for f, v in raw.items() if f[0].startswith(ROOT) and "/.venv/" not in f[0]]
    ours.sort(key=lambda kv: kv[1][3], reverse=True)
    return [{"function": _where(f), "calls": v[1], "cum_s": v[3]} for f, v in ours[:n]]


def summary_text(stats: pstats.Stats, n_calls: int, label: str) -> str:
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    lines = [
        f"{label}: {n_calls} calls, {total:.2f}s profiled "
        f"({total / max(n_calls, 1) * 1000:.0f} ms/call under cProfile)",
        "",
        "self time (tottime):",
    ]
    for h in hotspots(stats, 12):
        lines.append(f"  {h['self_share']:6.1%}  {h['self_s']:7.3f}s  {h['calls']:>7}  {h['function']}")
    lines += ["", "project functions by cumulative time:"]
    for s in project_stages(stats, 12):
        lines.append(f"  {s['cum_s']:7.3f}s  {s['calls']:>7}  {s['function']}")
    return "\n".join(lines)


def full_text(stats: pstats.Stats) -> str:
    buf = io.StringIO()
    old, stats.stream = stats.stream, buf  # type: ignore[attr-defined]
    try:
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(40)
    finally:
        stats.stream = old  # type: ignore[attr-defined]
    return buf.getvalue()


def profile_query_path(services: Any, questions: Sequence[EvalQuestion]) -> pstats.Stats:
    """chain.invoke in extractive mode for each question, the query-embedding cache cleared before each."""
    from rag.chain import AskRequest

    chain = services.chain
    cache = getattr(services.embedder, "_query_cache", None)

    def ask(q: EvalQuestion) -> None:
        chain.invoke(AskRequest(question=q.question, history=q.history, mode="extractive"))

    return profile_calls(ask, questions, before_each=cache.cache_clear if cache else None)


def render(sections: dict[str, tuple[pstats.Stats, int]]) -> tuple[str, str]:
    """(short summaries for the markdown report, full listings for the profile file)."""
    summaries = [summary_text(st, n, label) for label, (st, n) in sections.items()]
    full = [f"==== {label} ====\n{full_text(st)}" for label, (st, _) in sections.items()]
    return "\n\n".join(summaries), "\n\n".join(full)
