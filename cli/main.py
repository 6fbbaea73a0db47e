"""`policyqa`: one Typer app, one module per command group."""

from __future__ import annotations

import logging

import typer

from rag.core.offline import apply_offline_env

apply_offline_env()  # before anything imports chromadb, gradio or transformers: no telemetry, no hub

from cli import ask_cmd, docs_cmd, eval_cmd, ingest_cmd, serve_cmd, train_cmd  # noqa: E402

app = typer.Typer(
    help="PolicyQA: cited answers over AI-governance texts.", no_args_is_help=True, add_completion=False
)
app.command("ingest")(ingest_cmd.ingest)
app.add_typer(docs_cmd.app, name="docs", help="List and remove indexed documents.")
app.command("ask")(ask_cmd.ask)
app.command("serve")(serve_cmd.serve)
app.command("eval")(eval_cmd.eval_)
app.command("eval-compare")(eval_cmd.compare)
app.command("train-reader")(train_cmd.train_reader)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at INFO level.")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


if __name__ == "__main__":  # pragma: no cover
    app()
