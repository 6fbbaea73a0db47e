"""OpenTelemetry spans for each stage of an answer, carrying what explains it: the searched query, the
passages found with their scores, the sentences chosen, the abstention signals.

Off by default: with no exporter configured the chain gets the global tracer, a no-op unless the host
process installed an OpenTelemetry SDK of its own. `POLICYQA_OTEL_EXPORTER=console` prints spans;
`otlp` sends them to `OTEL_EXPORTER_OTLP_ENDPOINT` (Jaeger, Tempo, Phoenix, Langfuse).

An answer is a generator that yields to the web server between deltas, and the server may resume it on
another thread. So the request's root span is never made current across a yield: each stage attaches
it only for its own synchronous block (`RequestTrace.stage`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import context, trace
from opentelemetry.trace import Span, Tracer

from rag.citations.support import clip
from rag.core.models import Answer
from rag.core.settings import Settings

if TYPE_CHECKING:
    from rag.evidence import Evidence
    from rag.reader.reader import Reading

log = logging.getLogger(__name__)

TRACER_NAME = "policyqa"
MAX_TEXT = 300  # characters of a question, query or draft kept in an attribute


def tracer_for(settings: Settings) -> Tracer:
    """The chain's tracer: our own provider when an exporter is configured, else the global one."""
    provider = tracer_provider(settings)
    return provider.get_tracer(TRACER_NAME) if provider is not None else trace.get_tracer(TRACER_NAME)


_PROVIDERS: dict[str, Any] = {}  # one provider per exporter kind and process: spans are not sent twice


def tracer_provider(settings: Settings) -> Any:
    """An SDK TracerProvider for `settings.otel_exporter` (None when tracing is off), made global so that
    the FastAPI instrumentation's request spans and ours share one trace."""
    kind = settings.otel_exporter
    if not kind:
        return None
    if kind in _PROVIDERS:
        return _PROVIDERS[kind]
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    if kind == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:  # the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT and the other standard variables itself
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _PROVIDERS[kind] = provider
    log.info("tracing on: %s exporter", kind)
    return provider


class RequestTrace:
    """The root span of one request and its stages."""

    def __init__(self, tracer: Tracer, question: str, mode: str) -> None:
        self.tracer = tracer
        self.root = tracer.start_span(
            "policyqa.answer", attributes={"question": clip(question, MAX_TEXT), "mode": mode}
        )
        self._ctx = trace.set_span_in_context(self.root)

    @contextmanager
    def stage(self, name: str, **attributes: Any) -> Iterator[Span]:
        """A child span of the root, current for the block: spans opened inside it (retrieval's own)
        nest under it. The block must not yield to the caller."""
        token = context.attach(self._ctx)
        try:
            with self.tracer.start_as_current_span(name, attributes=_clean(attributes)) as span:
                yield span
        finally:
            context.detach(token)

    def open(self, name: str, **attributes: Any) -> Span:
        """A child span that stays open across yields (generation): end it yourself."""
        return self.tracer.start_span(name, context=self._ctx, attributes=_clean(attributes))

    def end(self, answer: Answer | None) -> None:
        record(self.root, answer_attributes, answer)
        self.root.end()


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    """OpenTelemetry takes str, bool, int, float and sequences of one of them; None is left out."""
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, str | bool | int | float):
            out[key] = value
        elif isinstance(value, Sequence):
            out[key] = [v if isinstance(v, str | bool | int | float) else str(v) for v in value]
        else:
            out[key] = str(value)
    return out


def set_attributes(span: Span, **attributes: Any) -> None:
    if span.is_recording():
        span.set_attributes(_clean(attributes))


def record(span: Span, attributes: Callable[..., dict[str, Any]], *args: Any, **extra: Any) -> None:
    """`attributes(*args)` and `extra` on a recording span: with tracing off the span is a no-op one,
    and its attributes (clipped quotes, id lists) are never built."""
    if span.is_recording():
        span.set_attributes(_clean({**attributes(*args), **extra}))


def answer_attributes(answer: Answer | None) -> dict[str, Any]:
    """What the answer came to: abstained or not, its quotes and citations, its checks and warnings."""
    if answer is None:
        return {"answered": False}
    return {
        "abstained": answer.abstained,
        "confidence": answer.confidence,
        "cited": [c.chunk_id for c in answer.citations],
        "sentences": [clip(s.text, 160) for s in answer.sentences],
        "verified": [s.verified for s in answer.sentences],
        "checks": [f"{c.name}:{'pass' if c.passed else 'fail'}" for c in answer.checks],
        "warnings": answer.warnings,
    }


def abstention_attributes(
    evidence: Evidence, reading: Reading | None, missing: Sequence[str]
) -> dict[str, Any]:
    """The signals the abstention decision read (rag/reader/answerability.py)."""
    out: dict[str, Any] = {
        "evidence_strength": round(evidence.strength, 4),
        "clause_match": evidence.clause_match,
        "unmatched_names": list(missing),
    }
    if reading is not None:
        out.update(
            top_prob=round(reading.top_prob, 4),
            missing_subject_share=round(reading.missing_share, 4),
            top_similarity=None if reading.similarity is None else round(reading.similarity, 4),
            detail_missing=reading.detail_missing,
        )
    return out


def search_attributes(query: str, expansion: str, hits: Sequence[Any], n: int = 10) -> dict[str, Any]:
    """The searched query and the top hits (chunk id, fused score, dense and BM25 ranks)."""
    top = hits[:n]
    return {
        "query": clip(query, MAX_TEXT),
        "expansion": clip(expansion, MAX_TEXT),
        "hits": len(hits),
        "top_ids": [str(h.id) for h in top],
        "top_scores": [round(float(h.score), 4) for h in top],
        "top_dense_ranks": [-1 if h.dense_rank is None else int(h.dense_rank) for h in top],
        "top_bm25_ranks": [-1 if h.bm25_rank is None else int(h.bm25_rank) for h in top],
    }


def evidence_attributes(evidence: Evidence, reading: Reading | None, n: int = 5) -> dict[str, Any]:
    """The passages chosen to answer from, and the reader's best sentences with their probabilities."""
    out: dict[str, Any] = {
        "sources": [src.chunk_id for src in evidence.sources],
        "source_scores": [round(src.score, 4) for src in evidence.sources],
    }
    if reading is not None:
        best = reading.ranked[:n]
        out["best_sentences"] = [f"[{s.source_n}] {clip(s.text, 160)}" for _, s in best]
        out["best_probs"] = [round(p, 4) for p, _ in best]
    return out


def recording_tracer() -> tuple[Tracer, Any]:
    """A tracer whose finished spans stay in memory (`exporter.get_finished_spans()`), for
    `policyqa ask --explain` and the tests: no global provider is touched."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer(TRACER_NAME), exporter
