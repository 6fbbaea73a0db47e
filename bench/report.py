"""Result rows, the markdown table and the JSON/markdown files under bench/results/."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One line of the table. `passed` is None when the row has no target or could not be judged."""

    section: str
    metric: str
    ours: float | None = None
    baseline: float | None = None
    unit: str = ""
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""


@dataclass
class BenchResult:
    started: str
    args: dict[str, Any]
    machine: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def to_json(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "args": self.args,
            "machine": self.machine,
            "rows": [asdict(r) for r in self.rows],
            "details": self.details,
            "notes": self.notes,
        }


def fmt_value(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if unit in ("", "×") and v.is_integer():
        text = f"{int(v)}"
    elif abs(v) >= 100:
        text = f"{v:,.0f}"
    elif abs(v) >= 10:
        text = f"{v:.1f}"
    elif abs(v) >= 1:
        text = f"{v:.2f}"
    else:
        text = f"{v:.3f}"
    return f"{text} {unit}".strip() if unit and unit != "×" else text


def fmt_ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def fmt_pass(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: ""}[passed]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: list[Row]) -> str:
    """One table, sections in the order rows were added; ratio is ours / baseline."""
    head = "| section | metric | ours | baseline | ours/baseline | target | result | note |"
    sep = "|---|---|---:|---:|---:|---|---|---|"
    lines = [head, sep]
    for r in rows:
        cells = [
            r.section,
            r.metric,
            fmt_value(r.ours, r.unit),
            fmt_value(r.baseline, r.unit),
            fmt_ratio(r.ratio),
            r.target,
            fmt_pass(r.passed),
            r.note,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def markdown_report(result: BenchResult, profile_summary: str = "") -> str:
    m = result.machine
    parts = [
        f"# PolicyQA benchmark {result.started}",
        "",
        (
            f"Machine: {m.get('cores')} cores, {m.get('mem_gib')} GiB, load average at start {m.get('loadavg')}. "
            f"Arguments: `{json.dumps(result.args)}`."
        ),
        "",
        (
            "Ours and the naive baseline (RecursiveCharacterTextSplitter(1000, 200) + the same MiniLM + Chroma "
            "top-k) are measured in the same run, alternating; ratios are ours / baseline (below 1 is faster "
            "or smaller for times and memory, above 1 is better for hit@5)."
        ),
        "",
        markdown_table(result.rows),
    ]
    if result.notes:
        parts += ["", "## Notes", ""] + [f"- {n}" for n in result.notes]
    if profile_summary:
        parts += ["", "## Query-path profile (top hotspots)", "", "```", profile_summary.rstrip(), "```"]
    return "\n".join(parts) + "\n"


def write_result(
    result: BenchResult, stamp: str, profile_summary: str = "", root: Path = RESULTS_DIR
) -> tuple[Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    json_path = root / f"{stamp}.json"
    md_path = root / f"{stamp}.md"
    json_path.write_text(json.dumps(result.to_json(), indent=2, default=str), encoding="utf-8")
    md_path.write_text(markdown_report(result, profile_summary), encoding="utf-8")
    return json_path, md_path


def target_row(
    section: str,
    metric: str,
    ours: float | None,
    baseline: float | None,
    *,
    unit: str = "",
    target: str = "",
    check: Any = None,
    note: str = "",
    ratio: float | None = None,
) -> Row:
    """A row whose pass/fail is `check(ours, baseline, ratio)`; None when an input is missing."""
    from bench.stats import ratio as _ratio

    r = ratio if ratio is not None else _ratio(ours, baseline)
    passed: bool | None = None
    if check is not None:
        try:
            passed = bool(check(ours, baseline, r))
        except TypeError:  # a None input: cannot judge
            passed = None
    return Row(section, metric, ours, baseline, unit, r, target, passed, note)
