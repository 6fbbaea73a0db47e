"""`policyqa ask "question"`: stream the answer, then the numbered sources."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.panel import Panel

from cli.common import console, fail, load_settings
from rag.answerers.registry import MODE_NAMES
from rag.core.errors import one_line
from rag.core.models import Answer, Filters
from ui.question import QuestionError, QuestionLimits, QuestionRequest


def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    mode: Annotated[
        str | None,
        typer.Option("--mode", "-m", help=f"{' | '.join(MODE_NAMES)} (default: POLICYQA_MODE)."),
    ] = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Restrict to these document ids (repeatable).")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", "-k", help="Number of sources.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result model as JSON.")] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Print the trace: each stage's query, passages, scores and decisions."
        ),
    ] = False,
) -> None:
    """Answer a question from the indexed corpus, with verified citations."""
    settings = load_settings()
    limits = QuestionLimits.of(settings, modes=MODE_NAMES, top_k_name="--top-k")
    try:
        QuestionRequest.checked(limits, question=question, mode=mode, top_k=top_k)
    except QuestionError as exc:
        fail(str(exc), code=2)

    from rag.chain import AskRequest
    from rag.container import Services

    services = Services(settings)
    try:
        if services.index.count() == 0:
            fail("the index is empty; run `policyqa ingest` first")
        chain = services.chain
    except typer.Exit:
        raise
    except Exception as exc:
        fail(one_line(exc))
    filters = Filters(doc_ids=doc) if doc else None
    req = AskRequest(question=question, mode=mode, top_k=top_k, filters=filters)
    exporter = None
    if explain:
        from rag.tracing import recording_tracer

        tracer, exporter = recording_tracer()
        chain = chain.model_copy(update={"tracer": tracer})
    result: Answer | None = None
    for item in chain.stream(req):
        if isinstance(item, Answer):
            result = item
        elif not as_json:
            sys.stdout.write(item)
            sys.stdout.flush()
    assert result is not None
    if exporter is not None:
        from cli.trace_view import trace_tree

        console.print(trace_tree(exporter.get_finished_spans()))
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    sys.stdout.write("\n")
    if result.mode != "extractive" or result.warnings:
        console.print(Panel(result.answer, title="verified answer", border_style="green"))
    for w in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {w}")
    console.print("\n[bold]Sources[/bold]")
    cited = {c.n for c in result.citations}
    for s in result.sources:
        mark = "*" if s.n in cited else " "
        console.print(
            f"{mark}[{s.n}] {s.section} — {s.title} ({s.publisher}, {s.date})  {s.url}", highlight=False
        )
