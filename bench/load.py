"""`python -m bench.load` (`make load`): N concurrent clients against a real server, then a short soak.

    python -m bench.load                                  # 32 clients, 60 s, then a 10 s soak
    python -m bench.load --clients 8 --seconds 20 --max-requests 500
    POLICYQA_DATA_DIR=/path/to/data python -m bench.load  # an existing index

The script starts `uvicorn ui.app:create_app --factory` on a free loopback port in extractive mode,
over POLICYQA_DATA_DIR (default: data/), ingesting the corpus first if that index is missing or stale.
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
import contextlib
import json
import logging
import math
import os
import random
import socket
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

from rag.core import offline

log = logging.getLogger("bench.load")

ROOT = Path(__file__).resolve().parent.parent
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


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), on an already sorted list."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize(values_ms: list[float]) -> dict[str, float | int | None]:
    v = sorted(values_ms)

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 1)

    return {
        "n": len(v),
        "p50": r(percentile(v, 0.50)),
        "p95": r(percentile(v, 0.95)),
        "p99": r(percentile(v, 0.99)),
        "max": r(v[-1]) if v else None,
    }


def rss_mib(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak so far) of a live process, in MiB."""
    out: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(rest.split()[0]) / 1024, 1)
    return out


# -- the server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = offline.child_env(POLICYQA_DATA_DIR=str(data_dir), POLICYQA_MODE="extractive")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def ensure_index(data_dir: Path) -> None:
    """`policyqa ingest --if-stale`: a no-op when the index is current, a full ingest when it is empty."""
    log.info("checking the index in %s (ingesting if missing or stale)", data_dir)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cli.main", "ingest", "--if-stale"],
        cwd=ROOT,
        env=child_env(data_dir, {}),
        check=True,
    )
    log.info("index ready after %.0fs", time.perf_counter() - t0)


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path
    startup_s: float = 0.0

    @classmethod
    def start(cls, data_dir: Path, env_extra: dict[str, str], log_path: Path) -> Server:
        port = free_port()
        args = [
            sys.executable, "-m", "uvicorn", "ui.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        with log_path.open("ab") as fh:
            proc = subprocess.Popen(
                args, cwd=ROOT, env=child_env(data_dir, env_extra), stdout=fh, stderr=subprocess.STDOUT
            )
        server = cls(proc, f"http://127.0.0.1:{port}", log_path)
        t0 = time.perf_counter()
        deadline = t0 + STARTUP_TIMEOUT_S
        with httpx.Client(timeout=5) as client:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited with {proc.returncode}; see {log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{server.url}/readyz").status_code == 200:
                        break
                if time.perf_counter() > deadline:
                    server.stop()
                    raise TimeoutError(
                        f"the server was not ready after {STARTUP_TIMEOUT_S:.0f}s; see {log_path}"
                    )
                time.sleep(0.25)
        server.startup_s = round(time.perf_counter() - t0, 1)
        return server

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


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
    p.add_argument("--seed", type=int, default=0)
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

    ensure_index(data_dir)
    log_path = Path(tempfile.gettempdir()) / f"policyqa-load-{stamp}.log"
    load_before = os.getloadavg()
    server = Server.start(data_dir, env_extra, log_path)
    try:
        log.info(
            "server %s (pid %d) ready in %.1fs; log %s", server.url, server.pid, server.startup_s, log_path
        )
        questions = load_questions()
        # Warm-up outside the measurement: first calls pay for lazy imports and caches.
        asyncio.run(run_load(server.url, questions[:2], 2, 1.0, 4, a.stream_share, a.seed))
        rss_before = rss_mib(server.pid)
        log.info("load: %d clients for %.0fs (at most %d requests)", clients, seconds, max_requests)
        tally, elapsed = asyncio.run(
            run_load(server.url, questions, clients, seconds, max_requests, a.stream_share, a.seed)
        )
        rss_after = rss_mib(server.pid)
        log.info("soak: sampling RSS %d times over %.0fs", a.soak_samples, a.soak_seconds)
        soaked = soak(server, a.soak_seconds, max(2, a.soak_samples))
    finally:
        server.stop()

    done = sum(tally.statuses.values()) + sum(tally.errors.values())
    result = {
        "timestamp": stamp,
        "args": {**vars(a), "out": str(out), "seconds": seconds, "max_requests": max_requests},
        "machine": {
            "cores": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "note": "shared machine: other jobs may have been running",
        },
        "server": {
            "url": server.url,
            "pid": server.pid,
            "startup_s": server.startup_s,
            "data_dir": str(data_dir),
            "log": str(log_path),
            "env": env_extra,
        },
        "requests": {
            "sent": tally.sent,
            "completed": done,
            "ok": tally.ok,
            "seconds": round(elapsed, 1),
            "throughput_rps": round(done / elapsed, 2) if elapsed else 0.0,
            "ok_rps": round(tally.ok / elapsed, 2) if elapsed else 0.0,
            "by_status": dict(sorted(tally.statuses.items())),
            "errors": dict(sorted(tally.errors.items())),
            "client_backoff_s": round(tally.waited_s, 1),
        },
        "latency_ms": {k: summarize(v) for k, v in tally.latency_ms.items()},
        "rss_mib": {"before": rss_before, "after_load": rss_after},
        "soak": soaked,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    lat = result["latency_ms"]
    log.info(
        "done: %d requests in %.0fs (%.1f/s, %.1f ok/s); by status %s; errors %s",
        done, elapsed, result["requests"]["throughput_rps"], result["requests"]["ok_rps"],
        result["requests"]["by_status"], result["requests"]["errors"] or "none",
    )  # fmt: skip
    for name, s in lat.items():
        log.info("latency %-18s n=%-5s p50=%s p95=%s p99=%s ms", name, s["n"], s["p50"], s["p95"], s["p99"])
    log.info(
        "RSS MiB: before %s, after load %s; soak %s (growth %.1f, %s); readyz %s",
        rss_before.get("VmRSS"), rss_after.get("VmRSS"), soaked["rss_mib"], soaked["growth_second_half_mib"],
        "stable" if soaked["stable"] else "STILL GROWING", soaked["readyz"].get("ready"),
    )  # fmt: skip
    log.info("wrote %s", out)
    ok = soaked["readyz"].get("ready") is True and not tally.errors and soaked["healthz"] == 200
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
