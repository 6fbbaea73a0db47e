"""Ingest: full corpus into a fresh data dir, re-ingest unchanged, and one changed document — ours vs
baseline.

Each ingest runs in its own child process (bench.workers) so that its peak RSS is its own. Ours is
timed by its IngestReport (load → clean → chunk → embed → index), the baseline around NaiveRAG's
build; both exclude interpreter start and model load, which are reported separately as whole-process
wall time. Runs alternate ours/baseline so drift on a shared machine hits both.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.procs import ProcResult, run_worker
from bench.report import BenchResult, Spec, add_rows, ours_under, side_value

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
    args = ["ingest", "--system", system, "--data", str(data), "--corpus", str(corpus)]
    if source is not None:
        args += ["--source", str(source)]
    log.info("ingest %s: %s", tag, system)
    res = run_worker(work, f"{tag}-{system}", args, what=f"{system} ingest ({tag})")
    if res.output.get("failed"):
        log.warning("%s ingest (%s): files failed: %s", system, tag, res.output["failed"])
    return res


def ingest_figures(r: ProcResult) -> dict[str, Any]:
    """What a `bench.workers ingest` child reported, with its wall, CPU and peak RSS from outside."""
    o = r.output
    return {
        "ingest_s": o["seconds"],
        "process_wall_s": r.wall_s,
        "cpu_s": r.cpu_s,
        "peak_rss_mib": r.max_rss_mib,
        "chunks": o["chunks"],
        "embedded": o["embedded"],
        "chunks_per_s": o["chunks"] / o["seconds"] if o["seconds"] else None,
        "embeddings_per_s": o["embeddings_per_s"],
    }


def _summary(r: ProcResult) -> dict[str, Any]:
    return {**ingest_figures(r), "model_load_s": r.output.get("load_s")}


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


FULL = (
    Spec(
        "full corpus, ingest wall (median of {n})",
        "ingest_s",
        "s",
        target="≤ 1.5× baseline",
        check=lambda x, y, r: r <= 1.5,
        note="excludes interpreter start + model load",
        paired=True,
    ),
    Spec("full corpus, whole process wall", "process_wall_s", "s", paired=True),
    Spec(
        "full corpus, process CPU (user+sys)",
        "cpu_s",
        "s",
        note="less sensitive to other jobs than wall time",
        paired=True,
    ),
    Spec("chunks", "chunks"),
    Spec("chunks/s (ingest wall)", "chunks_per_s"),
    Spec(
        "embeddings/s (embedding time only)",
        "embeddings_per_s",
        note="ours embeds heading path + text; baseline 1000-char windows",
    ),
    Spec("peak RSS during ingest", "peak_rss_mib", "MiB", **ours_under(3072, "3 GiB")),
)
REINGEST = (
    Spec("re-ingest unchanged: embedded", "embedded", target="ours = 0", check=lambda x, y, r: x == 0),
    Spec("re-ingest unchanged: wall", "ingest_s", "s"),
    Spec(
        "re-ingest speed-up vs full ingest",
        "speed_up",
        "×",
        target="ours ≥ 20×",
        check=lambda x, y, r: x >= 20,
        note="full ÷ re-ingest, each system against itself",
    ),
)
CHANGED = (
    Spec("one document changed ({doc}): embedded", "embedded"),
    Spec(
        "one document changed: wall",
        "ingest_s",
        "s",
        note="baseline rebuilds everything when its corpus fingerprint changes",
    ),
)


def _rows(result: BenchResult, full: dict, re_ingest: dict, changed: dict) -> None:
    o, b = full["ours"], full["baseline"]
    add_rows(result, SECTION, FULL, o, b, n=len(o))
    again = {}
    for system, runs in (("ours", o), ("baseline", b)):
        r = re_ingest[system]
        speed_up = (side_value(runs, "ingest_s") or 0) / r["ingest_s"] if r["ingest_s"] else None
        again[system] = {**r, "speed_up": speed_up}
    add_rows(result, SECTION, REINGEST, again["ours"], again["baseline"])
    add_rows(result, SECTION, CHANGED, changed["ours"], changed["baseline"], doc=CHANGED_DOC)
