"""Property-based fuzzing of every API operation from the app's own OpenAPI schema (in-process ASGI).

Positive cases (valid by the schema) must get documented statuses, content types and bodies;
negative cases (invalid by the schema) must never get a 5xx. Examples per operation: --fuzz-examples.
Every call is counted by status; the totals go to the log and to tests/artifacts/fuzz-summary.json.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)
SUMMARY = Path(__file__).resolve().parents[1] / "artifacts" / "fuzz-summary.json"

OPERATIONS = [
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/api/ask"),
    ("POST", "/api/ask/stream"),
    ("GET", "/v1/models"),
    ("POST", "/v1/chat/completions"),
    ("GET", "/api/documents"),
    ("POST", "/api/documents"),
    ("GET", "/api/documents/{doc_id}"),
    ("DELETE", "/api/documents/{doc_id}"),
    ("POST", "/api/ingest"),
    ("GET", "/api/ingest"),
    ("GET", "/api/chunks/{chunk_id}"),
    ("GET", "/documents/{doc_id}"),
    ("GET", "/api/answers/{answer_id}"),
    ("GET", "/api/answers/{answer_id}/markdown"),
    ("DELETE", "/api/answers/{answer_id}"),
    ("GET", "/api/conversation"),
    ("DELETE", "/api/conversation"),
    ("GET", "/a/{answer_id}"),
    ("GET", "/api/timeline"),
    ("GET", "/timeline"),
]


@pytest.fixture(scope="module")
def api_schema(settings, services):  # type: ignore[no-untyped-def]
    from ui.app import create_app

    # An app of its own: schemathesis runs the lifespan on its own event-loop thread for the whole process.
    app = create_app(settings, services)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    assert app.state.policyqa.wait_ready(120)
    return schema


# (mode, "METHOD path", status) -> calls, for the whole module.
CALLS: Counter[tuple[str, str, int]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def fuzz_summary(fuzz_examples: int) -> Iterator[None]:
    yield
    if not CALLS:
        return
    server_errors = sum(n for (_, _, status), n in CALLS.items() if status >= 500)
    by_status = Counter[int]()
    for (_, _, status), n in CALLS.items():
        by_status[status] += n
    summary = {
        "examples_per_operation_and_mode": fuzz_examples,
        "calls": sum(CALLS.values()),
        "server_errors": server_errors,
        "by_status": {str(k): v for k, v in sorted(by_status.items())},
        "by_operation": {
            f"{mode} {op}": dict(
                sorted({str(st): n for (m, o, st), n in CALLS.items() if (m, o) == (mode, op)}.items())
            )
            for mode, op in sorted({(m, o) for m, o, _ in CALLS})
        },
    }
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps(summary, indent=2))
    log.warning(
        "schemathesis: %d calls, %d with a 5xx; by status %s",
        summary["calls"],
        server_errors,
        summary["by_status"],
    )


def test_every_operation_is_fuzzed(api_schema) -> None:  # type: ignore[no-untyped-def]
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


def _run(operation, mode: GenerationMode, examples: int, checks: list) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy(generation_mode=mode))
    @hsettings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,  # reproducible in CI; raise --fuzz-examples to explore further
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call()
        CALLS[(mode.value, f"{operation.method.upper()} {operation.path}", response.status_code)] += 1
        case.validate_response(response, checks=checks)

    check()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_positive_cases_conform(api_schema, fuzz_examples: int, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    operation = api_schema[path][method]
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    _run(operation, GenerationMode.POSITIVE, fuzz_examples, checks)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_negative_cases_never_5xx(api_schema, fuzz_examples: int, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    if path in ("/healthz", "/readyz", "/v1/models", "/api/documents") and method == "GET":
        pytest.skip("no parameters or body: nothing to make invalid")
    _run(api_schema[path][method], GenerationMode.NEGATIVE, fuzz_examples, [not_a_server_error])
