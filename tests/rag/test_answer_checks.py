"""Answers that answer: completeness by question type, the bounded prompt, the streamed notice on an
unsupported opening sentence, and the chain's fallback when a verified answer misses the point."""

from __future__ import annotations

import pytest
from support import ScriptedAnswerer

from rag.citations.support import SupportChecker
from rag.completeness import answer_checks, completeness
from rag.core.models import Sentence, Source
from rag.drafting import UNVERIFIED_NOTICE, brief_sources, flag_unsupported_opening
from rag.evidence import Evidence, ScoredSentence


@pytest.mark.parametrize(
    ("question", "answer", "kind", "passed"),
    [
        ("When was the AI Safety Institute set up?", "It is dedicated to AI safety [1].", "date", False),
        ("When was the AI Safety Institute set up?", "It was set up on 14 February 2024 [1].", "date", True),
        ("How much can the fines reach?", "Fines are set by Member States [1].", "number", False),
        ("How much can the fines reach?", "Up to EUR 35 million or 7% of turnover [1].", "number", True),
        ("How many days does a provider have?", "Within 15 days [1].", "number", True),
        ("Who enforces the rules on general-purpose models?", "it is enforced centrally [1].", "who", False),
        ("Which body enforces the rules?", "The AI Office does [1].", "who", True),
        ("Which practices are prohibited?", "Social scoring is prohibited [1].", "list", False),
        (
            "Which practices are prohibited?",
            "Social scoring, untargeted scraping and manipulation [1].",
            "list",
            True,
        ),
    ],
)
def test_completeness_by_question_type(question: str, answer: str, kind: str, passed: bool) -> None:
    check = completeness(question, answer)
    assert check is not None and check.name == f"completeness:{kind}"
    assert check.passed is passed, check.detail


def test_a_question_without_a_checkable_shape_gets_no_completeness_check() -> None:
    assert completeness("What does Article 50 say about deep fakes?", "Deployers shall disclose [1].") is None
    checks = answer_checks(
        "What does Article 50 say?", "x [1].", [Sentence(text="x", citations=[1], verified=True)]
    )
    assert [c.name for c in checks] == ["support"] and checks[0].passed


def test_the_support_check_fails_when_a_sentence_is_unverified() -> None:
    sentences = [
        Sentence(text="a", citations=[1], verified=True),
        Sentence(text="b", citations=[2], verified=False, reason="adds 'security'"),
    ]
    (support,) = answer_checks("What does it say?", "a [1]", sentences)
    assert not support.passed and support.detail.startswith("1 of 2")


# -- the bounded prompt ---------------------------------------------------------------------------------
PASSAGE = (
    "The AI Office was set up within the Commission. It monitors general-purpose AI models. "
    "It may request documentation from providers. Fines can reach 3% of turnover. "
    "The scientific panel supports it. Member States keep their own authorities."
)


def _evidence() -> Evidence:
    from rag.text.sentences import sentence_spans

    sources, sentences = [], {}
    for n, text in ((1, PASSAGE), (2, "Unrelated filler sentence number one. Another filler sentence here.")):
        sources.append(
            Source(n=n, chunk_id=f"c{n}", doc_id=f"d{n}", title=f"Doc {n}", text=text, start=0, end=len(text))
        )
        sentences[n] = [
            ScoredSentence(text=text[a:b], start=a, end=b, source_n=n, coverage=0.0, position=i)
            for i, (a, b) in enumerate(sentence_spans(text))
        ]
    return Evidence(sources=sources, sentences=sentences)


def test_brief_sources_keep_the_best_sentences_with_a_neighbour_each_side() -> None:
    evidence = _evidence()
    ranked = [evidence.sentences[1][3]]  # "Fines can reach 3% of turnover."
    (brief,) = brief_sources(evidence, ranked, max_sources=3, max_chars=700)
    assert brief.n == 1 and brief.doc_id == "d1"
    assert brief.text == (
        "It may request documentation from providers. Fines can reach 3% of turnover. "
        "The scientific panel supports it."
    )
    assert len(brief.text) < len(PASSAGE)


def test_brief_sources_mark_gaps_and_respect_the_limits() -> None:
    evidence = _evidence()
    ranked = [evidence.sentences[1][0], evidence.sentences[1][5], evidence.sentences[2][0]]
    brief = brief_sources(evidence, ranked, max_sources=1, max_chars=700)
    assert [b.n for b in brief] == [1]
    assert " … " in brief[0].text and brief[0].text.startswith("The AI Office was set up")
    short = brief_sources(evidence, ranked, max_sources=2, max_chars=60)
    assert [b.n for b in short] == [1, 2] and all(len(b.text) <= 60 for b in short)


# -- the streamed notice --------------------------------------------------------------------------------
AISI = Source(
    n=1,
    chunk_id="c1",
    doc_id="diplomat",
    title="Japan's AI Diplomacy",
    text=(
        "On February 14, 2024, the Japan AI Safety Institute was established to advance research on "
        "methods for evaluating AI safety in conjunction with domestic and external ministries and agencies."
    ),
    start=0,
    end=10,
)


def _stream(text: str) -> list[str]:
    pieces = [
        text[i : i + 7] for i in range(0, len(text), 7)
    ]  # as a model streams: a few characters at a time
    return list(flag_unsupported_opening(pieces, [AISI], SupportChecker()))


def test_a_supported_opening_streams_as_written() -> None:
    text = (
        "The Japan AI Safety Institute was established on February 14, 2024 [1]. "
        "It researches evaluation [1]."
    )
    out = _stream(text)
    assert UNVERIFIED_NOTICE not in out and "".join(out) == text


def test_an_unsupported_opening_is_flagged_right_after_it() -> None:
    text = "The institute ensures AI safety, transparency and security [1]. It was set up in 2024 [1]."
    out = "".join(_stream(text))
    first_end = out.index("[1]") + 3
    assert UNVERIFIED_NOTICE in out
    assert out.index(UNVERIFIED_NOTICE) <= first_end + 10  # flagged before the second sentence has streamed
    assert out.replace(UNVERIFIED_NOTICE, "") == text


def test_a_one_sentence_unsupported_answer_is_flagged_at_the_end() -> None:
    out = _stream("The institute ensures transparency and security [1].")
    assert out[-1] == UNVERIFIED_NOTICE


# -- the chain: verified but incomplete falls back ----------------------------------------------------------
@pytest.mark.slow
def test_a_verified_answer_that_gives_no_date_falls_back_with_a_warning(services) -> None:  # type: ignore[no-untyped-def]
    answerer = ScriptedAnswerer(
        "The Japan AI Safety Institute was established to advance research on methods for evaluating "
        "AI safety [{n}].",
        anchor="Japan AI Safety Institute was established",
    )
    a = answerer.ask(services, "When was Japan's AI Safety Institute set up?")
    assert any("incomplete" in w and "date" in w for w in a.warnings), a.warnings
    assert "2024" in a.answer and a.citations  # the extractive answer took its place
    by_name = {c.name: c for c in a.checks}
    assert by_name["generated support"].passed  # the sentence itself was true ...
    assert not by_name["generated completeness:date"].passed  # ... and no answer to "when"
    assert by_name["completeness:date"].passed


@pytest.mark.slow
def test_a_verified_complete_answer_is_kept_with_its_checks(services) -> None:  # type: ignore[no-untyped-def]
    answerer = ScriptedAnswerer(
        "On February 14, 2024, the Japan AI Safety Institute was established [{n}].",
        anchor="Japan AI Safety Institute was established",
    )
    a = answerer.ask(services, "When was Japan's AI Safety Institute set up?")
    assert not any("incomplete" in w or "extractive" in w for w in a.warnings), a.warnings
    assert a.answer.startswith("On February 14, 2024")
    assert [(c.name, c.passed) for c in a.checks] == [("support", True), ("completeness:date", True)]
