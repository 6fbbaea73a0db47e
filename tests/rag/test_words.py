"""A question with nothing to search for (markup only, punctuation) is recognised without any model."""

from __future__ import annotations

import pytest

from rag.text.words import has_words


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "<SCRIPT src=x>alert('x')", "<b></b><i> </i>", "???", " ...!? ", "", "—"],
)
def test_no_words(text: str) -> None:
    assert not has_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "What does Article 5 prohibit?",
        "<b>When</b> was the AI Safety Institute set up?",
        "EO 14110?",
        "5?",
        "AI",
        "広島AIプロセスとは?",
        "<script>x</script> what is GPAI?",
    ],
)
def test_words(text: str) -> None:
    assert has_words(text)
