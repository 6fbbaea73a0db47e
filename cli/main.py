"""`policyqa`: one Typer app, one module per command group."""

from __future__ import annotations

import logging
import os

import typer

from cli import ask_cmd, docs_cmd, eval_cmd, ingest_cmd, serve_cmd

# Set before anything imports chromadb, gradio or transformers: no telemetry, no hub.
for key, value in {
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}.items():
    os.environ.setdefault(key, value)

app = typer.Typer(help="PolicyQA: cited answers over AI-governance texts.", no_args_is_help=True, add_completion=False)
app.command("ingest")(ingest_cmd.ingest)
app.add_typer(docs_cmd.app, name="docs", help="List and remove indexed documents.")
app.command("ask")(ask_cmd.ask)
app.command("serve")(serve_cmd.serve)
app.command("eval")(eval_cmd.eval_)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at INFO level.")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


if __name__ == "__main__":  # pragma: no cover
    app()
