"""The answer cache: exact repeats over the same corpus only, bounded, and off at size 0."""

from __future__ import annotations

import pytest

from rag.answer_cache import AnswerCache
from rag.chain import AskRequest
from rag.core.models import Answer, ChatTurn


def answer(text: str) -> Answer:
    return Answer(answer=text, mode="extractive", question="q", standalone_question="q")


def test_the_key_changes_with_everything_an_answer_depends_on() -> None:
    req = AskRequest(question="When was the AI Safety Institute set up?")
    key = AnswerCache.key(req, "extractive", 5, "corpus-1")
    assert key == AnswerCache.key(req.model_copy(), "extractive", 5, "corpus-1")
    followup = req.model_copy(update={"history": [ChatTurn(role="user", content="Japan?")]})
    others = [
        AnswerCache.key(req, "extractive", 5, "corpus-2"),  # an ingest changed the store
        AnswerCache.key(req, "extractive", 8, "corpus-1"),
        AnswerCache.key(followup, "extractive", 5, "corpus-1"),
        AnswerCache.key(
            req.model_copy(update={"question": "When was it set up?"}), "extractive", 5, "corpus-1"
        ),
    ]
    assert key not in others and len(set(others)) == len(others)


def test_least_recently_used_goes_first_and_size_zero_stores_nothing() -> None:
    cache = AnswerCache(2)
    cache.put("a", answer("A"))
    cache.put("b", answer("B"))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", answer("C"))
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    off = AnswerCache(0)
    off.put("a", answer("A"))
    assert off.get("a") is None


@pytest.mark.slow
def test_a_repeated_question_is_answered_from_the_cache(services) -> None:  # type: ignore[no-untyped-def]
    chain = services.chain.model_copy(update={"cache": AnswerCache(8)})  # the test settings turn it off
    req = AskRequest(question="Is the OECD AI recommendation legally binding?", mode="extractive")
    first = chain.invoke(req)
    again = chain.invoke(req)
    assert "cache" in again.timings_ms and "cache" not in first.timings_ms
    assert again.model_dump(exclude={"timings_ms"}) == first.model_dump(exclude={"timings_ms"})
    again.citations.clear()  # what a caller does to its copy does not reach the stored one
    assert chain.invoke(req).citations
