"""Writing an eval run: results.jsonl, summary.json, report.md and PNG charts, plus the Rich table.

Everything is derived from the per-question records and the summary dict that `summary.build_summary`
makes; nothing here computes a metric.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

log = logging.getLogger(__name__)

OURS, BASELINE = "policyqa", "baseline"
HEADLINE = [
    "hit_at_k",
    "accuracy",
    "citation_hit",
    "gold_citation_precision",
    "abstention_recall",
    "false_abstention",
]
SHORT = {
    "hit_at_k": "hit@k",
    "accuracy": "accuracy",
    "citation_hit": "cite hit",
    "gold_citation_precision": "cite prec",
    "abstention_recall": "abstain",
    "false_abstention": "false abst ↓",
}


def label(key: str, k: int) -> str:
    names = {
        "hit_at_1": "hit@1",
        "hit_at_k": f"hit@{k}",
        "recall_at_k": f"recall@{k}",
        "mrr": f"MRR@{k}",
        "doc_hit_at_k": f"doc hit@{k}",
        "accuracy": "answer accuracy",
        "correct": "correct (answer or abstain)",
        "citation_hit": "citation hit",
        "abstention_recall": "abstention recall",
        "false_abstention": "false-abstention rate (lower is better)",
        "gold_citation_precision": "citation precision (gold evidence)",
        "gold_citation_recall": "citation recall (gold evidence)",
        "citation_recall": "citation recall (our checker on our answers)",
        "citation_precision": "citation precision (our checker on our answers)",
        "citation_recall_llm": "citation recall (LLM judge)",
        "citation_precision_llm": "citation precision (LLM judge)",
    }
    return names.get(key, key)


def _fmt(v: float | None, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def _stat(summary: Mapping[str, Any], system: str, key: str, kind: str | None = None) -> Mapping[str, Any]:
    """One metric's entry (mean, n, ci95) for a system, overall or for one kind; empty when absent."""
    block = summary["metrics"].get(system)
    if not block:
        return {}
    scope = block["overall"] if kind is None else block["by_kind"].get(kind, {})
    return scope.get(key, {})


def _mean(summary: Mapping[str, Any], system: str, key: str, kind: str | None = None) -> float | None:
    return _stat(summary, system, key, kind).get("mean")


def _ci(summary: Mapping[str, Any], system: str, key: str, kind: str | None = None, digits: int = 3) -> str:
    """The 95% interval as "low–high" ("–" when the run predates intervals or has under two values)."""
    ci = _stat(summary, system, key, kind).get("ci95")
    return "–" if not ci else f"{ci[0]:.{digits}f}–{ci[1]:.{digits}f}"


def _n(summary: Mapping[str, Any], system: str, key: str, kind: str | None = None) -> int:
    return int(_stat(summary, system, key, kind).get("n") or 0)


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


def _calibration_section(cal: Mapping[str, Any]) -> list[str]:
    """The support checker (and LLM judge) against the labelled pairs of this split, per perturbation."""
    if not cal:
        return []
    out = [
        f"## Support checker on labelled pairs ({cal.get('pairs')}, {cal.get('split')} split, "
        f"n={cal.get('n')})",
        "",
        "'verified' counts as a positive: precision is the share of verified sentences that their passage "
        "really supports.",
        "",
        "| judge | perturbation | n | TP | FP | FN | TN | precision | recall |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for judge_name in ("checker", "llm"):
        for group, st in (cal.get(judge_name) or {}).items():
            out.append(
                f"| {judge_name} | {group} | {st['n']} | {st['tp']} | {st['fp']} | {st['fn']} | {st['tn']} "
                f"| {_fmt(st.get('precision'))} | {_fmt(st.get('recall'))} |"
            )
    if "inter_judge" in cal:
        out += ["", f"Checker vs LLM judge on the same pairs: {json.dumps(cal['inter_judge'])}"]
    return [*out, ""]


# -- files ----------------------------------------------------------------------------------------------
def write_results(path: Path, records: Sequence[Mapping[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_report(run_dir: Path, records: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    write_results(run_dir / "results.jsonl", records)
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    charts = write_charts(run_dir, records, summary)
    (run_dir / "report.md").write_text(render_markdown(summary, charts), encoding="utf-8")
    log.info("eval report written to %s", run_dir)
    return run_dir


def render_markdown(summary: Mapping[str, Any], charts: Sequence[str] = ()) -> str:
    k = summary["k"]
    systems = summary["systems"]
    has_base = BASELINE in systems
    out = [
        f"# PolicyQA eval — {summary['split']} split, {summary['mode']} mode, k={k}",
        "",
        (
            f"{summary['n_questions']} questions ({summary['n_answerable']} answerable, "
            f"{summary['n_unanswerable']} unanswerable); run {summary['created']}."
        ),
        "",
        (
            "Scores are means over the questions each metric applies to (n); the 95% CI is a seeded "
            "percentile bootstrap over those questions (`policyqa eval-compare A B` pairs two runs). "
            "Retrieval and citation-hit "
            "scores count a passage as holding the evidence when it contains a gold quote (normalised text). "
            "Citation precision/recall (gold evidence) ask whether the cited passages hold a gold quote: "
            "independent of the chain. The '(our checker on our answers)' rows are the chain's own "
            "SupportChecker judging its output, so they flatter PolicyQA; the checker's own precision and "
            "recall on labelled pairs is the table near the end."
        ),
        "",
        "## Overall",
        "",
    ]
    head = "| metric | PolicyQA | 95% CI | " + ("baseline | ratio | " if has_base else "") + "n |"
    out += [head, "|" + "---|" * (head.count("|") - 1)]
    for key in summary["metric_keys"]:
        ours = _mean(summary, OURS, key)
        row = f"| {label(key, k)} | {_fmt(ours)} | {_ci(summary, OURS, key)} | "
        if has_base:
            base = _mean(summary, BASELINE, key)
            row += f"{_fmt(base)} | {_ratio(ours, base)} | "
        out.append(row + f"{_n(summary, OURS, key)} |")

    out += ["", "## Per question kind", ""]
    for key in HEADLINE:
        out += [f"**{label(key, k)}**", ""]
        head = "| kind | n | PolicyQA | 95% CI | " + ("baseline | ratio |" if has_base else "")
        out += [head, "|" + "---|" * (head.count("|") - 1)]
        for kind in summary["kinds"]:
            n = _n(summary, OURS, key, kind)
            if not n:
                continue
            ours = _mean(summary, OURS, key, kind)
            row = f"| {kind} | {n} | {_fmt(ours)} | {_ci(summary, OURS, key, kind, 2)} | "
            if has_base:
                base = _mean(summary, BASELINE, key, kind)
                row += f"{_fmt(base)} | {_ratio(ours, base)} |"
            out.append(row)
        out.append("")

    out += _calibration_section(summary.get("judge_calibration") or {})
    out += ["## Latency (ms)", "", "| system | stage | n | p50 | p95 | mean |", "|---|---|---|---|---|---|"]
    for system in systems:
        for stage, st in (summary["latency_ms"].get(system) or {}).items():
            out.append(
                f"| {system} | {stage} | {st['n']} | {_fmt(st['p50'], 1)} | {_fmt(st['p95'], 1)} "
                f"| {_fmt(st['mean'], 1)} |"
            )
    out += ["", "End-to-end latency per kind (p50 / p95 ms):", ""]
    out += ["| kind | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    by_kind = summary.get("latency_ms_by_kind") or {}
    for kind in summary["kinds"]:
        cells = []
        for system in systems:
            total = (by_kind.get(system, {}).get(kind) or {}).get("total") or {}
            cells.append(f"{_fmt(total.get('p50'), 0)} / {_fmt(total.get('p95'), 0)}")
        out.append(f"| {kind} | " + " | ".join(cells) + " |")
    out.append("")

    misses = summary.get("retrieval_misses") or []
    out += [f"## PolicyQA retrieval misses (hit@{k} = 0): {len(misses)}", ""]
    for m in misses:
        got = ", ".join(f"{r['doc_id']} › {r['section'] or '?'}" for r in m["retrieved"])
        out.append(
            f"- `{m['id']}` ({m['kind']}) {m['question']} — gold {', '.join(m['gold_docs'])}; got: {got}"
        )
    out.append("")

    errors = summary.get("errors") or {}
    if any(errors.values()):
        out += ["## Errors", "", json.dumps(errors), ""]
    for c in charts:
        out += [f"![{c}]({c})", ""]
    return "\n".join(out)


# -- charts ---------------------------------------------------------------------------------------------
def write_charts(
    run_dir: Path, records: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]
) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is a dependency; the report still has tables
        log.warning("matplotlib unavailable; no charts")
        return []
    written = []
    k = summary["k"]
    systems = summary["systems"]
    kinds = ["overall", *summary["kinds"]]

    fig, axes = plt.subplots(len(HEADLINE), 1, figsize=(max(8, 1.1 * len(kinds) + 2), 2.6 * len(HEADLINE)))
    for ax, key in zip(axes, HEADLINE):
        width = 0.8 / len(systems)
        for i, system in enumerate(systems):
            vals = [_mean(summary, system, key, None if kind == "overall" else kind) for kind in kinds]
            xs = [x + i * width for x in range(len(kinds))]
            ax.bar(xs, [v if v is not None else 0 for v in vals], width=width, label=system)
        ax.set_title(label(key, k), fontsize=10)
        ax.set_ylim(0, 1.05)
        ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(kinds))])
        ax.set_xticklabels(kinds, fontsize=8, rotation=20)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(run_dir / "metrics_by_kind.png", dpi=110)
    plt.close(fig)
    written.append("metrics_by_kind.png")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    for system in systems:
        totals = [
            r["timings_ms"].get("total") for r in records if r["system"] == system and r.get("timings_ms")
        ]
        totals = [t for t in totals if t is not None]
        if totals:
            ax1.hist(totals, bins=30, alpha=0.6, label=system)
    ax1.set_xlabel("total ms per question")
    ax1.set_ylabel("questions")
    ax1.set_title("End-to-end latency")
    ax1.legend(fontsize=8)
    stages = [s for s in (summary["latency_ms"].get(OURS) or {}) if s != "total"]
    data = [
        [r["timings_ms"][s] for r in records if r["system"] == OURS and s in (r.get("timings_ms") or {})]
        for s in stages
    ]
    if stages:
        ax2.boxplot(data, showfliers=True)
        ax2.set_xticks(range(1, len(stages) + 1))
        ax2.set_xticklabels(stages)
        ax2.set_ylabel("ms")
        ax2.set_title("PolicyQA latency per stage")
    fig.tight_layout()
    fig.savefig(run_dir / "latency.png", dpi=110)
    plt.close(fig)
    written.append("latency.png")
    if _abstention_chart(run_dir, records, plt):
        written.append("abstention_curve.png")
    return written


def _abstention_chart(run_dir: Path, records: Sequence[Mapping[str, Any]], plt: Any) -> bool:
    """Missed and false abstentions of this run against a floor on the reader's confidence: where the
    floor chosen on dev (rag/data/reader.json) sits on this split. An answer the chain abstained on for
    another reason (a missing subject, an off-topic question) stays abstained along the whole curve."""
    ours = [r for r in records if r["system"] == OURS and r.get("answer")]
    if not any(r["answer"].get("confidence") is not None for r in ours):
        return False
    from rag.reader.model import load_reader

    run_floor = load_reader().abstention.min_answer_prob

    def abstains(r: Mapping[str, Any], floor: float) -> bool:
        conf = r["answer"].get("confidence")
        other_reason = r["answer"]["abstained"] and (conf is None or conf >= run_floor)
        return bool(other_reason) or (conf is not None and conf < floor)

    floors = [i / 200 for i in range(0, 61)]
    false, missed = [], []
    for t in floors:
        answerable = [abstains(r, t) for r in ours if r["answerable"]]
        unanswerable = [not abstains(r, t) for r in ours if not r["answerable"]]
        false.append(sum(answerable) / len(answerable) if answerable else 0.0)
        missed.append(sum(unanswerable) / len(unanswerable) if unanswerable else 0.0)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(floors, false, label="false abstention (answerable declined)")
    ax.plot(floors, missed, label="missed abstention (unanswerable answered)")
    ax.set_xlabel("floor on the reader's confidence")
    ax.set_ylabel("rate")
    ax.axvline(run_floor, color="grey", linestyle="--", label=f"floor chosen on dev {run_floor:.3f}")
    ax.set_title("Abstention against the confidence floor")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(run_dir / "abstention_curve.png", dpi=110)
    plt.close(fig)
    return True


# -- console --------------------------------------------------------------------------------------------
def print_summary(summary: Mapping[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    k = summary["k"]
    has_base = BASELINE in summary["systems"]
    t = Table(
        title=(
            f"PolicyQA eval: {summary['split']} split, {summary['mode']} mode "
            f"({summary['n_questions']} questions)"
        )
    )
    t.add_column("metric")
    t.add_column("PolicyQA", justify="right")
    t.add_column("95% CI", justify="right", no_wrap=True)
    if has_base:
        t.add_column("baseline", justify="right")
        t.add_column("ratio", justify="right")
    t.add_column("n", justify="right")
    for key in summary["metric_keys"]:
        ours = _mean(summary, OURS, key)
        row = [label(key, k), _fmt(ours), _ci(summary, OURS, key)]
        if has_base:
            base = _mean(summary, BASELINE, key)
            row += [_fmt(base), _ratio(ours, base)]
        t.add_row(*row, str(_n(summary, OURS, key)))
    console.print(t)

    kt = Table(title="Per question kind (PolicyQA / baseline)")
    kt.add_column("kind", no_wrap=True)
    kt.add_column("n", justify="right")
    for key in HEADLINE:
        kt.add_column(SHORT.get(key, key).replace("@k", f"@{k}"), justify="right", no_wrap=True)
    for kind in summary["kinds"]:
        row = [kind, str(summary["kind_counts"].get(kind, 0))]
        for key in HEADLINE:
            ours = _mean(summary, OURS, key, kind)
            cell = _fmt(ours, 2)
            if has_base:
                cell += " / " + _fmt(_mean(summary, BASELINE, key, kind), 2)
            row.append(cell)
        kt.add_row(*row)
    console.print(kt)
    checker = ((summary.get("judge_calibration") or {}).get("checker") or {}).get("all")
    if checker:
        console.print(
            f"support checker on {checker['n']} labelled {summary['judge_calibration'].get('split')} pairs: "
            f"precision {_fmt(checker['precision'])}, recall {_fmt(checker['recall'])}"
        )
    lat = summary["latency_ms"]
    for system in summary["systems"]:
        total = (lat.get(system) or {}).get("total")
        if total:
            console.print(f"{system} latency: p50 {_fmt(total['p50'], 0)} ms, p95 {_fmt(total['p95'], 0)} ms")
    console.print(f"report: {summary.get('report_dir', '')}")
