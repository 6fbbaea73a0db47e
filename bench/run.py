"""`python -m bench.run`: PolicyQA against the naive baseline, measured side by side in one run.

    python -m bench.run                       # everything (~25 min on 2 cores)
    python -m bench.run --quick               # fewer questions, ingest of a corpus subset, no 100× (~5 min)
    python -m bench.run --only retrieval,api

Writes bench/results/<timestamp>.json and .md (the table, with ratios and pass/fail against the targets)
and bench/results/profile-<timestamp>.txt, and logs the table.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import time
from datetime import UTC, datetime
from typing import Any

from rag.core.offline import apply_offline_env

_USER_OMP_POLICY = os.environ.get("OMP_WAIT_POLICY")
apply_offline_env()
if _USER_OMP_POLICY is None:
    # The baseline's whole query path is a torch encode, and OMP_WAIT_POLICY=PASSIVE (our default for
    # processes sharing cores with llama.cpp) adds ~7 ms to each one; the bench and its children keep
    # OpenMP's default so that the baseline is not slowed by our setting. `policyqa serve` still sets
    # it for itself, as shipped, which if anything handicaps ours.
    del os.environ["OMP_WAIT_POLICY"]

from bench.index_prep import CACHE_DIR  # noqa: E402 (after the environment above)
from bench.procs import machine_info  # noqa: E402 (after the environment above)
from bench.report import RESULTS_DIR, BenchResult, markdown_table, write_result  # noqa: E402 (after the environment above)

log = logging.getLogger("bench.run")

SECTIONS = ["ingest", "retrieval", "api", "coldstart", "scale"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}"
    )
    p.add_argument(
        "--quick", action="store_true", help="fewer questions and repetitions, corpus subset, no 100×"
    )
    p.add_argument("--questions", type=int, help="dev questions for latency (default: all 60; quick: 15)")
    p.add_argument("--ingest-reps", type=int, default=1, help="full-ingest pairs (ours, baseline); default 1")
    p.add_argument("--cold-reps", type=int, help="cold starts per system (default 2; quick 1)")
    p.add_argument("--scale-factors", help="synthetic retrieval scale points (default 1,10,100; quick 1,10)")
    p.add_argument(
        "--scale-ingest-budget",
        type=float,
        help="seconds the real scale ingests (ours + baseline) may take; picks 10× or 3× "
        "(default 900; quick: none)",
    )
    p.add_argument("--local-questions", type=int, help="questions asked in local mode (default 2; quick 1)")
    p.add_argument("--no-profile", action="store_true")
    p.add_argument(
        "--rebuild-scale",
        action="store_true",
        help="rebuild the synthetic scale stores even when bench/.cache/scale holds current ones",
    )
    p.add_argument("--keep", action="store_true", help="keep scratch data under bench/.cache/runs")
    a = p.parse_args(argv)
    a.sections = [s.strip() for s in a.only.split(",") if s.strip()]
    unknown = set(a.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    work = CACHE_DIR / "runs" / stamp
    work.mkdir(parents=True, exist_ok=True)
    result = BenchResult(
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        args={k: v for k, v in vars(a).items() if k != "sections"},
        machine=machine_info(),
    )
    t_start = time.perf_counter()
    profiles: list[tuple[str, str]] = []  # (summary, full listing) per profiled workload
    timings: dict[str, float] = {}
    failures: list[str] = []
    from rag.core.settings import Settings

    corpus = Settings().corpus_dir

    def timed(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        log.info("==== %s ====", name)
        try:
            return fn()
        except Exception as exc:  # one failing section must not lose the others' figures
            log.exception("section %s failed", name)
            result.notes.append(f"{name}: FAILED — {type(exc).__name__}: {exc}")
            failures.append(name)
            return None
        finally:
            timings[name] = time.perf_counter() - t0

    ingest_details: dict[str, Any] | None = None
    if "ingest" in a.sections:
        from bench import index_prep, ingest_bench

        ingest_details = timed(
            "ingest",
            lambda: ingest_bench.run(
                work / "ingest", corpus, result, quick=a.quick, reps=a.ingest_reps, on_fresh=index_prep.adopt
            ),
        )

    settings = None
    if {"retrieval", "api", "coldstart", "scale"} & set(a.sections):
        from bench.index_prep import prepared_settings

        settings = timed("prepare index", prepared_settings)
        if settings is None:
            a.sections = [s for s in a.sections if s == "ingest"]

    if "retrieval" in a.sections and settings is not None:
        from bench import retrieval_bench

        n = a.questions or (15 if a.quick else None)
        got = timed(
            "retrieval",
            lambda: retrieval_bench.run(
                settings, result, n_questions=n, rounds=1 if a.quick else 2, with_profile=not a.no_profile
            ),
        )
        if got and any(got[1]):  # ("", "") with --no-profile: no empty profile file
            profiles.append(got[1])
        _release_models()

    if "api" in a.sections and settings is not None:
        from bench import api_bench
        from bench.retrieval import dev_questions

        qs = dev_questions(a.questions or (10 if a.quick else None))
        timed(
            "api",
            lambda: api_bench.run(
                work / "api",
                settings.data_dir,
                qs,
                result,
                local_questions=a.local_questions or (1 if a.quick else 2),
                local_ask=not a.quick,
            ),
        )

    if "coldstart" in a.sections and settings is not None:
        from bench import coldstart_bench

        reps = a.cold_reps or (1 if a.quick else 2)
        timed(
            "coldstart", lambda: coldstart_bench.run(work / "coldstart", settings.data_dir, result, reps=reps)
        )

    if "scale" in a.sections and settings is not None:
        from bench import scale_bench

        factors = [int(x) for x in (a.scale_factors or ("1,10" if a.quick else "1,10,100")).split(",")]
        budget = a.scale_ingest_budget if a.scale_ingest_budget is not None else (None if a.quick else 900.0)
        thr = _throughput(ingest_details) if ingest_details and not a.quick else None
        timed(
            "scale",
            lambda: scale_bench.run(
                work / "scale",
                settings.data_dir,
                corpus,
                result,
                factors=factors,
                n_questions=a.questions or (10 if a.quick else 20),
                ingest_budget_s=budget or None,
                ingest_throughput=thr,
                profile=not a.no_profile,
                reuse_stores=not a.rebuild_scale,
            ),
        )

    result.details["section_seconds"] = timings
    result.details["total_seconds"] = time.perf_counter() - t_start
    scale_profile = next(
        (p["profile"] for p in result.details.get("scale", {}).get("points", []) if p.get("profile")), None
    )
    if scale_profile:
        profiles.append((scale_profile["summary"], scale_profile["full"]))
    profile_summary = "\n\n".join(p[0] for p in profiles if p[0])
    if profiles:
        path = RESULTS_DIR / f"profile-{stamp}.txt"
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(profile_summary + "\n\n" + "\n\n".join(p[1] for p in profiles), encoding="utf-8")
        result.notes.append(f"profile: cProfile summaries below; full listings in {path.name}.")
    json_path, md_path = write_result(result, stamp, profile_summary)
    log.info("results table:\n%s", markdown_table(result.rows))
    for note in result.notes:
        log.info("note: %s", note)
    log.info("wrote %s and %s in %.0fs", md_path, json_path, result.details["total_seconds"])
    # api_bench reports a server that never came up as a note rather than an exception.
    failed = bool(failures) or "error" in result.details.get("api", {})
    if a.keep or failed:
        log.info("scratch data and child-process logs kept under %s", work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _throughput(ingest_details: dict[str, Any]) -> dict[str, Any]:
    """Our and the baseline's measured full-ingest throughput, for choosing and extrapolating scale
    ingests."""
    from bench.stats import median

    def pick(system: str) -> dict[str, Any]:
        runs = ingest_details["full"][system]
        return {
            "chunks": median([r["chunks"] for r in runs]),
            "chunks_per_s": median([r["chunks_per_s"] for r in runs]),
        }

    return {**pick("ours"), "baseline": pick("baseline")}


def _release_models() -> None:
    """Free the retrieval section's model and Chroma system before the servers start.

    The servers are separate processes; on a 2-core, shared machine this process should not keep a
    second embedding model and store resident while they are measured."""
    import gc

    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    gc.collect()


if __name__ == "__main__":
    raise SystemExit(main())
