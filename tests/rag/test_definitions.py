"""A question asking what a term means, and the sentences that define terms in the documents' own shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answerers.extractive import compose
from rag.core.models import Source
from rag.evidence import Evidence, ScoredSentence
from rag.references.definitions import defined_term, defines, definition_pattern


@pytest.mark.parametrize(
    ("question", "names", "term"),
    [
        ("How does the OECD define an AI system?", ["OECD"], "AI system"),
        ("What is a deployer under the AI Act?", ["AI Act"], "deployer"),
        ("what's a provider under the AI act", ["AI Act"], "provider"),
        ("What does deep fake mean in the EU AI Act?", ["EU AI Act"], "deep fake"),
        ("Define emotion recognition system", [], "emotion recognition system"),
        ("what is the definition of a general-purpose AI model", [], "general-purpose AI model"),
        ("What is the purpose of the convention?", [], ""),  # asks what it is for
        ("What does it mean?", [], ""),
        ("Which practices does the AI Act prohibit?", ["AI Act"], ""),
        ("when did the OECD change how it officially defines an 'AI system'?", ["OECD"], ""),  # a date
        # a revision of the definition is asked about, not the definition
        ("NIST borrows its definition of an 'AI system' from the OECD. Has the OECD changed it?", [], ""),
        ("Has the OECD updated what it means by 'AI system'?", ["OECD"], ""),
    ],
)
def test_defined_term(question: str, names: list[str], term: str) -> None:
    assert defined_term(question, names) == term


@pytest.mark.parametrize(
    ("text", "term", "defined"),
    [
        ("(4) ‘deployer’ means a natural or legal person", "deployer", True),  # the EU AI Act
        ("“artificial intelligence system” means a machine-based system", "AI system", True),  # CoE
        ("‒ AI system: An AI system is a machine-based system", "AI system", True),  # the OECD
        ("The AI RMF refers to an AI system as an engineered system", "AI system", True),  # NIST
        ("(60) ‘deep fake’ means AI-generated or manipulated image", "deep fake", True),
        ("Deployers should ensure that the deployer means well", "deployer", False),  # no definition
        ("it is difficult to strictly define artificial intelligence", "AI system", False),
        ("‒ AI knowledge: AI knowledge refers to the skills and resources", "AI knowledge", True),  # OECD
        ("In the context of the AI RMF, risk refers to the composite measure", "risk", True),  # NIST
        ("Managing this risk refers to the measures taken", "risk", False),  # not the term defined
        # Japan's AI Guidelines: "##" / "- TERM" / the definition's paragraph
        ("Living Document\n\n##\n- AI developer\n\nBusiness operators who develop", "AI developer", True),
        ("##\n- AI model (ML model)\n\nA model incorporated into an AI system", "AI model", True),
        ("- Safety\n- Known risks relating to AI systems", "safety", False),  # a list item, not an entry
    ],
)
def test_defines(text: str, term: str, defined: bool) -> None:
    assert defines(text, term) is defined


_TERMS = [
    "deployer",
    "AI system",
    "deep fake",
    "risk",
    "AI developer",
    "provider",
    "general-purpose AI model",
]


@pytest.mark.parametrize("term", _TERMS)
def test_the_substring_shortcut_agrees_with_the_pattern_on_every_corpus_paragraph(term: str) -> None:
    """`defines` skips the pattern for a text without the term's longest word; over the corpus's own
    paragraphs it must decide exactly as the pattern alone does."""
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    paragraphs = [p for f in sorted(corpus.glob("*.md")) for p in f.read_text(encoding="utf-8").split("\n\n")]
    pattern = definition_pattern(term)
    assert [defines(p, term) for p in paragraphs] == [bool(pattern.search(p)) for p in paragraphs]
    assert any(defines(p, term) for p in paragraphs)  # each term is defined somewhere, so the check bites


def test_a_letter_that_case_folds_onto_ascii_is_left_to_the_pattern() -> None:
    # "ſ" (long s) matches "s" under re.IGNORECASE though "deployerſ".lower() holds no "deployers"
    assert defines("‘DEPLOYERſ’ means a person", "deployers")


def _pinned(texts: list[str], joiner: str) -> Evidence:
    """One clause-matched passage made of `texts`, each a sentence."""
    sents, offset = [], 0
    for i, t in enumerate(texts):
        sents.append(ScoredSentence(t, offset, offset + len(t), 1, 0.5, i))
        offset += len(t) + len(joiner)
    src = Source(
        n=1, chunk_id="c1", doc_id="d1", title="T", section="T", text=joiner.join(texts), start=0, end=offset
    )
    return Evidence(sources=[src], sentences={1: sents}, clause_match=True)


def test_the_definition_is_quoted_alone_over_the_readers_choice() -> None:
    texts = [
        "It is difficult to strictly define an AI system.",
        "‘AI system’ means a machine-based system that infers outputs.",
        "An AI system may be used in many sectors.",
    ]
    ev = _pinned(texts, " ")
    sents = ev.sentences[1]
    ranked = [(0.9, sents[0]), (0.4, sents[2]), (0.2, sents[1])]
    result = compose("What is an AI system?", ev, ranked=ranked, defined_term="AI system")
    assert [q.text for q in result.quotes] == [texts[1]]
    assert compose("What is an AI system?", ev, ranked=ranked).quotes[0].text == texts[0]  # without the term


def test_a_glossary_entry_is_answered_by_the_paragraph_under_its_term() -> None:
    texts = [
        "##",
        "- AI developer",
        "Business operators who develop AI systems (including business operators who research AI).",
        "They develop AI models as well as algorithms.",
        "##",
        "- AI provider",
        "Business operators who incorporate AI systems into applications.",
    ]
    ev = _pinned(texts, "\n")
    sents = ev.sentences[1]
    ranked = [(0.9, sents[6]), (0.5, sents[2])]
    result = compose("who counts as an AI developer?", ev, ranked=ranked, defined_term="AI developer")
    assert [q.text for q in result.quotes] == texts[2:4]
    provider = compose("what is an AI provider?", ev, ranked=ranked, defined_term="AI provider")
    assert [q.text for q in provider.quotes] == texts[6:]


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("meaning of systemic risk in Regulation 2024/1689", "systemic risk"),
        ("risk tolerance definition", "risk tolerance"),
        ("ai literacy - how is it defined in the EU AI Act", "ai literacy"),
        ("what is meant by 'AI knowledge'?", "AI knowledge"),
        ("What's a 'serious incident' involving AI under EU rules?", "serious incident"),  # not "s a"
        ("G7 guiding principles: what do they mean by advanced AI systems", "advanced AI systems"),
        ("who counts as an AI developer in the Japanese AI guidelines", "AI developer"),
        ("When the G7 met, were those meant to be the final versions?", ""),  # "meant", but no term
    ],
)
def test_the_other_shapes_users_ask_a_definition_in(question: str, term: str) -> None:
    assert defined_term(question, []) == term
