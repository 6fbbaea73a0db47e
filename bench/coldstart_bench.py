"""Cold start: process start until /readyz answers 200, and a CLI question answered from a cold process.

Ours: `policyqa serve` (models and tables load in a background thread; /readyz turns 200 when done)
and `policyqa ask`. Baseline: bench.baseline_app's `serve` and `ask`. Starts alternate between the
two; each run is a fresh process (the OS page cache stays warm, as it would on a restart).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from bench.api_bench import api_available, baseline_server_args, ours_cli, ours_server_args, server_env
from bench.procs import Server, free_port, run_measured
from bench.report import BenchResult, Row, Spec, add_rows

log = logging.getLogger(__name__)

SECTION = "cold start"
QUESTION = "What does Article 50(2) of the AI Act require?"


def _ready_s(work: Path, system: str, i: int, env: dict[str, str]) -> dict[str, Any]:
    port = free_port()
    args = ours_server_args(port) if system == "ours" else baseline_server_args(port)
    with Server(args, port, work / "logs" / f"cold-{system}-{i}.log", env) as s:
        secs = s.wait_ready(timeout_s=600)
        return {"ready_s": secs, **{f"ready_{k}": v for k, v in s.memory().items()}}


def _cli(work: Path, system: str, i: int, env: dict[str, str]) -> dict[str, Any]:
    if system == "ours":
        args = [*ours_cli(), "ask", QUESTION]
    else:
        args = [sys.executable, "-m", "bench.baseline_app", "ask", QUESTION]
    r = run_measured(args, log_path=work / "logs" / f"cli-{system}-{i}.log", env=env, timeout_s=600)
    return {"wall_s": r.wall_s, "cpu_s": r.cpu_s, "peak_rss_mib": r.max_rss_mib, "rc": r.rc}


def run(work: Path, data_dir: Path, result: BenchResult, *, reps: int) -> dict[str, Any]:
    env = server_env(data_dir)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        "serve": {"ours": [], "baseline": []},
        "cli": {"ours": [], "baseline": []},
    }
    skip = api_available()
    for i in range(reps):
        order = ["ours", "baseline"] if i % 2 == 0 else ["baseline", "ours"]
        for system in order:
            if not skip:
                try:
                    runs["serve"][system].append(_ready_s(work, system, i, env))
                except (RuntimeError, TimeoutError) as exc:
                    log.warning("%s server did not become ready: %s", system, exc)
            runs["cli"][system].append(_cli(work, system, i, env))
    _rows(result, runs, reps, skip)
    result.details[SECTION] = runs
    return runs


SERVE = (
    Spec(
        "serve: process start → /readyz 200 (median of {n})",
        "ready_s",
        "s",
        paired=True,
        note="ours: FastAPI + Gradio UI + BM25/tables; baseline: FastAPI + Chroma only",
    ),
    Spec("serve: RSS when ready", "ready_VmRSS", "MiB"),
)
CLI_OK = (Spec("CLI: cold `ask` → answer printed (median of {n})", "wall_s", "s", paired=True),)
CLI_ALL = (Spec("CLI: peak RSS", "peak_rss_mib", "MiB"),)


def _rows(result: BenchResult, runs: dict[str, Any], reps: int, skip: str | None) -> None:
    so, sb = runs["serve"]["ours"], runs["serve"]["baseline"]
    if so and sb:
        # A run whose RSS could not be read counts as 0 MiB, not as missing.
        so, sb = ([{"ready_VmRSS": 0, **r} for r in side] for side in (so, sb))
        add_rows(result, SECTION, SERVE, so, sb, n=len(so))
    elif skip:
        result.add(Row(SECTION, "serve: process start → /readyz", note=f"skipped: {skip}"))
    co, cb = runs["cli"]["ours"], runs["cli"]["baseline"]
    ok_o, ok_b = [r for r in co if r["rc"] == 0], [r for r in cb if r["rc"] == 0]
    add_rows(result, SECTION, CLI_OK, ok_o, ok_b, n=len(ok_o))
    add_rows(result, SECTION, CLI_ALL, co, cb)
