"""A law applied in stages: which of its "shall apply from" lines dates a provision
(rag/references/application.py)."""

from __future__ import annotations

import pytest

from rag.references.application import ASKS_APPLICATION, parse_stage, stage_for

# The staging of a regulation, worded as the EU AI Act words it (its Article 113).
LINES = [
    "It shall apply from 2 August 2026.",
    "(a) Chapters I and II shall apply from 2 February 2025;",
    "(b) Chapter III Section 4, Chapter V, Chapter VII and Chapter XII and Article 78 shall apply from"
    " 2 August 2025, with the exception of Article 101;",
    "(c) Article 6(1) and the corresponding obligations in this Regulation shall apply from 2 August 2027.",
]


def stages():  # type: ignore[no-untyped-def]
    return [s for s in (parse_stage(line) for line in LINES) if s is not None]


def test_each_line_names_what_it_stages() -> None:
    default, first, second, third = stages()
    assert default.default and default.date == "2 August 2026"
    assert first.chapters == {"I", "II"} and first.date == "2 February 2025"
    assert second.chapters == {"V", "VII", "XII"} and second.sections == {("III", "4")}
    assert second.articles == {"78"} and second.except_articles == {"101"}
    assert third.articles == {"6(1)"} and not third.chapters
    # Other sentences stage nothing: entry into force, a date of another act's, no date at all.
    assert parse_stage("This Regulation shall enter into force on the twentieth day following…") is None
    assert (
        parse_stage("Regulation (EU) 2019/1020 shall apply from 16 July 2021 to market surveillance.") is None
    )
    assert parse_stage("The obligations shall apply from the date of application.") is None


@pytest.mark.parametrize(
    ("section", "date"),
    [
        ("EU AI Act › Chapter II › Article 5 › 1(d)–(g)", "2 February 2025"),  # a chapter staged early
        ("EU AI Act › Chapter IV › Article 50 › 2", "2 August 2026"),  # the rest: the default
        ("EU AI Act › Chapter V › Section 2 › Article 53 › 1", "2 August 2025"),
        ("EU AI Act › Chapter III › Section 4 › Article 31 › 1–6", "2 August 2025"),  # one section of III
        ("EU AI Act › Chapter III › Section 2 › Article 9 › 2", "2 August 2026"),  # not that section
        ("EU AI Act › Chapter XII › Article 99 › 3", "2 August 2025"),
        ("EU AI Act › Chapter XII › Article 101 › 1", "2 August 2026"),  # excepted from its chapter's line
        ("EU AI Act › Chapter III › Section 1 › Article 6 › 1", "2 August 2027"),  # one paragraph
        ("EU AI Act › Chapter III › Section 1 › Article 6 › 3", "2 August 2026"),
        ("EU AI Act › Chapter IX › Section 1 › Article 78", "2 August 2025"),  # an article named alone
    ],
)
def test_a_provision_is_dated_by_the_line_that_covers_it(section: str, date: str) -> None:
    found = stage_for(section, stages())
    assert found is not None and found.date == date


def test_what_is_no_article_is_not_dated() -> None:
    assert stage_for("EU AI Act › Recital 44", stages()) is None
    assert stage_for("EU AI Act › Annex III › 4", stages()) is None
    assert (
        stage_for("EU AI Act › Chapter IV › Article 50 › 2", [s for s in stages() if not s.default]) is None
    )


def test_when_it_applies_is_asked_in_many_words() -> None:
    for asked in ("ok and from when does that apply?", "from what date is that actually enforced?",
                  "when do the high-risk rules actually kick in?", "when does Article 50 start to apply?",
                  "When will the GPAI obligations take effect?"):  # fmt: skip
        assert ASKS_APPLICATION.search(asked), asked
    for other in ("Does the AI Act apply to the military?", "When was the AI Act signed?",
                  "what does Article 50 require?"):  # fmt: skip
        assert not ASKS_APPLICATION.search(other), other
