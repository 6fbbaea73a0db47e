"""`policyqa ingest [PATH|URL ...]`: Rich progress while documents are indexed, then a summary table."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import console, fail, load_settings
from ingest.pipeline import FileResult, IngestReport, is_stale
from ingest.pipeline import ingest as run_ingest
from rag.core.settings import Settings


def ingest(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders or http(s) URLs. Default: the corpus/ folder."),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove indexed documents that are not among SOURCES.")
    ] = False,
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Do nothing when the index is already up to date.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Read and check every document even when the sources are unchanged."),
    ] = False,
) -> None:
    """Load, clean, chunk, embed and index documents into Chroma (incremental and idempotent)."""
    settings = load_settings()
    srcs = list(sources) if sources else [str(settings.corpus_dir)]
    if if_stale and not is_stale(settings, srcs):
        console.print("Index is up to date; nothing to ingest.")
        return

    from rag.container import open_index  # heavy imports only when there is work to do

    try:
        index = open_index(settings)
    except Exception as exc:
        fail(str(exc))
    report = _run_with_progress(srcs, settings, index, prune, force)
    _print_summary(report, index.count())
    if report.failed:
        raise typer.Exit(1)


def _run_with_progress(
    srcs: list[str], settings: Settings, index: Any, prune: bool, force: bool
) -> IngestReport:
    from ingest.pipeline import expand_sources

    paths, missing = expand_sources(srcs)
    emb = index.embeddings
    start_count, t0 = getattr(emb, "docs_embedded", 0), time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[chunks]} chunks · {task.fields[rate]:.1f} emb/s"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("documents", total=len(paths) + len(missing), chunks=0, rate=0.0)
        total_chunks = 0

        def on_file(res: FileResult) -> None:
            nonlocal total_chunks
            total_chunks += res.chunks
            done = getattr(emb, "docs_embedded", 0) - start_count
            rate = done / max(time.perf_counter() - t0, 1e-6)
            bar.update(task, advance=1, chunks=total_chunks, rate=rate, description=res.doc_id or res.source)

        report = run_ingest(srcs, settings, index, prune=prune, force=force, progress=on_file)
        bar.update(task, completed=len(paths) + len(missing), description="documents")
    return report


def _print_summary(report: IngestReport, total_in_store: int) -> None:
    table = Table(title="Ingest summary", show_lines=False)
    for col in ("document", "status", "chunks", "embedded", "deleted", "reason"):
        table.add_column(col)
    colors = {"failed": "red", "added": "green", "updated": "yellow", "removed": "magenta"}
    for f in report.files:
        c = colors.get(f.status, "")
        status = f"[{c}]{f.status}[/{c}]" if c else f.status
        table.add_row(f.doc_id or f.source, status, str(f.chunks), str(f.embedded), str(f.deleted), f.reason)
    console.print(table)
    console.print(
        f"{len(report.files)} files · {report.chunks} chunks · {report.embedded} new embeddings "
        f"({report.embeddings_per_s:.1f}/s) · {report.sentences_embedded} sentences embedded "
        f"({report.sentence_seconds:.1f} s) · {len(report.failed)} failed · "
        f"{total_in_store} chunks in store · "
        f"{report.seconds:.1f} s" + (f" · repaired {report.repaired}" if report.repaired else "")
    )
