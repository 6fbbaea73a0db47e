"""Property-based fuzzing of every API operation from the app's own OpenAPI schema (in-process ASGI).

Positive cases (valid by the schema) must get documented statuses, content types and bodies;
negative cases (invalid by the schema) must never get a 5xx. Examples per operation: --fuzz-examples.
"""

from __future__ import annotations

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
    ("GET", "/api/chunks/{chunk_id}"),
    ("GET", "/documents/{doc_id}"),
]


@pytest.fixture(scope="module")
def api_schema(settings, services):  # type: ignore[no-untyped-def]
    from ui.app import create_app

    # An app of its own: schemathesis runs the lifespan on its own event-loop thread for the whole process.
    app = create_app(settings, services)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    assert app.state.policyqa.wait_ready(120)
    return schema


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
        case.call_and_validate(checks=checks)

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
