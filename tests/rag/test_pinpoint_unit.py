"""Pinpoint labels: a quote is labelled with the point that holds it, never with a guessed one."""

from __future__ import annotations

import pytest

from rag.answerers.extractive import compose
from rag.core.models import Source
from rag.evidence import Evidence, ScoredSentence
from rag.references.pinpoint import pinpoint


@pytest.mark.parametrize(
    ("section", "before", "quote", "expected"),
    [
        # A chunk spanning paragraphs 8–12: the quote's own "10." decides.
        (
            "EU AI Act › Chapter I › Article 2 › 8–12",
            ["8. This Regulation does not apply to x.", "Such activities shall be y.", "9. It is without z."],
            "10. This Regulation does not apply to obligations of deployers who are natural persons.",
            "EU AI Act › Chapter I › Article 2(10)",
        ),
        # A sentence with no label of its own belongs to the last point above it.
        (
            "EU AI Act › Chapter I › Article 2 › 8–12",
            ["8. This Regulation does not apply to x."],
            "Such activities shall be y.",
            "EU AI Act › Chapter I › Article 2(8)",
        ),
        # Points of a numbered paragraph inherited from the range's opener: 1(d)–(g) → 1(e).
        (
            "EU AI Act › Chapter II › Article 5 › 1(d)–(g)",
            ["(d) the placing on the market of d;"],
            "(e) the placing on the market of e;",
            "EU AI Act › Chapter II › Article 5(1)(e)",
        ),
        # No unit to join: the point stays its own element.
        (
            "UNGA Resolution 78/265 › 78/265. Seizing… › 4(a)–(e)",
            ["4. Calls upon Member States:", "(a) a;", "(b) b;"],
            "(e) Enabling international innovation-based environments;",
            "UNGA Resolution 78/265 › 78/265. Seizing… › 4(e)",
        ),
        # Roman points under a letter, joined to a decimal section number.
        (
            "EO 14110 › Sec. 4 › 4.1 › (a)(i)–(ii)",
            ["(i) Establish guidelines:"],
            "(ii) Establish appropriate guidelines for red-teaming.",
            "EO 14110 › Sec. 4 › 4.1(a)(ii)",
        ),
        # "(i)" right after "(h)" is the letter i, and "(i)" after "(k)" a roman point.
        (
            "EU AI Act › Article 7 › 2(h)–3",
            ["(h) h;"],
            "(i) the extent to which i;",
            "EU AI Act › Article 7(2)(i)",
        ),
        (
            "EU AI Act › Article 7 › 2(h)–3",
            ["(h) h;", "(i) i;", "(j) j;", "(k) the extent to which k:"],
            "(i) effective measures;",
            "EU AI Act › Article 7(2)(k)(i)",
        ),
        # A chunk spanning two articles: the heading moves to the next.
        (
            "EU AI Act › Chapter IX › Article 86–87",
            [
                "### Article 86 — Right to explanation",
                "1. Any affected person x.",
                "### Article 87 — Reporting",
            ],
            "Directive (EU) 2019/1937 shall apply to the reporting of infringements.",
            "EU AI Act › Chapter IX › Article 87",
        ),
        (
            "EU AI Act › Recital 10–11",
            ["(10) The right x.", "Directive y."],
            "(11) This Regulation z.",
            "EU AI Act › Recital 11",
        ),
        # Labels the walk never sees are not guessed: CoE points are printed without brackets.
        (
            "CoE Framework Convention › Article 3 › 1(a)–(b)",
            ["1 The scope of this Convention", "a Each Party shall apply x"],
            "b Each Party shall address y.",
            "CoE Framework Convention › Article 3 › 1(a)–(b)",
        ),
        (
            "OECD AI Recommendation › About the OECD",
            [],
            "Recommendations are not legally binding.",
            "OECD AI Recommendation › About the OECD",
        ),
    ],
)
def test_pinpoint(section: str, before: list[str], quote: str, expected: str) -> None:
    assert pinpoint(section, before, quote) == expected


def test_a_yes_no_answer_names_the_paragraph_that_settles_it() -> None:
    text = [
        "8. This Regulation does not apply to research.",
        "10. This Regulation does not apply to obligations of deployers who are natural persons using AI "
        "systems in the course of a purely personal non-professional activity.",
    ]
    body = " ".join(text)
    src = Source(n=1, chunk_id="c", doc_id="eu", title="EU AI Act", section="EU AI Act › Article 2 › 8–10",
                 text=body, start=0, end=len(body))  # fmt: skip
    sents, offset = [], 0
    for i, (t, cov) in enumerate(zip(text, (0.1, 0.6), strict=True)):
        sents.append(ScoredSentence(t, offset, offset + len(t), 1, cov, i))
        offset += len(t) + 1
    result = compose("Do I have duties as a deployer for my family photos?", Evidence([src], {1: sents}))
    assert result.text.startswith("EU AI Act › Article 2(10): “10. This Regulation does not apply")
