"""`policyqa train-reader`: fit the query adapter and the reader on the dev questions.

Writes rag/data/query_adapter.json, then rag/data/reader.json from candidates retrieved with the new
adapter (the reader must learn from the similarities it will see)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from cli.common import fail, load_settings


def train_reader(
    out: Path = typer.Option(None, "--out", help="Model file (default: POLICYQA_READER_PATH)."),
    adapter_out: Path = typer.Option(
        None, "--adapter-out", help="Query adapter file (default: POLICYQA_QUERY_ADAPTER_PATH)."
    ),
    k: int = typer.Option(5, "--k", help="Passages whose sentences are candidates."),
    questions: str = typer.Option("all", "--questions", help="v1 | users | all (dev split only)"),
) -> None:
    """Deterministic: the same store and questions give byte-identical files. With
    POLICYQA_QUERY_ADAPTER=false the reader is trained, and will answer, without the adapter."""
    from evals.dataset import QUESTION_SETS, EvalQuestion, load_question_set
    from evals.train_adapter import (
        collect_adapter_data,
        fold_of,
        question_group,
        train_adapter,
        write_adapter,
    )
    from evals.train_reader import collect, plot_curve, train, write_model
    from rag.container import Services
    from rag.retrieval.query_adapter import QueryAdapter

    if questions not in QUESTION_SETS:
        fail(f"--questions must be one of {', '.join(QUESTION_SETS)}", code=2)
    settings = load_settings().model_copy(update={"reader": False})
    dev = load_question_set(QUESTION_SETS[questions], "dev")
    console = Console()
    per_fold = None
    if settings.query_adapter:
        plain = Services(settings.model_copy(update={"query_adapter": False}))
        if not plain.index.count():
            fail("the store is empty; run `policyqa ingest` first", code=1)
        console.print(f"fitting the query adapter on {len(dev)} dev questions…")
        fitted, per_fold = train_adapter(
            collect_adapter_data(plain.chain, dev, k),
            trained_on=f"{questions}/dev ({len(dev)} questions, k={k})",
        )
        path = adapter_out or settings.query_adapter_path
        write_adapter(fitted, path)
        settings = settings.model_copy(update={"query_adapter_path": path})
        console.print(f"wrote {path} (data {fitted.data_sha256[:12]}); held-out documents: {fitted.cv}")
    services = Services(settings)
    if not services.index.count():
        fail("the store is empty; run `policyqa ingest` first", code=1)
    console.print(f"collecting candidate sentences for {len(dev)} dev questions…")

    def adapter_for(q: EvalQuestion) -> QueryAdapter | None:
        return per_fold[fold_of(question_group(q))] if per_fold else None

    data = collect(services.chain, dev, k, adapter_for if per_fold else None, services.word_vectors)
    model, curve = train(data, f"{questions}/dev ({len(dev)} questions, k={k})", adapted=per_fold is not None)
    path = out or settings.reader_path
    write_model(model, path)
    report = Path("evals/reports") / f"{time.strftime('%Y%m%d-%H%M%S')}-reader" / "abstention_curve.png"
    plot_curve(curve, model.abstention.min_answer_prob, report, "Answerability on dev (out of fold)")
    console.print(f"wrote {path} (data {model.data_sha256[:12]}); cross-validated on dev: {model.cv}")
    console.print(f"abstention curve: {report}")
