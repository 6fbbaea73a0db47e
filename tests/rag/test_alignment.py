"""A sentence that restates one source sentence must agree with it where the two differ: the swaps that
a bag-of-words check misses because every word occurs somewhere in the passage."""

from __future__ import annotations

import pytest

from rag.citations.alignment import swapped_detail
from rag.citations.support import SupportChecker
from rag.retrieval.glossary import default_glossary

APPLICATION = (
    "It shall apply from 2 August 2026. However: (a) Chapters I and II shall apply from 2 February 2025; "
    "(b) Chapter III Section 4, Chapter V, Chapter VII and Chapter XII shall apply from 2 August 2025."
)
LUNAR = (
    "Today, we welcome the signing of a Lunar Surface Exploration Implementing Arrangement, in which Japan "
    "plans to provide and sustainably operate a pressurized rover, while the United States plans to "
    "allocate two astronaut opportunities to the lunar surface for Japan."
)
OECD = (
    "Decisions are adopted by Council and are legally binding on all Members except those which abstain. "
    "Recommendations are adopted by Council and are not legally binding. The OECD and the G7 cooperate."
)
PARTNERS = (
    "We applaud new AI research partnerships between the University of Washington and the University of "
    "Tsukuba and between Carnegie Mellon University and Keio University through funding from NVIDIA."
)
SUMMIT = (
    "We welcome the UK hosted AI Safety Summit. We reaffirm the importance of our close cooperation with "
    "the OECD and the Global Partnership on Artificial Intelligence (GPAI). The G7 will build on it."
)


@pytest.mark.parametrize(
    ("sentence", "passage", "said"),
    [
        ("Chapters I and II of the AI Act apply from 2 August 2025.", APPLICATION, "'August' where"),
        (
            "Under the arrangement, the United States plans to provide a pressurized rover, while Japan "
            "plans to allocate two astronaut opportunities.",
            LUNAR,
            "'United States' where it says 'Japan'",
        ),
        ("Recommendations are adopted by Council and are legally binding.", OECD, "negation changed"),
        (
            "We reaffirm the importance of our close cooperation with the G7 and the Global Partnership.",
            SUMMIT,
            "'G7' where it says 'OECD'",
        ),
        (
            "We applaud new AI research partnerships between the University of Washington and Keio "
            "University and between Carnegie Mellon University and the University of Tsukuba.",
            PARTNERS,
            "in each other's places",
        ),
    ],
)
def test_a_swapped_detail_is_named(sentence: str, passage: str, said: str) -> None:
    assert said in swapped_detail(sentence, [passage])


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        # The instrument named as readers name it, not as it names itself.
        ("Chapters I and II of the AI Act shall apply from 2 February 2025.", APPLICATION),
        # A long negative clause left out is no denial.
        ("Decisions are adopted by Council and are legally binding.", OECD),
        # An acronym for its expansion.
        ("We reaffirm our close cooperation with the OECD and GPAI.", SUMMIT),
        # "We" restated as who "we" are is no swap.
        ("The G7 welcome the UK hosted AI Safety Summit.", SUMMIT),
        # A clause put first keeps its actor, and a list may come in any order.
        (
            "The United States plans to allocate two astronaut opportunities to the lunar surface for Japan, "
            "while Japan plans to provide and sustainably operate a pressurized rover.",
            LUNAR,
        ),
        (
            "We applaud new AI research partnerships between the University of Tsukuba and the University of "
            "Washington and between Carnegie Mellon University and Keio University.",
            PARTNERS,
        ),
        # "AI" for a capitalised "Artificial Intelligence" that opens the source sentence.
        (
            "AI can be crucial in advancing progress and development in our societies.",
            "Artificial Intelligence can play a crucial role in advancing progress and development in our "
            "societies.",
        ),
        # Too far from every source sentence to be a restatement of one: the other checks judge it.
        ("Japan and the United States work together on the Moon.", LUNAR),
    ],
)
def test_a_faithful_restatement_passes(sentence: str, passage: str) -> None:
    assert swapped_detail(sentence, [passage]) == ""


def test_the_checker_refuses_a_swap_that_every_word_check_passes() -> None:
    checker = SupportChecker(glossary=default_glossary())
    swapped = "Chapters I and II shall apply from 2 August 2025."
    verdict = checker.check(swapped, [APPLICATION])
    assert not verdict.supported and "restates the source" in verdict.reason
    assert checker.check("Chapters I and II shall apply from 2 February 2025.", [APPLICATION]).supported
