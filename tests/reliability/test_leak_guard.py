"""The draft guard on its own: however a leaking draft is cut into deltas, no run of the prompt gets out,
and ordinary drafts pass through whole."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from rag.abstention import MODEL_ABSTAIN_TEXT as ABSTAIN_TEXT
from rag.prompting import SYSTEM_PROMPT
from ui.leak_guard import DraftGuard, has_prompt_run

ORDINARY = (
    "On 14 February 2024 the Japan AI Safety Institute was established [1]. It evaluates AI safety "
    "methods with domestic and foreign agencies [1][2]. "
)


def cut(text: str, points: list[int]) -> list[str]:
    edges = sorted({0, len(text), *(p % (len(text) + 1) for p in points)})
    return [text[a:b] for a, b in itertools.pairwise(edges)]


def stream(parts: list[str]) -> tuple[str, DraftGuard]:
    guard = DraftGuard()
    out = "".join(guard.feed(p) for p in parts) + guard.flush()
    return out, guard


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=40),
    st.sampled_from(["", "Sure! ", ORDINARY]),
)
def test_a_leaking_draft_never_releases_a_prompt_run(points: list[int], prefix: str) -> None:
    text = prefix + SYSTEM_PROMPT
    out, guard = stream(cut(text, points))
    assert guard.tripped
    assert not has_prompt_run(out)
    assert text.startswith(out)  # what was released is a clean prefix, nothing reordered


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=40))
def test_ordinary_drafts_and_the_abstention_pass_whole(points: list[int]) -> None:
    for text in (ORDINARY, ABSTAIN_TEXT, ORDINARY + ABSTAIN_TEXT):
        out, guard = stream(cut(text, points))
        assert out == text and not guard.tripped
