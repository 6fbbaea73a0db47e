"""A question about when a named document came about, and the document's own dated statement."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answerers.extractive import compose
from rag.core.models import Source
from rag.evidence import Evidence, ScoredSentence
from rag.references import doc_aliases_from_manifest, parse_query
from rag.references.document_date import asks_document_date, states_date

MANIFEST = Path(__file__).resolve().parents[2] / "corpus" / "manifest.json"
AI_ACT = ("EU AI Act",)
GUIDELINES = ("AI Guidelines for Business Ver1.0", "Japan's AI Guidelines for Business")


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("When was the EU AI Act signed?", True),
        ("what date was the EU AI Act published", True),
        ("When did the EU AI Act come out?", True),
        ("When does the EU AI Act apply?", False),  # its application, not its making
        ("When did the EU AI Act enter into force?", False),
        ("When was the AI Office set up under the EU AI Act?", False),  # another subject
        ("When was the EU AI Act amended?", False),
        ("which day was the EU AI Act signed", True),  # no "when"
        ("EU AI Act date", True),
        ("Is the EU AI Act signed?", False),  # asks no date
        ("When was the June 2024 EU AI Act signed?", True),  # its own month and year name it
        ("When was the EU AI Act signed in 2023?", False),  # another year is another question
        # Nothing but the name: a Japanese question's translation when it dropped the verb (いつ出た)
        ("When EU AI Act?", True),
        ("When was the EU AI Act?", True),
    ],
)
def test_only_a_question_about_the_document_itself_asks_its_date(question: str, asks: bool) -> None:
    assert asks_document_date(question, AI_ACT, "2024-06-13") is asks


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("When did Japan publish version 1.0 of its AI Guidelines for Business?", True),  # its own version
        ("When was Ver1.0 of the AI Guidelines for Business released?", True),
        ("When was version 1.1 of the AI Guidelines for Business published?", False),  # not the one held
        ("When was the AI Guidelines for Business published?", True),
    ],
)
def test_the_version_a_document_holds_is_part_of_its_name(question: str, asks: bool) -> None:
    assert asks_document_date(question, GUIDELINES, "2024-04-19") is asks


def test_parse_marks_a_document_date_question_only_with_one_named_document_and_no_clause() -> None:
    aliases = doc_aliases_from_manifest(MANIFEST)
    assert parse_query("When was UN resolution 78/265 adopted?", aliases).document_date
    assert not parse_query("When does Article 50 of the EU AI Act apply?", aliases).document_date
    assert not parse_query("Was the EU AI Act signed?", aliases).document_date  # yes/no, not "when"
    assert not parse_query("When was it adopted?", aliases).document_date  # names no document


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        (
            "what date did the G7 release the communique from its 2024 summit in Italy",
            "g7-apulia-leaders-communique-2024",
        ),
        ("When did the G7 put out its 2023 communique?", "g7-hiroshima-leaders-communique-2023"),
        ("what's the date on the communique from the G7's 2024 summit?", "g7-apulia-leaders-communique-2024"),
        ("and the date on the communique from the G7's 2023 summit?", "g7-hiroshima-leaders-communique-2023"),
        ("When did the UN General Assembly adopt its AI resolution?", "un-ga-resolution-78-265-2024"),
        (
            "When did Biden and Kishida issue their joint statement?",
            "us-japan-joint-leaders-statement-2024-04-10",
        ),
        # Two G7 statements in 2023: which one is meant is not settled by its kind.
        ("When did the G7 issue its 2023 statement?", ""),
        ("What did the 2024 G7 communique say about AI?", ""),  # asks no date
        ("When did the G7 communique say the framework would be done?", ""),  # not when it was issued
    ],
)
def test_a_document_described_by_its_issuer_and_kind_is_dated(question: str, doc_id: str) -> None:
    parsed = parse_query(question, doc_aliases_from_manifest(MANIFEST))
    assert (parsed.doc_ids[0] if parsed.document_date else "") == doc_id


@pytest.mark.parametrize(
    ("text", "iso", "states"),
    [
        ("Resolution adopted by the General Assembly on 21 March 2024", "2024-03-21", True),
        ("THE WHITE HOUSE, October 30, 2023.", "2023-10-30", True),
        ("(CETS No. 225), Vilnius, 5.IX.2024", "2024-09-05", True),  # the Council of Europe's dateline
        ("(AI RMF 1.0), January 2023", "2023-01-26", True),  # month and year for a dated document
        ("Executive Order 14091 of February 16, 2023", "2023-10-30", False),
        ("adopted on 21 March 2023", "2024-03-21", False),
        ("published in April 2024", "2024-04", True),
        ("anything", "undated", False),
    ],
)
def test_states_date(text: str, iso: str, states: bool) -> None:
    assert states_date(text, iso) is states


def _evidence(title: str, date: str) -> Evidence:
    texts = [
        title,
        "It lays down harmonised rules on artificial intelligence.",
        "It was adopted on 1 May 2019.",
    ]
    src = Source(
        n=1, chunk_id="c1", doc_id="d1", title="T", section="T", text=" ".join(texts), start=0, end=99
    )
    sents, offset = [], 0
    for i, t in enumerate(texts):
        sents.append(ScoredSentence(t, offset, offset + len(t), 1, 0.1, i))
        offset += len(t) + 1
    return Evidence(sources=[src.model_copy(update={"date": date})], sentences={1: sents}, clause_match=True)


def test_the_documents_own_dated_statement_answers_over_the_readers_choice() -> None:
    ev = _evidence("# Regulation of 13 June 2024 on artificial intelligence", "2024-06-13")
    ranked = [(0.9, ev.sentences[1][2]), (0.5, ev.sentences[1][1])]  # the reader preferred another date
    result = compose("When was it signed?", ev, ranked=ranked, document_date=True)
    assert [q.text for q in result.quotes] == ["Regulation of 13 June 2024 on artificial intelligence"]
    # Without the flag the reader's choice stands.
    assert compose("When was it signed?", ev, ranked=ranked).quotes[0].text == "It was adopted on 1 May 2019."


def test_an_amendment_date_is_no_answer_to_when_the_document_was_made() -> None:
    ev = _evidence("# Recommendation, as amended 3 May 2024", "2024-05-03")
    ranked = [(0.9, ev.sentences[1][2])]
    result = compose("When was it adopted?", ev, ranked=ranked, document_date=True)
    assert result.quotes[0].text == "It was adopted on 1 May 2019."
