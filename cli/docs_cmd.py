"""`policyqa docs list|rm`: what the index holds."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.common import console, fail, load_settings

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_docs(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List indexed documents with their provenance and chunk counts."""
    from rag.container import open_index

    index = open_index(load_settings(), with_embeddings=False)
    docs = index.documents()
    if as_json:
        import json

        console.print_json(json.dumps([{**m.model_dump(), "chunks": n} for m, n in docs]))
        return
    table = Table(title=f"{len(docs)} documents")
    for col in ("id", "title", "publisher", "date", "chunks"):
        table.add_column(col, overflow="fold")
    for meta, n in docs:
        table.add_row(meta.doc_id, meta.title, meta.publisher, meta.date, str(n))
    console.print(table)


@app.command("rm")
def remove(doc_id: str = typer.Argument(..., help="Document id, as shown by `policyqa docs list`.")) -> None:
    """Remove a document and all its chunks from the index."""
    from rag.container import open_index

    index = open_index(load_settings(), with_embeddings=False)
    if doc_id not in index.document_ids():
        fail(f"no document with id {doc_id!r}", code=2)
    n = index.remove_document(doc_id)
    console.print(f"removed {doc_id} ({n} chunks)")
