"""The naive baseline as a tutorial would serve it: FastAPI + the same MiniLM + Chroma top-k + an answerer.

Used as the yardstick for end-to-end latency, served memory and cold start. It answers with the
question as asked, no verification and no abstention (that is the baseline's design, see
evals/baseline.py). The models load before the server accepts connections, so /readyz is simply
"the process answers", the usual tutorial shape.

    python -m bench.baseline_app serve --port 8123
    python -m bench.baseline_app ask "What does Article 5 prohibit?"
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)

K = 5


class Body(BaseModel):
    # Module level: FastAPI resolves the (postponed) annotation `body: Body` in the module's globals.
    question: str
    mode: str = "extractive"
    history: list[Any] = []
    top_k: int | None = None


class NaiveService:
    def __init__(self) -> None:
        from evals.baseline import NaiveRAG
        from rag.container import Services
        from rag.core.settings import Settings

        self.services = Services(Settings())
        self.naive = NaiveRAG(self.services)
        self.naive.embeddings.embed_query("warm-up")

    def stream(self, question: str, mode: str = "extractive") -> Iterator[str | dict[str, Any]]:
        """Text deltas, then a final dict with the answer and its sources."""
        from rag.answerers.extractive import ExtractiveAnswerer

        sources = self.naive.retrieve(question, K)
        answerer = self.services.answerer(mode) if mode != "extractive" else None
        parts: list[str] = []
        for delta in (answerer or ExtractiveAnswerer()).stream(question, sources):
            parts.append(delta)
            yield delta
        yield {"answer": "".join(parts), "mode": mode, "sources": [s.model_dump() for s in sources]}


def create_app():  # type: ignore[no-untyped-def]
    from fastapi import FastAPI
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import StreamingResponse

    svc = NaiveService()
    app = FastAPI(title="naive baseline")

    def answer(body: Body) -> dict[str, Any]:
        final: dict[str, Any] = {}
        for item in svc.stream(body.question, body.mode):
            if isinstance(item, dict):
                final = item
        return final

    @app.get("/readyz")
    def readyz() -> dict[str, Any]:
        return {"ready": True}

    @app.post("/api/ask")
    async def ask(body: Body) -> dict[str, Any]:
        return await run_in_threadpool(answer, body)

    @app.post("/api/ask/stream")
    def ask_stream(body: Body) -> StreamingResponse:
        def events() -> Iterator[str]:
            for item in svc.stream(body.question, body.mode):
                if isinstance(item, dict):
                    yield f"event: result\ndata: {json.dumps(item)}\n\n"
                else:
                    yield f"event: delta\ndata: {json.dumps({'text': item})}\n\n"
            yield "event: done\ndata: {}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="bench.baseline_app")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8123)
    a = sub.add_parser("ask")
    a.add_argument("question")
    a.add_argument("--mode", default="extractive")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        import uvicorn

        uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning")
    else:
        for item in NaiveService().stream(args.question, args.mode):
            if isinstance(item, str):
                sys.stdout.write(item)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
