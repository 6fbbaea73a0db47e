"""The retrieval section: warm latency percentiles and hit@5 on the dev split, plus the query-path profile."""

from __future__ import annotations

import logging
from typing import Any

from bench.report import BenchResult, Spec, add_rows
from bench.retrieval import RetrievalHarness, dev_questions
from bench.stats import summarize
from rag.core.settings import Settings

log = logging.getLogger(__name__)

SECTION = "retrieval"
ROWS = (
    Spec(
        "dev hit@5 (n={n_hits} answerable)",
        "hit@5",
        target="≥ 1.6× baseline",
        check=lambda x, y, r: r >= 1.6,
        note="evals.metrics rules: gold quote inside a top-5 passage",
    ),
    Spec(
        "warm latency p50",
        "p50",
        "ms",
        note="ours: condense + hybrid search + evidence selection; baseline: similarity_search(k=5)",
    ),
    Spec(
        "warm latency p95",
        "p95",
        "ms",
        target="≤ baseline",
        check=lambda x, y, r: x <= y,
        note="n={n} per system",
    ),
    Spec("warm latency p99", "p99", "ms"),
)


def run(
    settings: Settings,
    result: BenchResult,
    *,
    n_questions: int | None,
    rounds: int,
    with_profile: bool,
) -> tuple[dict[str, Any], tuple[str, str]]:
    harness = RetrievalHarness.open(settings)
    timed = dev_questions(n_questions)
    log.info("retrieval: %d dev questions × %d rounds, alternating blocks", len(timed), rounds)
    lat = harness.alternating_latency(timed, rounds=rounds)
    o, b = summarize(lat["ours_ms"]), summarize(lat["baseline_ms"])
    hits = harness.hit_at_k(dev_questions())  # cheap, so always the whole dev split

    ours, base = {"hit@5": hits["ours"], **o}, {"hit@5": hits["baseline"], **b}
    add_rows(result, SECTION, ROWS, ours, base, n_hits=hits["n"], n=o["n"])
    details = {
        "latency": {"ours": o, "baseline": b},
        "hit_at_5": hits,
        "raw_ms": lat,
        "data_dir": str(settings.data_dir),
    }

    profile: tuple[str, str] = ("", "")
    if with_profile:
        from bench.profiling import profile_calls, profile_query_path, render

        clear = harness._clear_query_cache
        profile = render(
            {
                "chain.invoke (extractive), dev questions, 1× index": (
                    profile_query_path(harness.services, timed),
                    len(timed),
                ),
                "retrieval only (what the chain does before answering), 1× index": (
                    profile_calls(harness.ours, timed, before_each=clear),
                    len(timed),
                ),
            }
        )
    result.details[SECTION] = details
    return details, profile
