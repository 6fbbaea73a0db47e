"""`policyqa eval`: grounding evaluation on the question set, optionally beside the naive baseline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from cli.common import console, fail, load_settings

if TYPE_CHECKING:
    from evals.uncertainty import PairedChange


def eval_(
    split: str = typer.Option("test", "--set", help="dev | test | all"),
    mode: str = typer.Option(None, "--mode", help="Answer mode (default: POLICYQA_MODE)."),
    k: int = typer.Option(5, "--k", help="Sources per question."),
    baseline: bool = typer.Option(
        False, "--baseline", help="Also run the naive LangChain RAG on the same questions."
    ),
    limit: int = typer.Option(None, "--limit", help="Only the first N questions."),
    questions: str = typer.Option(
        "v1",
        "--questions",
        help="v1 (the first set) | users (written as people ask) | ja (Japanese) | probes (answerability"
        " probes) | all",
    ),
    english_twins: bool = typer.Option(
        False, "--english-twins", help="Ask each question's English twin instead (the ja set has them)."
    ),
    cross_fitted: bool = typer.Option(
        False,
        "--cross-fitted",
        help="Dev only: answer each question with the query adapter and reader fitted without its document.",
    ),
) -> None:
    """Run the real pipeline on the question set and write a report under evals/reports/."""
    from evals.dataset import QUESTION_SETS
    from evals.runner import run_eval

    settings = load_settings()
    if split not in ("dev", "test", "all"):
        fail("--set must be dev, test or all", code=2)
    if questions not in QUESTION_SETS:
        fail(f"--questions must be one of {', '.join(QUESTION_SETS)}", code=2)
    if cross_fitted and split != "dev":
        fail("--cross-fitted is for the dev split, the adapter's and reader's training data", code=2)
    run_eval(
        settings,
        split=split,
        mode=mode or settings.mode,
        k=k,
        baseline=baseline,
        limit=limit,
        questions_paths=QUESTION_SETS[questions],
        english_twins=english_twins,
        cross_fitted=cross_fitted,
    )


def compare(
    run_a: str = typer.Argument(..., help="The run before the change: a report folder or its name."),
    run_b: str = typer.Argument(..., help="The run after it, over the same questions."),
    kinds: bool = typer.Option(True, "--kinds/--no-kinds", help="Also show accuracy per question kind."),
    json_out: Path = typer.Option(None, "--json", help="Also write the comparison as JSON to this file."),
) -> None:
    """Pair two eval runs question by question: each change with its 95% interval and McNemar p."""
    from evals.compare import CompareError, compare_runs, resolve_run
    from evals.report import SHORT

    try:
        result = compare_runs(resolve_run(run_a), resolve_run(run_b))
    except (CompareError, OSError, KeyError) as exc:
        fail(str(exc), code=2)
    note = f"{result.n_common} questions in both runs"
    if result.only_a or result.only_b:
        note += f" ({result.only_a} only in A, {result.only_b} only in B: left out)"
    console.print(note)
    rows = [(SHORT.get(c.metric, c.metric), c) for c in result.overall]
    console.print(_changes_table(f"{result.run_a} → {result.run_b}", "metric", rows))
    if kinds:
        per_kind = [(kind, c) for kind, cs in result.by_kind.items() for c in cs if c.metric == "accuracy"]
        console.print(_changes_table("answer accuracy per kind", "kind", per_kind))
    if json_out:
        json_out.write_text(result.model_dump_json(indent=2), encoding="utf-8")


def _changes_table(title: str, first: str, rows: list[tuple[str, PairedChange]]) -> Table:
    caption = "+/−: questions gained / lost; p: exact McNemar; * the interval excludes 0"
    t = Table(title=title, caption=caption)
    for col in (first, "n", "A", "B", "B−A", "95% CI", "+/−", "p"):
        t.add_column(col, justify="left" if col == first else "right", no_wrap=True)
    for name, c in rows:
        interval = "—" if c.low is None else f"{c.low:+.3f}…{c.high:+.3f}"
        mark = " *" if c.significant else ""
        p = "—" if c.p_value is None else f"{c.p_value:.3f}"
        t.add_row(
            name, str(c.n), f"{c.mean_a:.3f}", f"{c.mean_b:.3f}", f"{c.diff:+.3f}{mark}", interval,
            f"{c.gained} / {c.lost}", p,
        )  # fmt: skip
    return t
