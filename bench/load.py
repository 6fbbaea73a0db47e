"""`python -m bench.load` (`make load`): N concurrent clients against a real server, then a short soak.

    python -m bench.load                                  # 32 clients, 60 s, then a 10 s soak
    python -m bench.load --clients 8 --seconds 20 --max-requests 500
    POLICYQA_DATA_DIR=/path/to/data python -m bench.load  # an existing index

The script starts `uvicorn ui.app:create_app --factory` on a free loopback port in extractive mode,
over POLICYQA_DATA_DIR (default: data/), ingesting the corpus first if that index is missing or stale,
and the naive baseline app beside it. Each system's --seconds run in --rounds phases, interleaved ABBA
(ours, baseline, baseline, ours), so that a host slowing down mid-run weighs on both alike.
Each client (asyncio + httpx, one connection each) sends the eval questions in turn, mixing POST
/api/ask and POST /api/ask/stream, for --seconds or until --max-requests have been sent. A 429 or 503
is counted and the client waits its Retry-After (capped) as a well-behaved client would.

Reported: requests and throughput, latency p50/p95/p99 per route (for the stream, the first event
and the whole stream), responses by status and errors by type, the server's RSS before and after
(/proc/<pid>/status), then RSS sampled during an idle soak to show it stopped growing, and /readyz.
Written to bench/results/load-<timestamp>.json.

The per-client rate limit is switched off by default (every client here shares one IP, so it would
measure the limiter, not the server); the generation cap keeps its configured value.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench.procs import ROOT, Server, child_env, free_port, proc_status_mib
from bench.stats import summarize
from rag.core.offline import apply_offline_env

log = logging.getLogger("bench.load")

RESULTS_DIR = Path(__file__).resolve().parent / "results"
QUESTIONS = ROOT / "evals" / "data" / "questions.jsonl"
FALLBACK_QUESTIONS = [
    "What are the four functions of the NIST AI Risk Management Framework?",
    "When was Japan's AI Safety Institute set up?",
    "Which AI practices are prohibited under the EU AI Act?",
]
# Hard ceilings, whatever the flags say: a load test must always end.
MAX_SECONDS = 3600.0
MAX_REQUESTS = 1_000_000
REQUEST_TIMEOUT_S = 120.0
RETRY_AFTER_CAP_S = 2.0
STARTUP_TIMEOUT_S = 600.0


# -- numbers ----------------------------------------------------------------------------------------------
LATENCY_KEYS = ("n", "p50", "p95", "p99", "max")


def latency_summary(values_ms: list[float]) -> dict[str, float | int | None]:
    """bench.stats.summarize without the mean, times rounded to 0.1 ms."""
    s = summarize(values_ms)
    return {k: s[k] if k == "n" or s[k] is None else round(s[k], 1) for k in LATENCY_KEYS}


def rss_mib(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak so far) of a live process, in MiB to 0.1."""
    return {k: round(v, 1) for k, v in proc_status_mib(pid).items()}


# -- the server -------------------------------------------------------------------------------------------


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"POLICYQA_DATA_DIR": str(data_dir), "POLICYQA_MODE": "extractive", **(extra or {})}


def uvicorn_args(port: int) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "ui.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip


def ensure_index(data_dir: Path) -> None:
    """`policyqa ingest --if-stale`: a no-op when the index is current, a full ingest when it is empty."""
    log.info("checking the index in %s (ingesting if missing or stale)", data_dir)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cli.main", "ingest", "--if-stale"],
        cwd=ROOT,
        env=child_env(server_env(data_dir)),
        check=True,
    )
    log.info("index ready after %.0fs", time.perf_counter() - t0)


def baseline_args(port: int) -> list[str]:
    """The naive baseline app (bench/baseline_app.py) over the same corpus and models."""
    return [sys.executable, "-m", "bench.baseline_app", "serve", "--host", "127.0.0.1", "--port", str(port)]


# -- the clients ------------------------------------------------------------------------------------------


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latency_ms: dict[str, list[float]] = field(
        default_factory=lambda: {"ask": [], "stream_first_event": [], "stream_total": []}
    )
    sent: int = 0
    ok: int = 0
    waited_s: float = 0.0


def load_questions(limit: int = 200) -> list[str]:
    try:
        rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
        questions = [r["question"] for r in rows if not r.get("history")]
    except (OSError, ValueError, KeyError):
        questions = []
    return questions[:limit] or FALLBACK_QUESTIONS


async def one_request(
    client: httpx.AsyncClient, url: str, question: str, stream: bool, tally: Tally
) -> float:
    """Send one question; returns how long to wait before the next one (Retry-After on 429/503)."""
    route = "stream" if stream else "ask"
    t0 = time.perf_counter()
    try:
        if stream:
            async with client.stream("POST", f"{url}/api/ask/stream", json={"question": question}) as r:
                first: float | None = None
                got_result = False
                async for line in r.aiter_lines():
                    if first is None and line.startswith("event:"):
                        first = (time.perf_counter() - t0) * 1000
                    if line.startswith("event: result"):
                        got_result = True
                status = str(r.status_code) if (r.status_code != 200 or got_result) else "200-no-result"
                retry_after = r.headers.get("retry-after")
        else:
            r = await client.post(f"{url}/api/ask", json={"question": question})
            status, retry_after = str(r.status_code), r.headers.get("retry-after")
    except httpx.HTTPError as exc:
        tally.errors[f"{route}:{type(exc).__name__}"] += 1
        return 0.5
    elapsed = (time.perf_counter() - t0) * 1000
    tally.statuses[f"{route}:{status}"] += 1
    if status == "200":
        tally.ok += 1
        if stream:
            tally.latency_ms["stream_total"].append(elapsed)
            if first is not None:
                tally.latency_ms["stream_first_event"].append(first)
        else:
            tally.latency_ms["ask"].append(elapsed)
        return 0.0
    if status in ("429", "503") and retry_after and retry_after.isdigit():
        return min(float(retry_after), RETRY_AFTER_CAP_S)
    return 0.0


async def run_load(url: str, questions: list[str], clients: int, seconds: float, max_requests: int,
                   stream_share: float, seed: int) -> tuple[Tally, float]:  # fmt: skip
    tally = Tally()
    deadline = time.perf_counter() + seconds

    async def client_loop(k: int) -> None:
        rng = random.Random(seed + k)
        i = k
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
            while time.perf_counter() < deadline and tally.sent < max_requests:
                tally.sent += 1  # one event loop: no lock needed
                question = questions[i % len(questions)]
                i += clients
                wait = await one_request(client, url, question, rng.random() < stream_share, tally)
                if wait:
                    tally.waited_s += wait
                    await asyncio.sleep(min(wait, max(0.0, deadline - time.perf_counter())))

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(client_loop(k)) for k in range(clients)]
    # In-flight requests may finish after the deadline; past one request timeout they are cancelled.
    done, pending = await asyncio.wait(tasks, timeout=seconds + REQUEST_TIMEOUT_S)
    for t in pending:
        t.cancel()
    for t in done:
        if t.exception() is not None:
            tally.errors[f"client:{type(t.exception()).__name__}"] += 1
    return tally, time.perf_counter() - t0


# -- soak -------------------------------------------------------------------------------------------------


def soak(server: Server, seconds: float, samples: int) -> dict[str, Any]:
    """Idle after the load: RSS sampled evenly; 'stable' when the last samples stop growing."""
    values: list[float] = []
    for k in range(samples):
        values.append(rss_mib(server.pid).get("VmRSS", 0.0))
        if k < samples - 1:
            time.sleep(seconds / max(1, samples - 1))
    half = values[len(values) // 2 :]
    growth = round(half[-1] - half[0], 1) if half else 0.0
    with httpx.Client(timeout=10) as client:
        r = client.get(f"{server.url}/readyz")
        ready = {"status": r.status_code, **r.json()}
        health = client.get(f"{server.url}/healthz").status_code
    # Allocator noise is a few MiB; a leak under no load keeps climbing past that.
    stable = growth <= max(4.0, 0.01 * (half[0] if half else 0.0))
    return {
        "rss_mib": values,
        "growth_second_half_mib": growth,
        "stable": stable,
        "readyz": ready,
        "healthz": health,
    }


# -- main -------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    p.add_argument("--seconds", type=float, default=60.0, help="load duration (default 60)")
    p.add_argument(
        "--max-requests", type=int, default=20_000, help="stop after this many requests (default 20000)"
    )
    p.add_argument(
        "--stream-share", type=float, default=0.5, help="share of /api/ask/stream requests (default 0.5)"
    )
    p.add_argument(
        "--soak-seconds", type=float, default=10.0, help="idle RSS sampling after the load (default 10)"
    )
    p.add_argument("--soak-samples", type=int, default=6)
    p.add_argument(
        "--rate-limit", type=int, default=0, help="POLICYQA_RATE_LIMIT_PER_MINUTE for the server (0: off)"
    )
    p.add_argument(
        "--max-concurrent-generations", type=int, default=None, help="default: the server's setting"
    )
    p.add_argument(
        "--answer-cache-size",
        type=int,
        default=None,
        help="POLICYQA_ANSWER_CACHE_SIZE for our server (default: the server's setting; 0: off, so every "
        "repeat of a question is answered afresh)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="each system's --seconds split into this many phases, interleaved ABBA… with the other's "
        "(default 2)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--no-baseline", dest="baseline", action="store_false", help="skip the naive baseline's run"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="result JSON (default bench/results/load-<timestamp>.json)"
    )
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    seconds = min(max(a.seconds, 1.0), MAX_SECONDS)
    max_requests = min(max(a.max_requests, 1), MAX_REQUESTS)
    clients = max(1, a.clients)
    data_dir = Path(os.environ.get("POLICYQA_DATA_DIR") or ROOT / "data").resolve()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = a.out or RESULTS_DIR / f"load-{stamp}.json"
    env_extra = {"POLICYQA_RATE_LIMIT_PER_MINUTE": str(a.rate_limit)}
    if a.max_concurrent_generations is not None:
        env_extra["POLICYQA_MAX_CONCURRENT_GENERATIONS"] = str(a.max_concurrent_generations)
    if a.answer_cache_size is not None:
        env_extra["POLICYQA_ANSWER_CACHE_SIZE"] = str(a.answer_cache_size)

    # As bench.run does: the children's environment is the offline one, OMP_WAIT_POLICY included.
    apply_offline_env()
    ensure_index(data_dir)
    load_before = os.getloadavg()
    questions = load_questions()
    systems = {"ours": uvicorn_args}
    if a.baseline:
        systems["baseline"] = baseline_args
    servers: dict[str, Server] = {}
    try:
        for name, args_for in systems.items():
            log_path = Path(tempfile.gettempdir()) / f"policyqa-load-{stamp}-{name}.log"
            port = free_port()
            servers[name] = Server(args_for(port), port, log_path, server_env(data_dir, env_extra))
        runs = measure(servers, questions, a, clients, seconds, max_requests)
    finally:
        for server in servers.values():
            server.stop(timeout_s=20)

    ours = runs["ours"]
    result = {
        "timestamp": stamp,
        "args": {**vars(a), "out": str(out), "seconds": seconds, "max_requests": max_requests},
        "machine": {
            "cores": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "note": "shared machine: other jobs may have been running",
        },
        "env": env_extra,
        "data_dir": str(data_dir),
        **{k: v for k, v in ours.items() if k != "tally"},
        "systems": {name: {k: v for k, v in run.items() if k != "tally"} for name, run in runs.items()},
    }
    if "baseline" in runs:
        result["ours_vs_baseline"] = _ratios(ours, runs["baseline"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    for name, run in runs.items():
        _log_run(name, run)
    if "ours_vs_baseline" in result:
        log.info("ours / baseline: %s", result["ours_vs_baseline"])
    log.info("wrote %s", out)
    soaked = ours["soak"]
    ok = soaked["readyz"].get("ready") is True and not ours["tally"].errors and soaked["healthz"] == 200
    return 0 if ok else 1


def phase_order(names: list[str], rounds: int) -> list[str]:
    """ABBA…: each system's load split into `rounds` phases, alternating which goes first, so that a machine
    getting slower or faster during the run (a shared host, thermal limits) weighs on both alike."""
    order: list[str] = []
    for r in range(rounds):
        order += names if r % 2 == 0 else names[::-1]
    return order


def merge(into: Tally, more: Tally) -> None:
    into.statuses.update(more.statuses)
    into.errors.update(more.errors)
    for route, values in more.latency_ms.items():
        into.latency_ms[route].extend(values)
    into.sent += more.sent
    into.ok += more.ok
    into.waited_s += more.waited_s


def measure(servers: dict[str, Server], questions: list[str], a: argparse.Namespace, clients: int,
            seconds: float, max_requests: int) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Warm-up, the load in interleaved phases, then the idle soak, for each started server."""
    startup: dict[str, float] = {}
    for name, server in servers.items():
        startup[name] = round(server.wait_ready(timeout_s=STARTUP_TIMEOUT_S, poll_s=0.25), 1)
        log.info("%s server %s (pid %d) ready in %.1fs", name, server.url, server.pid, startup[name])
        # Warm-up outside the measurement: first calls pay for lazy imports and caches.
        asyncio.run(run_load(server.url, questions[:2], 2, 1.0, 4, a.stream_share, a.seed))
    rss_before = {name: rss_mib(server.pid) for name, server in servers.items()}
    rounds = max(1, a.rounds)
    tallies = {name: Tally() for name in servers}
    elapsed = dict.fromkeys(servers, 0.0)
    for k, name in enumerate(phase_order(list(servers), rounds)):
        log.info(
            "%s load, phase %d of %d: %d clients for %.0fs",
            name, k // len(servers) + 1, rounds, clients, seconds / rounds,
        )  # fmt: skip
        tally, took = asyncio.run(
            run_load(servers[name].url, questions, clients, seconds / rounds, max(1, max_requests // rounds),
                     a.stream_share, a.seed + k // len(servers))
        )  # fmt: skip
        merge(tallies[name], tally)
        elapsed[name] += took
    runs: dict[str, dict[str, Any]] = {}
    for name, server in servers.items():
        tally = tallies[name]
        rss_after = rss_mib(server.pid)
        soaked = soak(server, a.soak_seconds, max(2, a.soak_samples))
        done = sum(tally.statuses.values()) + sum(tally.errors.values())
        took = elapsed[name]
        runs[name] = {
            "server": {"url": server.url, "pid": server.pid, "startup_s": startup[name]},
            "requests": {
                "sent": tally.sent,
                "completed": done,
                "ok": tally.ok,
                "seconds": round(took, 1),
                "phases": rounds,
                "throughput_rps": round(done / took, 2) if took else 0.0,
                "ok_rps": round(tally.ok / took, 2) if took else 0.0,
                "by_status": dict(sorted(tally.statuses.items())),
                "errors": dict(sorted(tally.errors.items())),
                "client_backoff_s": round(tally.waited_s, 1),
            },
            "latency_ms": {k: latency_summary(v) for k, v in tally.latency_ms.items()},
            "rss_mib": {"before": rss_before[name], "after_load": rss_after},
            "soak": soaked,
            "tally": tally,
        }
    return runs


def _ratios(ours: dict[str, Any], base: dict[str, Any]) -> dict[str, float | None]:
    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a is not None and b else None

    out = {"ok_rps": ratio(ours["requests"]["ok_rps"], base["requests"]["ok_rps"])}
    for route, lat in ours["latency_ms"].items():
        for q in ("p50", "p95"):
            out[f"{route}_{q}"] = ratio(lat.get(q), base["latency_ms"].get(route, {}).get(q))
    return out


def _log_run(name: str, run: dict[str, Any]) -> None:
    req, soaked = run["requests"], run["soak"]
    log.info(
        "%s: %d requests in %.0fs (%.1f/s, %.1f ok/s); by status %s; errors %s",
        name, req["completed"], req["seconds"], req["throughput_rps"], req["ok_rps"],
        req["by_status"], req["errors"] or "none",
    )  # fmt: skip
    for route, s in run["latency_ms"].items():
        log.info(
            "%s latency %-18s n=%-5s p50=%s p95=%s p99=%s ms",
            name,
            route,
            s["n"],
            s["p50"],
            s["p95"],
            s["p99"],
        )
    log.info(
        "%s RSS MiB: before %s, after load %s; soak growth %.1f (%s); readyz %s",
        name, run["rss_mib"]["before"].get("VmRSS"), run["rss_mib"]["after_load"].get("VmRSS"),
        soaked["growth_second_half_mib"], "stable" if soaked["stable"] else "STILL GROWING",
        soaked["readyz"].get("ready"),
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
