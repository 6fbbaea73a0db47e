"""A cited unit's title beside its number in a quote's label (rag/references/unit_titles.py)."""

from __future__ import annotations

import pytest

from rag.answerers.extractive import compose
from rag.core.models import Source
from rag.evidence import Evidence, ScoredSentence
from rag.references.unit_titles import with_unit_title

ANNEX = "EU AI Act › Annex III — High-risk AI systems referred to in Article 6(2) › 4–5"
ARTICLE = (
    "EU AI Act › Chapter IX — Post-market monitoring, information sharing and market… › Section 2 — Sharing "
    "of information on serious incidents › Article 73 — Reporting of serious incidents › 1–4"
)


@pytest.mark.parametrize(
    ("label", "titled", "expected"),
    [
        (
            "EU AI Act › Annex III › 4(a)",
            ANNEX,
            "EU AI Act › Annex III — High-risk AI systems referred to in Article 6(2) › 4(a)",
        ),
        # the innermost cited unit only: the chapter and section keep their numbers
        (
            "EU AI Act › Chapter IX › Section 2 › Article 73(4)",
            ARTICLE,
            "EU AI Act › Chapter IX › Section 2 › Article 73(4) — Reporting of serious incidents",
        ),
        (
            "EO 14110 › Sec. 4 › 4.5(a)",
            "EO 14110 › Sec. 4 — Ensuring the Safety… › 4.5",
            "EO 14110 › Sec. 4 — Ensuring the Safety… › 4.5(a)",
        ),
        # a range has no one title, and another article's title is not this one's
        ("EU AI Act › Article 12–14", "EU AI Act › Article 12 — Record-keeping", "EU AI Act › Article 12–14"),
        ("EU AI Act › Article 74(1)", ARTICLE, "EU AI Act › Article 74(1)"),
        # a text without numbered titles, and a recital, are left as they are
        (
            "Japan's AI Diplomacy (The Diplomat)",
            "Japan's AI Diplomacy (The Diplomat)",
            "Japan's AI Diplomacy (The Diplomat)",
        ),
        ("EU AI Act › Recital 31", "EU AI Act › Recital 31", "EU AI Act › Recital 31"),
        ("EU AI Act › Annex III › 4(a)", "", "EU AI Act › Annex III › 4(a)"),
    ],
)
def test_the_innermost_cited_unit_gets_its_title(label, titled, expected):
    assert with_unit_title(label, titled) == expected


def test_an_answer_labels_its_quote_with_the_unit_title():
    """The composed answer's label names the list the quoted item belongs to: "is CV screening a big deal?"
    is answered by the item and by its annex's title."""
    text = "(a) AI systems intended to be used for the recruitment or selection of natural persons."
    src = Source(
        n=1, chunk_id="c1", doc_id="eu", title="EU AI Act", section="EU AI Act › Annex III › 4–5",
        titled_section=ANNEX, text=text, start=0, end=len(text),
    )  # fmt: skip
    sentence = ScoredSentence(text, 0, len(text), 1, 0.5, 0)
    got = compose(
        "is AI screening of CVs a big deal in the EU?", Evidence(sources=[src], sentences={1: [sentence]})
    )
    assert got.text.startswith(
        "EU AI Act › Annex III — High-risk AI systems referred to in Article 6(2) › 4(a): “(a)"
    )
