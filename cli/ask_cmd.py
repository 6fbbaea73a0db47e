"""`policyqa ask "question"`: stream the answer, then the numbered sources."""

from __future__ import annotations

import sys

import typer
from rich.panel import Panel

from cli.common import console, fail, load_settings
from rag.core.models import Answer, Filters


def ask(
    question: str = typer.Argument(..., help="The question."),
    mode: str = typer.Option(
        None, "--mode", "-m", help="extractive | local | openai (default: POLICYQA_MODE)."
    ),
    doc: list[str] = typer.Option(None, "--doc", help="Restrict to these document ids (repeatable)."),
    top_k: int = typer.Option(None, "--top-k", "-k", help="Number of sources."),
    as_json: bool = typer.Option(False, "--json", help="Print the result model as JSON."),
) -> None:
    """Answer a question from the indexed corpus, with verified citations."""
    settings = load_settings()
    if not question.strip():
        fail("the question is empty", code=2)
    if len(question) > settings.max_question_chars:
        fail(f"the question is longer than {settings.max_question_chars} characters", code=2)
    if mode and mode not in ("extractive", "local", "openai"):
        fail(f"unknown mode {mode!r}; use extractive, local or openai", code=2)
    if top_k is not None and not 1 <= top_k <= settings.max_top_k:
        fail(f"--top-k must be between 1 and {settings.max_top_k}", code=2)

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
        fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    req = AskRequest(question=question, mode=mode, top_k=top_k, filters=Filters(doc_ids=doc) if doc else None)
    result: Answer | None = None
    for item in chain.stream(req):
        if isinstance(item, Answer):
            result = item
        elif not as_json:
            sys.stdout.write(item)
            sys.stdout.flush()
    assert result is not None
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
