"""The mounted chat UI through gradio_client: the named `/ask` endpoint over the real server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

QUESTION = "What are the four functions of the NIST AI Risk Management Framework?"


@pytest.fixture(scope="module")
def gradio(live_server: str):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    return Client(f"{live_server}/", verbose=False)


def test_api_lists_only_the_named_endpoint(gradio) -> None:  # type: ignore[no-untyped-def]
    info = gradio.view_api(print_info=False, return_format="dict")
    assert list(info["named_endpoints"]) == ["/ask"]
    assert not info["unnamed_endpoints"]


def test_ask_endpoint(gradio) -> None:  # type: ignore[no-untyped-def]
    answer = gradio.predict(question=QUESTION, api_name="/ask")
    assert not answer["abstained"]
    assert "GOVERN" in answer["answer"] and "[1]" in answer["answer"]
    assert answer["citations"][0]["title"] and answer["citations"][0]["quote"]


def test_ask_endpoint_with_filter_and_mode(gradio) -> None:  # type: ignore[no-untyped-def]
    answer = gradio.predict(
        question="Which AI practices are prohibited?",
        doc_ids=["eu-ai-act-regulation-2024-1689"],
        mode="extractive",
        api_name="/ask",
    )
    assert answer["mode"] == "extractive"
    assert {s["doc_id"] for s in answer["sources"]} == {"eu-ai-act-regulation-2024-1689"}


def test_ask_endpoint_rejects_empty_question(gradio) -> None:  # type: ignore[no-untyped-def]
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="must not be empty"):
        gradio.predict(question="   ", api_name="/ask")
