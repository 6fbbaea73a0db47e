"""End to end over HTTP: /api/ask latency per mode and time to first streamed token, against real
uvicorn servers on loopback — `policyqa serve` (ours) and bench.baseline_app (the naive baseline).

Requests alternate between the two servers question by question. Served memory is read from
/proc/<pid>/status of each server after the extractive runs, and again after the local-LLM runs.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.procs import Server, free_port
from bench.report import BenchResult, Row, Spec, add_rows, ours_under
from bench.stats import summarize
from evals.dataset import EvalQuestion

log = logging.getLogger(__name__)

SECTION = "api"
TIMEOUT_S = 300.0


def api_available() -> str | None:
    """None when ui.app can be served, else the reason to skip."""
    if importlib.util.find_spec("ui.app") is None:
        return "ui/app.py does not exist yet"
    return None


def server_env(data_dir: Path) -> dict[str, str]:
    # The bench sends far more than a person would; the per-client rate limit must not turn that into 429s.
    # The answer cache off: these runs time the pipeline, and the warm-up questions are asked again.
    return {
        "POLICYQA_DATA_DIR": str(data_dir),
        "POLICYQA_RATE_LIMIT_PER_MINUTE": "10000000",
        "POLICYQA_ANSWER_CACHE_SIZE": "0",
    }


def ours_cli() -> list[str]:
    """`policyqa` beside this interpreter, else `python -m cli.main`."""
    exe = Path(sys.executable).with_name("policyqa")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cli.main"]


def ours_server_args(port: int) -> list[str]:
    return [*ours_cli(), "serve", "--host", "127.0.0.1", "--port", str(port)]


def baseline_server_args(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.baseline_app", "serve", "--host", "127.0.0.1", "--port", str(port)]


def body(q: EvalQuestion, mode: str) -> dict[str, Any]:
    return {"question": q.question, "history": [t.model_dump() for t in q.history], "mode": mode}


def ask_ms(client: httpx.Client, url: str, payload: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
    """Latency, status and the decoded answer (empty when not JSON)."""
    t0 = time.perf_counter()
    r = client.post(url + "/api/ask", json=payload, timeout=TIMEOUT_S)
    ms = (time.perf_counter() - t0) * 1000
    try:
        data = r.json()
    except ValueError:
        data = {}
    return ms, r.status_code, data if isinstance(data, dict) else {}


STREAM_QUESTIONS = 20


def stream_ms(client: httpx.Client, url: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Time to the first non-empty `delta` event and to the end of the stream."""
    t0 = time.perf_counter()
    first: float | None = None
    event = ""
    with client.stream("POST", url + "/api/ask/stream", json=payload, timeout=TIMEOUT_S) as r:
        status = r.status_code
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif (
                line.startswith("data:")
                and event == "delta"
                and first is None
                and json.loads(line.split(":", 1)[1]).get("text")
            ):
                first = (time.perf_counter() - t0) * 1000
    return {"ttft_ms": first, "total_ms": (time.perf_counter() - t0) * 1000, "status": status}


def _modes(client: httpx.Client, url: str) -> list[str]:
    try:
        return list(client.get(url + "/readyz").json().get("modes") or ["extractive"])
    except (httpx.HTTPError, ValueError):
        return ["extractive"]


def run(
    work: Path,
    data_dir: Path,
    questions: list[EvalQuestion],
    result: BenchResult,
    *,
    local_questions: int,
    local_ask: bool = True,
) -> dict[str, Any]:
    reason = api_available()
    if reason:
        result.notes.append(f"api: skipped — {reason}.")
        result.add(Row(SECTION, "/api/ask", note=f"skipped: {reason}"))
        return {"skipped": reason}
    env = server_env(data_dir)
    ours_port, base_port = free_port(), free_port()
    ours = Server(ours_server_args(ours_port), ours_port, work / "logs" / "api-ours.log", env)
    base = Server(baseline_server_args(base_port), base_port, work / "logs" / "api-baseline.log", env)
    details: dict[str, Any] = {}
    try:
        for s, name in ((ours, "ours"), (base, "baseline")):
            details[f"{name}_ready_s"] = s.wait_ready(timeout_s=600)
        with httpx.Client() as client:
            details.update(_extractive(client, ours, base, questions))
            modes = _modes(client, ours.url)
            details["modes"] = modes
            answered = [questions[i] for i in details.get("answered", [])]
            if "local" in modes and local_questions > 0 and answered:
                details.update(_local(client, ours, base, answered[:local_questions], with_ask=local_ask))
            else:
                result.notes.append("api: local mode not available on this server; local rows skipped.")
    except Exception as exc:  # a server that does not come up is a finding to report, not a crash
        log.exception("api benchmark failed")
        result.notes.append(f"api: failed — {type(exc).__name__}: {exc} (logs under {work / 'logs'}).")
        details["error"] = str(exc)
    finally:
        ours.stop()
        base.stop()
    _rows(result, details)
    result.details[SECTION] = details
    return details


def _extractive(
    client: httpx.Client, ours: Server, base: Server, questions: list[EvalQuestion]
) -> dict[str, Any]:
    for q in questions[:2]:  # first requests pay for lazy imports
        ask_ms(client, ours.url, body(q, "extractive"))
        ask_ms(client, base.url, body(q, "extractive"))
    o_ms: list[float] = []
    b_ms: list[float] = []
    errors = {"ours": 0, "baseline": 0}
    answered: list[int] = []  # questions ours answers (not abstains): only those reach a generator
    for i, q in enumerate(questions):
        pairs = [(ours, o_ms, "ours"), (base, b_ms, "baseline")]
        for server, sink, name in pairs if i % 2 == 0 else reversed(pairs):
            ms, status, data = ask_ms(client, server.url, body(q, "extractive"))
            if status != 200:
                errors[name] += 1
                continue
            sink.append(ms)
            if name == "ours" and not data.get("abstained"):
                answered.append(i)
    o_first: list[float] = []
    b_first: list[float] = []
    # Twenty questions, the order alternating: with five, always ours first, the ratio swung 1.55×–1.89×
    # between runs of one build (2026-12-04).
    for i, q in enumerate(questions[:STREAM_QUESTIONS]):
        pairs = ((ours, o_first), (base, b_first))
        for server, sink in pairs if i % 2 == 0 else reversed(pairs):
            first = stream_ms(client, server.url, body(q, "extractive"))["ttft_ms"]
            if first is not None:
                sink.append(first)
    return {
        "extractive": {"ours": summarize(o_ms), "baseline": summarize(b_ms), "errors": errors},
        "japanese": _japanese(client, ours, base),
        "extractive_stream_ttft_ms": {"ours": summarize(o_first), "baseline": summarize(b_first)},
        "rss_extractive": {"ours": ours.memory(), "baseline": base.memory()},
        "answered": answered,
    }


def _japanese(client: httpx.Client, ours: Server, base: Server) -> dict[str, Any]:
    """The dev half of the Japanese questions: ours translates each, the baseline embeds it as it is."""
    from evals.dataset import JA_QUESTIONS_PATH, load_questions

    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    for q in load_questions(JA_QUESTIONS_PATH, "dev"):
        for server, name in ((ours, "ours"), (base, "baseline")):
            ms, status, _ = ask_ms(client, server.url, body(q, "extractive"))
            if status == 200:
                times[name].append(ms)
    return {name: summarize(values) for name, values in times.items()}


def _local(
    client: httpx.Client, ours: Server, base: Server, questions: list[EvalQuestion], *, with_ask: bool
) -> dict[str, Any]:
    """Local-LLM latency: streamed time to first token always, the plain /api/ask only with `with_ask`
    (each generation takes tens of seconds on 2 cores, so --quick measures only the stream)."""
    warm = {**body(questions[0], "local"), "top_k": 1}  # loads the GGUF; one source keeps the prompt short
    ask_ms(client, ours.url, warm)
    ask_ms(client, base.url, warm)
    o_ms: list[float] = []
    b_ms: list[float] = []
    o_ttft: list[float] = []
    b_ttft: list[float] = []
    fell_back = 0
    for i, q in enumerate(questions):
        pairs = [(ours, o_ms, o_ttft), (base, b_ms, b_ttft)]
        for server, ms_sink, ttft_sink in pairs if i % 2 == 0 else reversed(pairs):
            if not with_ask:
                s = stream_ms(client, server.url, body(q, "local"))
                if s["ttft_ms"] is not None:
                    ttft_sink.append(s["ttft_ms"])
                continue
            ms, status, data = ask_ms(client, server.url, body(q, "local"))
            if status == 200:
                ms_sink.append(ms)
                # The chain falls back to the extractive answer when the LLM's output is unsupported.
                fell_back += int(
                    server is ours and any("extractive" in w for w in data.get("warnings") or [])
                )
            s = stream_ms(client, server.url, body(q, "local"))
            if s["ttft_ms"] is not None:
                ttft_sink.append(s["ttft_ms"])
    return {
        "local": {"ours": summarize(o_ms), "baseline": summarize(b_ms), "ours_fell_back": fell_back},
        "local_ttft": {"ours": summarize(o_ttft), "baseline": summarize(b_ttft)},
        "rss_local": {"ours": ours.memory(), "baseline": base.memory()},
    }


EXTRACTIVE = (
    Spec("/api/ask extractive p50", "p50", "ms"),
    Spec(
        "/api/ask extractive p95",
        "p95",
        "ms",
        **ours_under(300, "300 ms"),
        note="n={n}; errors {errors}",
    ),
    Spec("/api/ask extractive p99", "p99", "ms"),
)
JAPANESE = (
    Spec("/api/ask extractive, Japanese question p50", "p50", "ms", note="n={n} (ja dev)"),
    Spec("/api/ask extractive, Japanese question p95", "p95", "ms"),
)
EXTRACTIVE_STREAM = (Spec("/api/ask/stream extractive, first delta p50", "p50", "ms", note="n={n}"),)
RSS_EXTRACTIVE = (
    Spec(
        "served RSS after extractive runs (VmHWM)",
        "VmHWM",
        "MiB",
        **ours_under(1536, "1.5 GiB"),
    ),
)
LOCAL = (
    Spec(
        "/api/ask local p50",
        "p50",
        "ms",
        note="n={n} questions ours answers; ours fell back to extractive {fell_back}×",
    ),
)
LOCAL_STREAM = (
    Spec(
        "/api/ask/stream local, time to first token p50",
        "p50",
        "ms",
        note="includes retrieval + evidence selection (tens of ms); the rest is LLM prompt evaluation",
    ),
)
RSS_LOCAL = (
    Spec(
        "served RSS with local LLM loaded (VmHWM)",
        "VmHWM",
        "MiB",
        **ours_under(2048, "2 GiB"),
    ),
)


def _rows(result: BenchResult, d: dict[str, Any]) -> None:
    def add(specs: tuple[Spec, ...], pair: dict[str, Any], **fields: Any) -> None:
        add_rows(result, SECTION, specs, pair["ours"], pair["baseline"], **fields)

    ex = d.get("extractive")
    if ex:
        add(EXTRACTIVE, ex, n=ex["ours"]["n"], errors=ex["errors"])
        t = d.get("extractive_stream_ttft_ms") or {}
        if t:
            add(EXTRACTIVE_STREAM, t, n=t["ours"]["n"])
        add(RSS_EXTRACTIVE, d["rss_extractive"])
        ja = d.get("japanese")
        if ja and ja["ours"]["n"]:
            add(JAPANESE, ja, n=ja["ours"]["n"])
    loc = d.get("local")
    if loc and loc["ours"]["n"]:
        add(LOCAL, loc, n=loc["ours"]["n"], fell_back=loc["ours_fell_back"])
    if loc:
        add(LOCAL_STREAM, d["local_ttft"])
        add(RSS_LOCAL, d["rss_local"])
