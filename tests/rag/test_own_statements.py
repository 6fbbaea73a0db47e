"""What a named text says of itself (whether it binds anyone, how it will be reviewed), and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.references import doc_aliases_from_manifest, parse_query
from rag.references.in_force import IN_FORCE
from rag.references.legal_force import LEGAL_FORCE, STATES
from rag.references.membership import JOINING, LEAVING
from rag.references.own_statements import asked_topic, first_statement, kind_words, states
from rag.references.review import REVIEW
from rag.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
ALIASES = doc_aliases_from_manifest(ROOT / "corpus" / "manifest.json")


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("is the OECD recommendation legally binding?", True),
        ("If we sign up, are we legally bound by the G7 code?", True),
        ("do firms legally have to follow the NIST framework?", True),
        ("does the NIST framework have the force of law?", True),
        ("what happens to a country that breaks the binding OECD recommendation?", False),  # "binding" alone
        ("what happens to a country that breaks the legally binding OECD recommendation?", True),
        ("Are Japan's AI guidelines mandatory?", True),  # yes/no: a weak word will do
        ("do we have to follow the G7 code?", True),
        ("which steps do we have to follow under the NIST framework?", False),  # not yes/no
        ("what does the voluntary G7 code say about watermarks?", False),
        ("can my boss legally read my emotions with AI?", False),  # "legally" asks what is allowed
        ("are Japan's AI guidelines an actual law we can be punished under?", True),
        ("are there penalties for not following the NIST AI RMF?", True),  # answered: it is voluntary
        ("what fine does a reseller face if it doesn't verify its customers?", False),  # a penalty, asked
    ],
)
def test_what_asks_whether_a_text_binds(question: str, asks: bool) -> None:
    assert (asked_topic(question, [LEGAL_FORCE]) is LEGAL_FORCE) is asks


def test_the_statement_names_the_kind_of_text_before_it_says_it_binds_no_one() -> None:
    kinds = kind_words(["OECD AI Recommendation"])
    assert kinds == {"recommendation", "document"}
    assert states(STATES, "• Recommendations are adopted by Council and are not legally binding.", kinds)
    # another instrument binds; and a kind named only after the statement is not its subject
    assert not states(
        STATES, "• Decisions are adopted by Council and are legally binding on all Members.", kinds
    )
    assert not states(STATES, "to seek non-binding guidance under this Recommendation", kinds)


@pytest.mark.parametrize(
    ("doc_id", "words"),
    [
        ("oecd-recommendation-on-ai-2024", "are not legally binding"),
        ("nist-ai-rmf-1-0-2023", "intended to be voluntary"),
        ("g7-hiroshima-code-of-conduct-2023", "voluntary guidance"),
        ("japan-ai-guidelines-for-business-v1-2024", "soft laws without any legally binding force"),
        ("eu-ai-act-regulation-2024-1689", None),  # binds, and states it in no sentence about itself
    ],
)
def test_each_texts_own_statement_is_found_in_the_corpus(doc_id: str, words: str | None) -> None:
    alias = next(a for a in ALIASES if a.doc_id == doc_id)
    sentences = split_sentences((ROOT / "corpus" / f"{doc_id}.md").read_text(encoding="utf-8"))
    i = first_statement(LEGAL_FORCE, sentences, kind_words(alias.names))
    assert (i is None) if words is None else (i is not None and words in sentences[i])


def test_parse_marks_it_only_for_named_texts_and_no_clause() -> None:
    one = parse_query("is the NIST AI RMF mandatory?", ALIASES).statement
    assert one is not None and one.topic is LEGAL_FORCE and one.kinds == {"framework", "document"}
    both = parse_query("is either the NIST AI RMF or Japan's AI Guidelines for Business binding?", ALIASES)
    assert both.statement is not None and both.statement.kinds == {"framework", "guideline", "document"}
    assert parse_query("is it legally binding?", ALIASES).statement is None  # no text named
    assert parse_query("Is Article 50 of the AI Act legally binding?", ALIASES).statement is None  # a clause


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("will the G7 code of conduct ever be updated?", True),
        ("how is the NIST AI RMF kept up to date?", True),
        ("is anyone checking whether countries implement the OECD AI Recommendation?", True),
        ("when is the next version of Japan's AI Guidelines for Business coming out?", False),  # a date
        ("when was the OECD AI Recommendation revised?", False),  # a past revision's date
        ("has the OECD changed its definition of an AI system since 2019?", False),  # what a revision did
    ],
)
def test_what_asks_how_a_text_will_be_reviewed(question: str, asks: bool) -> None:
    statement = parse_query(question, ALIASES).statement
    assert (statement is not None and statement.topic is REVIEW) is asks


@pytest.mark.parametrize(
    ("doc_id", "words"),
    [
        ("g7-hiroshima-code-of-conduct-2023", "will be reviewed and updated"),
        ("oecd-recommendation-on-ai-2024", "five years after its adoption and regularly thereafter"),
        ("nist-ai-rmf-1-0-2023", "no later than 2028"),  # a dated review before "will be updated"
        ("japan-ai-guidelines-for-business-v1-2024", "will be updated as a living document"),
        ("un-ga-resolution-78-265-2024", None),
    ],
)
def test_each_texts_own_review_statement_is_found(doc_id: str, words: str | None) -> None:
    alias = next(a for a in ALIASES if a.doc_id == doc_id)
    sentences = split_sentences((ROOT / "corpus" / f"{doc_id}.md").read_text(encoding="utf-8"))
    i = first_statement(REVIEW, sentences, kind_words(alias.names))
    assert (i is None) if words is None else (i is not None and words in sentences[i])


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("if a country signs the Council of Europe AI convention, can it back out later?", "leaving"),
        ("is a country stuck with the CoE AI treaty forever once it joins?", "leaving"),
        ("can a country outside Europe join the Council of Europe AI convention?", "joining"),
        ("is adhering to the OECD AI Recommendation an option for a non-member?", "joining"),
        ("Has Japan joined the Council of Europe AI convention?", None),  # who did: a near miss's shape
        ("which countries have signed the CoE AI convention?", None),
        # a detail about joining, which the statement does not give: near misses and answerable probes
        ("if a non-European country joins the CoE AI convention, how much must it pay?", None),
        ("has the OECD said which non-members adhere to its AI Recommendation?", None),
        ("can a country join the CoE AI convention but make reservations?", None),  # not an outsider
        ("why is the CoE AI convention closed to countries outside Europe?", "joining"),
    ],
)
def test_what_asks_who_may_join_or_leave_a_text(question: str, topic: str | None) -> None:
    statement = parse_query(question, ALIASES).statement
    assert (statement.topic.name if statement else None) == topic


def test_the_conventions_own_final_clauses_are_found() -> None:
    doc_id = "coe-framework-convention-ai-cets225-2024"
    alias = next(a for a in ALIASES if a.doc_id == doc_id)
    sentences = split_sentences((ROOT / "corpus" / f"{doc_id}.md").read_text(encoding="utf-8"))
    kinds = kind_words(alias.names)
    leave, join = first_statement(LEAVING, sentences, kinds), first_statement(JOINING, sentences, kinds)
    assert leave is not None and "denounce this Convention" in sentences[leave]
    assert join is not None and "open for signature by the member States" in sentences[join]


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("how many ratifications does the CoE AI convention need before it comes into force?", True),
        ("what does it take for the Council of Europe AI treaty to enter into force?", True),
        ("has the CoE AI convention entered into force yet?", False),  # a date or an event: a near miss
        ("when does the EU AI Act enter into force?", False),  # a date its own article gives
    ],
)
def test_what_asks_what_a_text_needs_to_enter_into_force(question: str, asks: bool) -> None:
    statement = parse_query(question, ALIASES).statement
    assert (statement is not None and statement.topic is IN_FORCE) is asks
    doc_id = "coe-framework-convention-ai-cets225-2024"
    sentences = split_sentences((ROOT / "corpus" / f"{doc_id}.md").read_text(encoding="utf-8"))
    alias = next(a for a in ALIASES if a.doc_id == doc_id)
    i = first_statement(IN_FORCE, sentences, kind_words(alias.names))
    assert i is not None and "five signatories" in sentences[i]
