"""`policyqa train-reader`: fit the reader on the dev questions and write rag/data/reader.json."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from cli.common import fail, load_settings


def train_reader(
    out: Path = typer.Option(None, "--out", help="Model file (default: POLICYQA_READER_PATH)."),
    k: int = typer.Option(5, "--k", help="Passages whose sentences are candidates."),
    questions: str = typer.Option("all", "--questions", help="v1 | users | all (dev split only)"),
) -> None:
    """Deterministic: the same store and questions give a byte-identical file."""
    from evals.dataset import QUESTION_SETS, load_question_set
    from evals.train_reader import collect, plot_curve, train, write_model
    from rag.container import Services

    if questions not in QUESTION_SETS:
        fail(f"--questions must be one of {', '.join(QUESTION_SETS)}", code=2)
    settings = load_settings().model_copy(update={"reader": False})
    services = Services(settings)
    if not services.index.count():
        fail("the store is empty; run `policyqa ingest` first", code=1)
    dev = load_question_set(QUESTION_SETS[questions], "dev")
    console = Console()
    console.print(f"collecting candidate sentences for {len(dev)} dev questions…")
    data = collect(services.chain, dev, k)
    model, curve = train(data, trained_on=f"{questions}/dev ({len(dev)} questions, k={k})")
    path = out or settings.reader_path
    write_model(model, path)
    report = Path("evals/reports") / f"{time.strftime('%Y%m%d-%H%M%S')}-reader" / "abstention_curve.png"
    plot_curve(curve, model.abstention.min_answer_prob, report, "Answerability on dev (out of fold)")
    console.print(f"wrote {path} (data {model.data_sha256[:12]}); cross-validated on dev: {model.cv}")
    console.print(f"abstention curve: {report}")
