"""Whether a named text binds anyone, and the sentence where it says so of itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.references import doc_aliases_from_manifest, parse_query
from rag.references.legal_force import asks_legal_force, first_statement, kind_words, states_legal_force
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
    assert asks_legal_force(question) is asks


def test_the_statement_names_the_kind_of_text_before_it_says_it_binds_no_one() -> None:
    kinds = kind_words(["OECD AI Recommendation"])
    assert kinds == {"recommendation"}
    assert states_legal_force("• Recommendations are adopted by Council and are not legally binding.", kinds)
    # another instrument binds; and a kind named only after the statement is not its subject
    assert not states_legal_force(
        "• Decisions are adopted by Council and are legally binding on all Members.", kinds
    )
    assert not states_legal_force("to seek non-binding guidance under this Recommendation", kinds)


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
    i = first_statement(sentences, kind_words(alias.names))
    assert (i is None) if words is None else (i is not None and words in sentences[i])


def test_parse_marks_it_only_for_named_texts_and_no_clause() -> None:
    assert parse_query("is the NIST AI RMF mandatory?", ALIASES).legal_force == {"framework"}
    both = parse_query(
        "is either the NIST AI RMF or Japan's AI Guidelines for Business binding on us?", ALIASES
    )
    assert both.legal_force == {"framework", "guideline"}
    assert not parse_query("is it legally binding?", ALIASES).legal_force  # no text named
    assert not parse_query("Is Article 50 of the AI Act legally binding?", ALIASES).legal_force  # a clause
