"""Verified citations: marker parsing, support checks, re-assignment, quote offsets, robustness."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.citations import (
    SupportChecker,
    VerifiedAnswer,
    is_abstention_statement,
    parse_answer,
    verify,
)
from rag.core.models import Source

ROOT = Path(__file__).resolve().parents[2]

# One "cleaned document" with passages cut out of it at known offsets, as the retriever does.
AISI_TEXT = (
    "On February 14, 2024, the Japan AI Safety Institute was established to advance research on "
    "methods for evaluating AI safety in conjunction with domestic and external ministries and agencies. "
    "The institute was founded in the Information-technology Promotion Agency (IPA)."
)
EO_TEXT = (
    "The Secretary of Commerce, acting through the Director of the National Institute of Standards and "
    "Technology (NIST), shall establish guidelines and best practices for developing and deploying safe, "
    "secure, and trustworthy AI systems. The reporting requirement applies to any model that was trained "
    "using a quantity of computing power greater than 10<sup>26</sup> integer or floating-point operations."
)
FINES_TEXT = (
    "Non-compliance with the prohibition of the AI practices referred to in Article 5 shall be subject to "
    "administrative fines of up to EUR 35 000 000 or, if the offender is an undertaking, up to 7 % of its "
    "total worldwide annual turnover for the preceding financial year, whichever is higher. "
    "A general-purpose AI model shall be presumed to have high impact capabilities when the cumulative "
    "amount of computation used for its training measured in floating point operations is greater than 1025."
)
G7_TEXT = (
    "On 30 October 2023, the G7 leaders welcomed the Hiroshima Process International Guiding Principles "
    "for Organizations Developing Advanced AI Systems. They called on organizations developing advanced AI "
    "systems to commit to the application of the International Code of Conduct."
)
DOCUMENT = f"# Preamble\n\n{AISI_TEXT}\n\n{EO_TEXT}\n\n{FINES_TEXT}\n\n{G7_TEXT}\n"


def _source(n: int, text: str, **extra: str) -> Source:
    start = DOCUMENT.index(text)
    return Source(
        n=n,
        chunk_id=f"c{n}",
        doc_id=f"doc{n}",
        title=extra.pop("title", ""),
        text=text,
        start=start,
        end=start + len(text),
        **extra,
    )


@pytest.fixture()
def sources() -> list[Source]:
    return [
        _source(1, AISI_TEXT),
        _source(2, EO_TEXT),
        _source(3, FINES_TEXT, title="Artificial Intelligence Act"),
        _source(4, G7_TEXT),
    ]


@pytest.fixture()
def checker() -> SupportChecker:
    return SupportChecker()


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "cited"),
    [
        ("The Act applies [1].", [1]),
        ("The Act applies [1, 2].", [1, 2]),
        ("The Act applies [1,2].", [1, 2]),
        ("The Act applies [1][3].", [1, 3]),
        ("The Act applies [Source 2].", [2]),
        ("The Act applies [Sources 1 and 3].", [1, 3]),
        ("The Act applies [source: 4].", [4]),
        ("The Act applies 【1】.", [1]),
        ("The Act applies 【2†source】.", [2]),
        ("The Act applies ［3］.", [3]),
        ("The Act applies [1-3].", [1, 2, 3]),
        ("The Act applies [^2].", [2]),
        ("The Act applies (Source 2).", [2]),
        ("The Act applies.[1]", [1]),
    ],
)
def test_marker_forms_are_normalised(answer: str, cited: list[int]) -> None:
    [parsed] = parse_answer(answer)
    assert parsed.cited == cited
    assert parsed.text == "The Act applies."


def test_plain_parentheses_are_not_citations() -> None:
    [parsed] = parse_answer("Article 5(1) lists practices under point (1) and (2).")
    assert parsed.cited == []
    assert parsed.text == "Article 5(1) lists practices under point (1) and (2)."


def test_marker_at_start_of_next_sentence_belongs_to_previous() -> None:
    parsed = parse_answer("The institute was set up in 2024. [1] It sits in the IPA.")
    assert [(p.text, p.cited) for p in parsed] == [
        ("The institute was set up in 2024.", [1]),
        ("It sits in the IPA.", []),
    ]


def test_prose_citation_is_a_marker() -> None:
    [parsed] = parse_answer("According to source 2, NIST supports the Secretary of Commerce.")
    assert parsed.cited == [2]
    assert parsed.text == "NIST supports the Secretary of Commerce."


def test_sentence_without_marker_inherits_nothing() -> None:
    parsed = parse_answer("First claim [2]. Second claim. Third claim [3].")
    assert [p.cited for p in parsed] == [[2], [], [3]]


def test_prefix_style_markers_stay_with_their_sentence() -> None:
    parsed = parse_answer("First claim [1]. [2] Second claim.")
    assert [p.cited for p in parsed] == [[1], [2]]


def test_empty_and_marker_only_answers() -> None:
    assert parse_answer("") == []
    assert parse_answer("   \n ") == []
    assert parse_answer("[1][2]") == []


# --- support checks --------------------------------------------------------------------------


def test_fabricated_date_is_caught(checker: SupportChecker) -> None:
    verdict = checker.check("The AI Safety Institute was set up in March 2023.", [AISI_TEXT])
    assert not verdict.supported
    assert "March 2023" in verdict.reason


def test_fabricated_year_is_caught(checker: SupportChecker) -> None:
    verdict = checker.check("The Japan AI Safety Institute was established in 2025.", [AISI_TEXT])
    assert not verdict.supported
    assert verdict.reason == "date 2025 not in source"


@pytest.mark.parametrize(
    "sentence",
    [
        "The Japan AI Safety Institute was established on 14 February 2024.",
        "The Japan AI Safety Institute was established on 2024-02-14.",
        "The Japan AI Safety Institute was established in February 2024.",
        "The Japan AI Safety Institute was established in 2024.",
    ],
)
def test_equivalent_date_forms_pass(checker: SupportChecker, sentence: str) -> None:
    assert checker.check(sentence, [AISI_TEXT]).supported


def test_a_roman_numeral_month_is_a_date(checker: SupportChecker) -> None:
    # The Council of Europe dates its treaties "Vilnius, 5.IX.2024".
    source = "Council of Europe Framework Convention (CETS No. 225), Vilnius, 5.IX.2024"
    assert checker.check("The convention was done in Vilnius on 5 September 2024.", [source]).supported
    assert not checker.check("The convention was done in Vilnius on 5 October 2024.", [source]).supported


@pytest.mark.parametrize(
    ("sentence", "fact"),
    [
        (
            "Fines for prohibited practices reach up to EUR 45 million or 7% of worldwide annual turnover.",
            "45",
        ),
        (
            "Fines for prohibited practices reach up to EUR 35 million or 9% of worldwide annual turnover.",
            "9%",
        ),
        ("Fines for prohibited practices reach up to $35 million or 7% of worldwide annual turnover.", "$35"),
        (
            (
                "A general-purpose AI model is presumed to have high impact capabilities above 10^24 "
                "floating point operations of training computation."
            ),
            "10^24",
        ),
    ],
)
def test_changed_number_is_caught(checker: SupportChecker, sentence: str, fact: str) -> None:
    verdict = checker.check(sentence, [FINES_TEXT])
    assert not verdict.supported
    assert fact in verdict.reason


@pytest.mark.parametrize(
    "sentence",
    [
        "Fines for prohibited practices reach up to EUR 35 million or 7% of worldwide annual turnover.",
        "Fines for prohibited practices reach up to €35,000,000 or 7 percent of worldwide annual turnover.",
        # The document flattened the exponent to "1025"; the answer writes it properly.
        (
            "A general-purpose AI model is presumed to have high impact capabilities above 10^25 floating "
            "point operations of training computation."
        ),
        (
            "A general-purpose AI model is presumed to have high impact capabilities above 10²⁵ floating "
            "point operations of training computation."
        ),
    ],
)
def test_number_normalisation(checker: SupportChecker, sentence: str) -> None:
    verdict = checker.check(sentence, [FINES_TEXT])
    assert verdict.supported, verdict.reason


ENTRY_TEXT = "This Regulation shall enter into force on the twentieth day following that of its publication."


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("The Regulation shall enter into force on the 20th day following its publication.", True),
        ("The Regulation shall enter into force on the twentieth day following its publication.", True),
        ("The Regulation shall enter into force on the 30th day following its publication.", False),
        ("The Regulation shall enter into force on the fifteenth day following its publication.", False),
    ],
)
def test_an_ordinal_is_its_number(checker: SupportChecker, sentence: str, supported: bool) -> None:
    assert checker.check(sentence, [ENTRY_TEXT]).supported is supported


def test_exponent_markup_in_source(checker: SupportChecker) -> None:
    sentence = (
        "Reporting applies to models trained with more than 10^26 integer or floating-point operations."
    )
    assert checker.check(sentence, [EO_TEXT]).supported
    assert not checker.check(sentence.replace("10^26", "10^27"), [EO_TEXT]).supported


@pytest.mark.parametrize(
    ("sentence", "missing"),
    [
        (
            (
                "The Secretary of Energy shall establish guidelines for developing safe and trustworthy "
                "AI systems."
            ),
            "Energy",
        ),
        (
            (
                "The Secretary of Commerce, acting through the Director of the OECD, shall establish "
                "guidelines for safe AI systems."
            ),
            "OECD",
        ),
        (
            (
                "On 30 October 2023, the G20 leaders welcomed the Hiroshima Process International "
                "Guiding Principles."
            ),
            "G20",
        ),
    ],
)
def test_changed_actor_is_caught(checker: SupportChecker, sentence: str, missing: str) -> None:
    source = G7_TEXT if "Hiroshima" in sentence else EO_TEXT
    verdict = checker.check(sentence, [source])
    assert not verdict.supported
    assert missing in verdict.reason


def test_acronym_and_expansion_match_each_other(checker: SupportChecker) -> None:
    assert checker.check(
        (
            "The Secretary of Commerce acts through the NIST Director to establish guidelines for "
            "safe AI systems."
        ),
        [EO_TEXT],
    ).supported


def test_verbatim_quote_always_passes(checker: SupportChecker) -> None:
    quote = (
        "Non-compliance with the prohibition of the AI practices referred to in Article 5 shall be subject "
        "to administrative fines of up to EUR 35 000 000 or, if the offender is an undertaking, up to 7 % "
        "of its total worldwide annual turnover for the preceding financial year, whichever is higher."
    )
    verdict = checker.check(quote, [FINES_TEXT])
    assert verdict.supported and verdict.reason == "verbatim quote"
    # Curly quotes, case and spacing do not matter; neither does an elided middle.
    assert checker.check(
        "ON FEBRUARY 14,  2024, the Japan AI Safety Institute was established", [AISI_TEXT]
    ).supported
    assert checker.check(
        "The Secretary of Commerce … shall establish guidelines and best practices", [EO_TEXT]
    ).supported


def test_misquote_is_caught(checker: SupportChecker) -> None:
    verdict = checker.check(
        'The G7 called on organizations "to commit to the abolition of the International Code of Conduct".',
        [G7_TEXT],
    )
    assert not verdict.supported
    assert "quote" in verdict.reason


def test_paraphrase_with_overlapping_content_passes(checker: SupportChecker) -> None:
    verdict = checker.check(
        "Japan established its AI Safety Institute within the IPA to research how AI safety is evaluated.",
        [AISI_TEXT],
    )
    assert verdict.supported, verdict.reason


def test_unrelated_sentence_fails(checker: SupportChecker) -> None:
    verdict = checker.check(
        "Each market surveillance authority must audit biometric systems yearly.", [G7_TEXT]
    )
    assert not verdict.supported
    assert verdict.reason.startswith("low overlap")


def test_negation_is_caught(checker: SupportChecker) -> None:
    verdict = checker.check(
        "The G7 leaders did not welcome the Hiroshima Process International Guiding Principles.", [G7_TEXT]
    )
    assert not verdict.supported


def test_union_of_cited_sources(checker: SupportChecker) -> None:
    sentence = (
        "The Japan AI Safety Institute was established on February 14, 2024, and the G7 leaders welcomed "
        "the Hiroshima Process International Guiding Principles on 30 October 2023."
    )
    assert not checker.check(sentence, [AISI_TEXT]).supported
    assert not checker.check(sentence, [G7_TEXT]).supported
    assert checker.check(sentence, [AISI_TEXT, G7_TEXT]).supported


def test_no_passages(checker: SupportChecker) -> None:
    assert not checker.check("Anything at all.", []).supported


def _concept_embed(texts: list[str]) -> np.ndarray:
    """A deterministic stand-in for MiniLM: synonyms share a dimension, other words hash."""
    synonyms = {
        "keep": "retain",
        "kept": "retain",
        "retain": "retain",
        "documentation": "docs",
        "paperwork": "docs",
        "decade": "ten-years",
        "ten": "ten-years",
        "years": "ten-years",
    }
    vectors = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z]+", text.lower()):
            concept = synonyms.get(word, word)
            vectors[row, int(hashlib.md5(concept.encode()).hexdigest(), 16) % 64] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def test_embedding_rescues_paraphrase_but_not_facts() -> None:
    passage = (
        "Providers shall keep the technical documentation at the disposal of the authorities for ten years."
    )
    paraphrase = "Providers must retain the paperwork for the authorities for a decade."
    assert not SupportChecker().check(paraphrase, [passage]).supported
    embedded = SupportChecker(_concept_embed, min_similarity=0.6)
    verdict = embedded.check(paraphrase, [passage])
    assert verdict.supported and "similarity" in verdict.reason
    # High similarity never excuses a fabricated number.
    assert not embedded.check(paraphrase.replace("a decade", "twelve years"), [passage]).supported
    assert not embedded.check("Deployers shall register in the database.", [passage]).supported


def test_verify_with_embedding_picks_quote(sources: list[Source]) -> None:
    result = verify(
        "The G7 leaders welcomed the Hiroshima guiding principles on 30 October 2023 [4].",
        sources,
        SupportChecker(_concept_embed),
    )
    [citation] = result.citations
    assert citation.quote.startswith("On 30 October 2023")


# --- abstention ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The sources do not say.",
        "I could not find this in the sources.",
        "The provided passages do not mention the budget of the institute.",
        "Unfortunately, the sources don't specify who chairs the Board.",
        "There is no information about this in the sources.",
    ],
)
def test_abstention_statements(text: str) -> None:
    assert is_abstention_statement(text)


@pytest.mark.parametrize(
    "text",
    [
        "The sources do not say, but the Act was adopted in 2019.",
        "The Act does not apply to military uses.",
        "Providers must keep documentation.",
        "",
    ],
)
def test_not_abstention_statements(text: str) -> None:
    assert not is_abstention_statement(text)


# --- verify ----------------------------------------------------------------------------------


def test_verify_keeps_supported_and_normalises_markers(
    sources: list[Source], checker: SupportChecker
) -> None:
    answer = (
        "The Japan AI Safety Institute was established on February 14, 2024 [Source 1]. "
        "Fines reach EUR 35 million or 7% of worldwide annual turnover [3, 3]."
    )
    result = verify(answer, sources, checker)
    assert result.answer == (
        "The Japan AI Safety Institute was established on February 14, 2024 [1]. "
        "Fines reach EUR 35 million or 7% of worldwide annual turnover [3]."
    )
    assert result.dropped == 0
    assert [c.n for c in result.citations] == [1, 3]
    assert all(s.verified for s in result.sentences)


def test_invalid_citation_removed(sources: list[Source], checker: SupportChecker) -> None:
    result = verify(
        "The Japan AI Safety Institute was established in February 2024 [1][7].", sources, checker
    )
    assert result.answer.endswith("[1].")
    assert result.sentences[0].citations == [1]
    assert any("[7]" in w for w in result.warnings)


def test_only_invalid_citation_is_reassigned(sources: list[Source], checker: SupportChecker) -> None:
    result = verify("The Japan AI Safety Institute was established in February 2024 [7].", sources, checker)
    assert result.answer == "The Japan AI Safety Institute was established in February 2024 [1]."
    assert result.sentences[0].verified
    assert "re-assigned" in result.sentences[0].reason
    assert [c.n for c in result.citations] == [1]


def test_uncited_sentence_reassigned_or_dropped(sources: list[Source], checker: SupportChecker) -> None:
    answer = (
        "The G7 leaders welcomed the Hiroshima Process International Guiding Principles on 30 October 2023. "
        "The institute has a budget of 40 billion yen."
    )
    result = verify(answer, sources, checker)
    first, second = result.sentences
    assert first.verified and first.citations == [4]
    assert not second.verified and second.citations == []
    assert result.answer.endswith("30 October 2023 [4].")
    assert result.dropped == 1


def test_cited_but_unsupported_sentence_dropped(sources: list[Source], checker: SupportChecker) -> None:
    answer = (
        "The AI Safety Institute was set up in March 2023 [1]. "
        "The Secretary of Commerce acts through the Director of NIST [2]."
    )
    result = verify(answer, sources, checker)
    assert result.answer == "The Secretary of Commerce acts through the Director of NIST [2]."
    dropped = result.sentences[0]
    assert not dropped.verified and "March 2023" in dropped.reason
    assert dropped.citations == [1]
    assert result.dropped == 1


def test_everything_dropped_gives_empty_answer(sources: list[Source], checker: SupportChecker) -> None:
    result = verify(
        "The AI Safety Institute was set up in March 2023 [1]. Bananas are yellow [2].", sources, checker
    )
    assert result.answer == ""
    assert result.citations == []
    assert result.dropped == 2
    assert not result.abstained


def test_no_sources_gives_empty_answer(checker: SupportChecker) -> None:
    result = verify("The Japan AI Safety Institute was established in February 2024 [1].", [], checker)
    assert result.answer == "" and result.dropped == 1


def test_abstention_statement_kept_without_citation(sources: list[Source], checker: SupportChecker) -> None:
    answer = (
        "The Japan AI Safety Institute was established in February 2024 [1]. "
        "The sources do not say who leads it."
    )
    result = verify(answer, sources, checker)
    assert result.answer == (
        "The Japan AI Safety Institute was established in February 2024 [1]. "
        "The sources do not say who leads it."
    )
    assert result.sentences[1].verified and result.sentences[1].reason == "abstention statement"
    assert result.sentences[1].citations == []
    # An answer that only abstains leaves nothing cited: the caller decides (abstain or fall back).
    only = verify("I could not find this in the sources.", sources, checker)
    assert only.answer == "" and only.abstained and not only.citations
    assert only.sentences[0].verified


def test_contentless_line_is_not_kept(sources: list[Source], checker: SupportChecker) -> None:
    answer = "Key points:\n- The Japan AI Safety Institute was established in February 2024 [1]"
    result = verify(answer, sources, checker)
    assert result.answer == "- The Japan AI Safety Institute was established in February 2024 [1]"
    assert not result.sentences[0].verified


def test_repeated_sentence_dropped(sources: list[Source], checker: SupportChecker) -> None:
    sentence = "The Japan AI Safety Institute was established in February 2024 [1]."
    result = verify(f"{sentence} {sentence}", sources, checker)
    assert result.answer == sentence
    assert result.sentences[1].reason == "repeated sentence"


def test_citation_quotes_map_into_the_document(sources: list[Source], checker: SupportChecker) -> None:
    answer = (
        "Fines reach EUR 35 million or 7% of worldwide annual turnover [3]. "
        "The AI Act presumes high impact capabilities above 10^25 floating point operations [3]. "
        "The G7 called on organizations to commit to the International Code of Conduct [4]."
    )
    result = verify(answer, sources, checker)
    assert result.dropped == 0, result.sentences
    by_n = {c.n: c for c in result.citations}
    assert set(by_n) == {3, 4}
    for citation in result.citations:
        assert citation.quote
        assert citation.quote_start is not None and citation.quote_end is not None
        local = citation.text[citation.quote_start - citation.start : citation.quote_end - citation.start]
        assert local == citation.quote
        assert DOCUMENT[citation.quote_start : citation.quote_end] == citation.quote
    assert by_n[4].quote.startswith("They called on organizations")


def test_metadata_backs_document_level_facts(checker: SupportChecker) -> None:
    """The year or the document name often lives in the title, not in the passage text."""
    source = _source(4, G7_TEXT, title="G7 Leaders' Statement on the Hiroshima AI Process", date="2023-10-30")
    result = verify(
        "In their statement on the Hiroshima AI Process, G7 leaders called on organizations developing "
        "advanced AI systems to commit to the International Code of Conduct [1].",
        [source.model_copy(update={"n": 1})],
        checker,
    )
    assert result.dropped == 0, result.sentences


def test_bystander_citation_pruned(sources: list[Source], checker: SupportChecker) -> None:
    result = verify(
        "The G7 leaders welcomed the Hiroshima Process guiding principles [4][1].", sources, checker
    )
    assert result.sentences[0].citations == [4]


# --- robustness ------------------------------------------------------------------------------

MARKERISH = st.sampled_from(
    [
        "[",
        "]",
        "[[",
        "]]",
        "[1]",
        "[-1]",
        "[0]",
        "[99999999999]",
        "[" + "9" * 60 + "]",
        "[1, 2]",
        "[Source 3]",
        "【2】",
        "(1)",
        "(Source 1)",
        "[1-999999]",
        "[^1]",
        ". ",
        "\n\n",
        "# ",
        "- ",
        "10^25",
        "2023-10-30",
        "30 October 2023",
        "EUR 35 000 000",
        "7 %",
        "NIST",
        "The sources do not say.",
        "“",
        "”",
        "…",
        "\x00",
    ]
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_well_formed(result: VerifiedAnswer, n_sources: int) -> None:
    assert result.dropped == sum(not s.verified for s in result.sentences)
    for sentence in result.sentences:
        if sentence.verified and sentence.reason != "abstention statement":
            assert sentence.citations and all(1 <= n <= n_sources for n in sentence.citations)
    for citation in result.citations:
        if citation.quote_start is not None:
            assert citation.text[
                citation.quote_start - citation.start : citation.quote_end - citation.start
            ] == (citation.quote)
    for n in map(int, re.findall(r"\[(\d+)\]", result.answer)):
        assert 1 <= n <= n_sources


@SETTINGS
@given(st.text())
def test_parse_never_crashes_on_unicode(text: str) -> None:
    for parsed in parse_answer(text):
        assert isinstance(parsed.text, str) and all(isinstance(n, int) for n in parsed.cited)


@SETTINGS
@given(st.lists(st.one_of(MARKERISH, st.text(max_size=20)), max_size=40).map("".join))
def test_verify_never_crashes_on_malformed_markers(text: str) -> None:
    sources = [_source(1, AISI_TEXT), _source(2, FINES_TEXT)]
    _assert_well_formed(verify(text, sources, SupportChecker()), 2)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(MARKERISH, st.text(max_size=10)), min_size=1, max_size=10).map("".join),
    st.integers(min_value=200, max_value=2000),
)
def test_verify_survives_huge_input(chunk: str, repeat: int) -> None:
    sources = [_source(1, AISI_TEXT), _source(2, FINES_TEXT), _source(3, G7_TEXT)]
    _assert_well_formed(verify(chunk * repeat, sources, SupportChecker()), 3)


@SETTINGS
@given(st.text(), st.text(min_size=1))
def test_checker_never_crashes(sentence: str, passage: str) -> None:
    verdict = SupportChecker(_concept_embed).check(sentence, [passage])
    assert isinstance(verdict.supported, bool) and 0.0 <= verdict.score <= 1.0


@SETTINGS
@given(st.text(min_size=1, max_size=300))
def test_verify_with_arbitrary_source_text(text: str) -> None:
    source = Source(n=1, chunk_id="c", doc_id="d", title="", text=text, start=100, end=100 + len(text))
    answer = f"{text[:80]} [1]. {text[40:]} [2]."
    _assert_well_formed(verify(answer, [source], SupportChecker()), 1)
