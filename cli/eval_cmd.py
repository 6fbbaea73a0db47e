"""`policyqa eval`: grounding evaluation on the question set, optionally beside the naive baseline."""

from __future__ import annotations

import typer

from cli.common import fail, load_settings


def eval_(
    split: str = typer.Option("test", "--set", help="dev | test | all"),
    mode: str = typer.Option(None, "--mode", help="Answer mode (default: POLICYQA_MODE)."),
    k: int = typer.Option(5, "--k", help="Sources per question."),
    baseline: bool = typer.Option(
        False, "--baseline", help="Also run the naive LangChain RAG on the same questions."
    ),
    limit: int = typer.Option(None, "--limit", help="Only the first N questions."),
    questions: str = typer.Option(
        "v1", "--questions", help="v1 (the first set) | users (written as people ask) | ja (Japanese) | all"
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
