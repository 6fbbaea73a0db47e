"""Custom Prometheus metrics, next to the HTTP ones from prometheus-fastapi-instrumentator.

Defined once at import time on the default registry: the factory may build several apps in one
process (tests), and a second registration of the same name would raise. With several uvicorn workers,
set PROMETHEUS_MULTIPROC_DIR so that /metrics aggregates all of them.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from rag.core.models import Answer

STAGE_SECONDS = Histogram(
    "policyqa_stage_seconds",
    "Latency of each chain stage (from Answer.timings_ms).",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
ANSWERS = Counter(
    "policyqa_answers_total", "Answers returned, by answer mode and channel.", ["mode", "channel"]
)
ABSTENTIONS = Counter("policyqa_abstentions_total", "Answers that abstained, by answer mode.", ["mode"])
ANSWER_WARNINGS = Counter(
    "policyqa_answer_warnings_total", "Answers that carried warnings (e.g. a backend fell back).", ["mode"]
)
REJECTED = Counter("policyqa_rejected_total", "Ask requests turned away before generation.", ["reason"])
FEEDBACK = Counter("policyqa_feedback_total", "Thumbs up/down given in the chat UI.", ["rating"])


def observe_answer(answer: Answer, channel: str) -> None:
    for stage, ms in answer.timings_ms.items():
        STAGE_SECONDS.labels(stage=stage).observe(max(ms, 0.0) / 1000.0)
    ANSWERS.labels(mode=answer.mode, channel=channel).inc()
    if answer.abstained:
        ABSTENTIONS.labels(mode=answer.mode).inc()
    if answer.warnings:
        ANSWER_WARNINGS.labels(mode=answer.mode).inc()
