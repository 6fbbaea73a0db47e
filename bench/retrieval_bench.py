"""The retrieval section: warm latency percentiles and hit@5 on the dev split, plus the query-path profile."""

from __future__ import annotations

import logging
from typing import Any

from bench.report import BenchResult, target_row
from bench.retrieval import RetrievalHarness, dev_questions
from bench.stats import summarize
from rag.core.settings import Settings

log = logging.getLogger(__name__)

SECTION = "retrieval"


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

    add = result.add
    add(
        target_row(
            SECTION,
            f"dev hit@5 (n={hits['n']} answerable)",
            hits["ours"],
            hits["baseline"],
            target="≥ 1.6× baseline",
            check=lambda x, y, r: r >= 1.6,
            note="evals.metrics rules: gold quote inside a top-5 passage",
        )
    )
    add(
        target_row(
            SECTION,
            "warm latency p50",
            o["p50"],
            b["p50"],
            unit="ms",
            note="ours: condense + hybrid search + evidence selection; baseline: similarity_search(k=5)",
        )
    )
    add(
        target_row(
            SECTION,
            "warm latency p95",
            o["p95"],
            b["p95"],
            unit="ms",
            target="≤ baseline",
            check=lambda x, y, r: x <= y,
            note=f"n={o['n']} per system",
        )
    )
    add(target_row(SECTION, "warm latency p99", o["p99"], b["p99"], unit="ms"))
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
