"""Ingest: full corpus into a fresh data dir, re-ingest unchanged, and one changed document — ours vs baseline.

Each ingest runs in its own child process (bench.workers) so that its peak RSS is its own. Ours is
timed by its IngestReport (load → clean → chunk → embed → index), the baseline around NaiveRAG's
build; both exclude interpreter start and model load, which are reported separately as whole-process
wall time. Runs alternate ours/baseline so drift on a shared machine hits both.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.procs import ProcResult, run_measured
from bench.report import BenchResult, Row, target_row
from bench.stats import median, pair_ratios

log = logging.getLogger(__name__)

SECTION = "ingest"
CHANGED_DOC = "oecd-recommendation-on-ai-2024"
APPENDED = (
    "\n\nThis paragraph was appended by the benchmark to change one document. It adds a sentence about "
    "trustworthy artificial intelligence, transparency and accountability so that the document's last "
    "chunk changes while every other chunk stays the same.\n"
)
# Small documents for --quick: about 5% of the corpus, still one of each kind of source.
QUICK_DOCS = [
    "diplomat-japans-ai-diplomacy-2024",
    "g7-hiroshima-guiding-principles-2023",
    "g7-leaders-statement-hiroshima-ai-process-2023-10-30",
    "oecd-recommendation-on-ai-2024",
    "un-ga-resolution-78-265-2024",
]


def copy_corpus(
    corpus: Path, dest: Path, only: list[str] | None = None, append_to: str | None = None
) -> Path:
    """A copy of the corpus (optionally a subset) with its manifest filtered to match."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    entries = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    kept = [e for e in entries if only is None or Path(e["file"]).stem in only]
    for e in kept:
        shutil.copy2(corpus / e["file"], dest / e["file"])
    (dest / "manifest.json").write_text(json.dumps(kept, indent=1), encoding="utf-8")
    if append_to:
        path = dest / f"{append_to}.md"
        path.write_text(path.read_text(encoding="utf-8") + APPENDED, encoding="utf-8")
    return dest


def _ingest(
    work: Path, tag: str, system: str, data: Path, corpus: Path, source: Path | None = None
) -> ProcResult:
    out = work / "out" / f"{tag}-{system}.json"
    args = [sys.executable, "-m", "bench.workers", "ingest", "--system", system, "--data", str(data)]
    args += ["--corpus", str(corpus), "--out", str(out)]
    if source is not None:
        args += ["--source", str(source)]
    log.info("ingest %s: %s", tag, system)
    res = run_measured(args, log_path=work / "logs" / f"{tag}-{system}.log", out_path=out)
    if res.rc != 0 or not res.output:
        raise RuntimeError(f"{system} ingest ({tag}) failed; see {res.log_path}")
    if res.output.get("failed"):
        log.warning("%s ingest (%s): files failed: %s", system, tag, res.output["failed"])
    return res


def _summary(r: ProcResult) -> dict[str, Any]:
    o = r.output
    return {
        "ingest_s": o["seconds"],
        "process_wall_s": r.wall_s,
        "cpu_s": r.cpu_s,
        "peak_rss_mib": r.max_rss_mib,
        "model_load_s": o.get("load_s"),
        "chunks": o["chunks"],
        "embedded": o["embedded"],
        "chunks_per_s": o["chunks"] / o["seconds"] if o["seconds"] else None,
        "embeddings_per_s": o["embeddings_per_s"],
    }


def run(
    work: Path,
    corpus: Path,
    result: BenchResult,
    *,
    quick: bool,
    reps: int = 1,
    on_fresh: Callable[[Path, Path], None] | None = None,
) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    if quick:
        corpus = copy_corpus(corpus, work / "corpus-quick", only=QUICK_DOCS)
        result.notes.append(
            f"--quick: ingest figures are for a {len(QUICK_DOCS)}-document subset of the corpus."
        )

    full: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    dirs: dict[str, Path] = {}
    for i in range(reps):
        order = ["ours", "baseline"] if i % 2 == 0 else ["baseline", "ours"]
        for system in order:
            data = work / f"{system}-{i}"
            shutil.rmtree(data, ignore_errors=True)
            full[system].append(_summary(_ingest(work, f"full{i}", system, data, corpus)))
            dirs[system] = data

    re_ingest: dict[str, dict[str, Any]] = {}
    for system in ("ours", "baseline"):
        re_ingest[system] = _summary(_ingest(work, "reingest", system, dirs[system], corpus))
    if on_fresh is not None and not quick:
        on_fresh(dirs["ours"], dirs["baseline"])

    changed_corpus = copy_corpus(corpus, work / "corpus-changed", append_to=CHANGED_DOC)
    changed = {
        "ours": _summary(_ingest(work, "changed", "ours", dirs["ours"], corpus, source=changed_corpus)),
        # The baseline reads its corpus from settings; its fingerprint changes and it rebuilds.
        "baseline": _summary(_ingest(work, "changed", "baseline", dirs["baseline"], changed_corpus)),
    }

    _rows(result, full, re_ingest, changed)
    details = {"full": full, "reingest": re_ingest, "changed_one_doc": changed, "changed_doc": CHANGED_DOC}
    result.details[SECTION] = details
    return details


def _med(runs: list[dict[str, Any]], key: str) -> float | None:
    vals = [r[key] for r in runs if r.get(key) is not None]
    return median(vals) if vals else None


def _rows(result: BenchResult, full: dict, re_ingest: dict, changed: dict) -> None:
    o, b = full["ours"], full["baseline"]
    ingest_ratio = median(pair_ratios([r["ingest_s"] for r in o], [r["ingest_s"] for r in b]))
    cpu_ratio = median(pair_ratios([r["cpu_s"] for r in o], [r["cpu_s"] for r in b]))
    n = len(o)
    add = result.add
    add(
        target_row(
            SECTION,
            f"full corpus, ingest wall (median of {n})",
            _med(o, "ingest_s"),
            _med(b, "ingest_s"),
            unit="s",
            ratio=ingest_ratio,
            target="≤ 1.5× baseline",
            check=lambda x, y, r: r <= 1.5,
            note="excludes interpreter start + model load",
        )
    )
    add(
        target_row(
            SECTION,
            "full corpus, whole process wall",
            _med(o, "process_wall_s"),
            _med(b, "process_wall_s"),
            unit="s",
            ratio=median(pair_ratios([r["process_wall_s"] for r in o], [r["process_wall_s"] for r in b])),
        )
    )
    add(
        target_row(
            SECTION,
            "full corpus, process CPU (user+sys)",
            _med(o, "cpu_s"),
            _med(b, "cpu_s"),
            unit="s",
            ratio=cpu_ratio,
            note="less sensitive to other jobs than wall time",
        )
    )
    add(
        Row(
            SECTION,
            "chunks",
            _med(o, "chunks"),
            _med(b, "chunks"),
            ratio=_ratio(_med(o, "chunks"), _med(b, "chunks")),
        )
    )
    add(target_row(SECTION, "chunks/s (ingest wall)", _med(o, "chunks_per_s"), _med(b, "chunks_per_s")))
    add(
        target_row(
            SECTION,
            "embeddings/s (embedding time only)",
            _med(o, "embeddings_per_s"),
            _med(b, "embeddings_per_s"),
            note="ours embeds heading path + text; baseline 1000-char windows",
        )
    )
    add(
        target_row(
            SECTION,
            "peak RSS during ingest",
            _med(o, "peak_rss_mib"),
            _med(b, "peak_rss_mib"),
            unit="MiB",
            target="ours < 3 GiB",
            check=lambda x, y, r: x < 3072,
        )
    )
    ro, rb = re_ingest["ours"], re_ingest["baseline"]
    add(
        target_row(
            SECTION,
            "re-ingest unchanged: embedded",
            ro["embedded"],
            rb["embedded"],
            target="ours = 0",
            check=lambda x, y, r: x == 0,
        )
    )
    add(target_row(SECTION, "re-ingest unchanged: wall", ro["ingest_s"], rb["ingest_s"], unit="s"))
    speed_o = (_med(o, "ingest_s") or 0) / ro["ingest_s"] if ro["ingest_s"] else None
    speed_b = (_med(b, "ingest_s") or 0) / rb["ingest_s"] if rb["ingest_s"] else None
    add(
        target_row(
            SECTION,
            "re-ingest speed-up vs full ingest",
            speed_o,
            speed_b,
            unit="×",
            target="ours ≥ 20×",
            check=lambda x, y, r: x >= 20,
            note="full ÷ re-ingest, each system against itself",
        )
    )
    co, cb = changed["ours"], changed["baseline"]
    add(
        target_row(SECTION, f"one document changed ({CHANGED_DOC}): embedded", co["embedded"], cb["embedded"])
    )
    add(
        target_row(
            SECTION,
            "one document changed: wall",
            co["ingest_s"],
            cb["ingest_s"],
            unit="s",
            note="baseline rebuilds everything when its corpus fingerprint changes",
        )
    )


def _ratio(a: float | None, b: float | None) -> float | None:
    from bench.stats import ratio

    return ratio(a, b)
