"""Result rows, the markdown table and the JSON/markdown files under bench/results/."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import stats

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
            f"Machine: {m.get('cores')} cores, {m.get('mem_gib')} GiB, "
            f"load average at start {m.get('loadavg')}. Arguments: `{json.dumps(result.args)}`."
        ),
        "",
        (
            "Ours and the naive baseline (RecursiveCharacterTextSplitter(1000, 200) + the same MiniLM + "
            "Chroma top-k) are measured in the same run, alternating; ratios are ours / baseline (below 1 is "
            "faster or smaller for times and memory, above 1 is better for hit@5)."
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
    r = ratio if ratio is not None else stats.ratio(ours, baseline)
    passed: bool | None = None
    if check is not None:
        try:
            passed = bool(check(ours, baseline, r))
        except TypeError:  # a None input: cannot judge
            passed = None
    return Row(section, metric, ours, baseline, unit, r, target, passed, note)


# -- rows as data -------------------------------------------------------------------------------------------
Check = Callable[[Any, Any, Any], bool]
# One system's figures: a dict of them, or a list of runs (dicts) whose median is taken per key.
Side = Mapping[str, Any] | Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Spec:
    """One row of the table as data. `metric` and `note` are str.format templates over the fields given
    to `add_rows`; `key` names the figure read from each side."""

    metric: str
    key: str
    unit: str = ""
    target: str = ""
    check: Check | None = None
    note: str = ""
    paired: bool = False  # sides are lists of runs: the ratio is the median of run-by-run ratios


def ours_under(limit: float, label: str) -> dict[str, Any]:
    """A Spec's target and check for a figure of ours that must stay under `limit` ("ours < label")."""
    return {"target": f"ours < {label}", "check": lambda x, y, r: x < limit}


def side_value(side: Side, key: str) -> float | None:
    """The figure `key` of one side: read from a dict, or the median over runs that have it."""
    if isinstance(side, Mapping):
        return side.get(key)
    values = [r[key] for r in side if r.get(key) is not None]
    return stats.median(values) if values else None


def add_rows(
    result: BenchResult, section: str, specs: Sequence[Spec], ours: Side, baseline: Side, **fields: Any
) -> None:
    """The generic row builder: one `target_row` per spec, ours against the baseline."""
    for s in specs:
        paired = None
        if s.paired:
            assert not isinstance(ours, Mapping) and not isinstance(baseline, Mapping)
            paired = stats.median(stats.pair_ratios([r[s.key] for r in ours], [r[s.key] for r in baseline]))
        result.add(
            target_row(
                section,
                s.metric.format(**fields),
                side_value(ours, s.key),
                side_value(baseline, s.key),
                unit=s.unit,
                target=s.target,
                check=s.check,
                note=s.note.format(**fields),
                ratio=paired,
            )
        )
