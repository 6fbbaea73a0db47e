"""The BM25 tokenizer: identifiers survive whole, questions and documents tokenise alike."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.text.tokenize import STOP_WORDS, normalize, stem, tokenize

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


# --- identifiers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Article 50(2)", ["article", "50(2)", "article_50(2)", "article_50"]),
        ("5(1)(f)", ["5(1)(f)", "5(1)"]),
        ("30-4", ["30-4"]),
        ("EO 14110", ["eo", "14110"]),
        ("78/265", ["78/265"]),
        ("GOVERN 6", ["govern", "6", "govern_6"]),
        ("GOVERN 6.1", ["govern", "6.1", "govern_6.1", "govern_6"]),
        ("1.4(b)", ["1.4(b)", "1.4"]),
        ("10^26", ["10^26"]),
        ("2024/1689", ["2024/1689"]),
        ("CETS 225", ["cets", "225", "cets_225"]),
        ("CETS No. 225", ["cets", "225", "cets_225"]),
        ("Annex III", ["annex", "iii", "annex_iii"]),
        ("Recital (27)", ["recital", "27", "recital_27"]),
        ("Part 1", ["part", "1", "part_1"]),
        ("NIST AI 100-1", ["nist", "ai", "100-1"]),
    ],
)
def test_identifier_tokens(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_nested_clause_gives_keyword_joined_ancestors() -> None:
    toks = tokenize("Art. 5(1)(f)")
    for t in ("article", "5(1)(f)", "article_5(1)(f)", "article_5(1)", "article_5", "5(1)"):
        assert t in toks
    # A bare top-level number would match every date and count: only the joined form is emitted.
    assert "5" not in toks


def test_section_ancestors_down_to_the_top_level() -> None:
    toks = tokenize("Section 4.2(b)(i)")
    for t in (
        "section_4.2(b)(i)",
        "section_4.2(b)",
        "section_4.2",
        "section_4",
        "4.2(b)(i)",
        "4.2(b)",
        "4.2",
    ):
        assert t in toks


def test_annex_point_ancestors_skip_bare_roman() -> None:
    toks = tokenize("annex III(4)(a)")
    assert {"annex_iii(4)(a)", "annex_iii(4)", "annex_iii", "iii(4)(a)", "iii(4)"} <= set(toks)
    assert "iii" not in toks  # a bare roman numeral is as unspecific as a bare integer


def test_un_symbol_also_gives_numeric_tail() -> None:
    toks = tokenize("A/RES/78/265")
    assert "a/res/78/265" in toks
    assert "78/265" in toks
    assert set(tokenize("resolution 78/265")) & set(toks) == {"78/265"}


def test_powers_from_caret_html_and_superscript_agree() -> None:
    assert "10^26" in tokenize("10^26")
    assert "10^26" in tokenize("10 ^ 26 integer operations")
    assert "10^26" in tokenize("10<sup>26</sup> integer operations")
    assert "10^26" in tokenize("10²⁶ integer operations")


@pytest.mark.parametrize(
    ("text", "number"),
    [("10,000 users", "10000"), ("10 000 users", "10000"), ("EUR 35 000 000", "35000000"),
     ("1,234,567.5", "1234567.5"), ("$1.5 billion", "1.5"), ("US$ 2.9 billion", "2.9")],
)  # fmt: skip
def test_numbers(text: str, number: str) -> None:
    assert number in tokenize(text)


def test_short_number_lists_are_not_joined() -> None:
    assert tokenize("Articles 5, 6 and 7")[-2:] == ["6", "7"]
    assert "1,5" not in "".join(tokenize("1,5"))


def test_clause_words_alone_stay_words() -> None:
    assert tokenize("state of the art") == ["state", "art"]
    assert tokenize("as part of the map") == ["part", "map"]
    assert tokenize("measures to manage risk") == ["measure", "manage", "risk"]


# --- question forms and text forms ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("Art. 5(1)(f)", "Article 5(1)(f)"),
        ("article 5 (1) (f)", "Article 5(1)(f)"),
        ("Sec. 4.2", "Section 4.2"),
        ("§ 4.2", "Section 4.2"),
        ("§4.2", "Sec. 4.2"),
        ("para. 38", "paragraph 38"),
        ("¶ 38", "Paragraph 38"),
        ("Govern 6.1", "GOVERN 6.1"),
        ("Japan’s “AI” diplomacy", 'Japan\'s "AI" diplomacy'),
        ("US–Japan", "US-Japan"),
        ("the E.U.", "the EU"),
        ("Communiqué", "Communique"),
        ("ＡＩ　Ａｃｔ", "AI Act"),  # full-width forms, NFKC
        ("10,000", "10 000"),
    ],
)
def test_question_and_text_forms_tokenise_alike(question: str, text: str) -> None:
    assert tokenize(question) == tokenize(text)


def test_question_and_heading_share_clause_tokens() -> None:
    q = set(tokenize("What does Article 5(1)(f) of the AI Act prohibit?"))
    heading = set(tokenize("### Article 5 — Prohibited AI practices"))
    assert "article_5" in q & heading


# --- words -------------------------------------------------------------------------------------
def test_lowercase_and_stop_words() -> None:
    assert tokenize("What are THE obligations of the Providers?") == ["obligation", "provider"]
    assert all(tokenize(w) == [] for w in ("the", "and", "of", "which", "is"))


def test_words_that_look_like_stop_words_but_matter_are_kept() -> None:
    assert tokenize("the US and the WHO in May") == ["us", "who", "may"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("systems", "system"), ("policies", "policy"), ("agencies", "agency"), ("processes", "process"),
        ("approaches", "approach"), ("annexes", "annex"), ("purposes", "purpose"), ("uses", "use"),
        ("measures", "measure"), ("biases", "bias"), ("bias", "bias"), ("analysis", "analysis"),
        ("status", "status"), ("access", "access"), ("series", "series"), ("news", "news"),
        ("gas", "gas"), ("training", "training"), ("managed", "managed"), ("metrics", "metric"),
    ],
)  # fmt: skip
def test_plural_only_stemmer(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_singular_and_plural_meet() -> None:
    for a, b in [
        ("policy", "policies"),
        ("risk", "risks"),
        ("approach", "approaches"),
        ("process", "processes"),
    ]:
        assert tokenize(a) == tokenize(b)


def test_hyphenated_words_split_and_joined() -> None:
    assert tokenize("co-operation") == ["co", "operation", "cooperation"]
    assert "cooperation" in tokenize("cooperation")
    assert tokenize("high-risk AI systems") == ["high", "risk", "highrisk", "ai", "system"]


def test_possessives_and_list_markers_dropped() -> None:
    assert tokenize("the provider’s obligations under (a) and (b)") == ["provider", "obligation"]


def test_identifier_with_letters_keeps_word_part() -> None:
    toks = tokenize("COVID-19 and OECD/LEGAL/0449")
    assert {"covid-19", "covid", "oecd/legal/0449", "oecd", "legal"} <= set(toks)


def test_normalize() -> None:
    assert normalize("“Straße” – ÉCOLE’s ﬁle") == '"strasse" - ecole\'s file'
    assert normalize("plain ASCII") == "plain ascii"
    assert normalize("が") == "が"  # only Latin diacritics are stripped


# --- speed -------------------------------------------------------------------------------------
def test_corpus_sized_input_under_a_second() -> None:
    files = sorted(CORPUS.glob("*.md"))
    text = "\n".join(f.read_text(encoding="utf-8") for f in files) if files else ""
    words = len(text.split())
    if words < 200_000:  # corpus missing or trimmed: build the same volume from a sample
        sample = (
            "Article 50(2) of Regulation (EU) 2024/1689 requires providers’ AI systems to mark "
            "10,000 outputs. "
        )
        text = sample * (220_000 // len(sample.split()) + 1)
    tokenize(text[:1000])  # warm the regex and word caches' code paths
    best = min(_timed(text) for _ in range(3))
    assert best < 1.0, f"{best:.2f}s for {len(text.split())} words"


def _timed(text: str) -> float:
    t = time.perf_counter()
    tokenize(text)
    return time.perf_counter() - t


# --- properties --------------------------------------------------------------------------------
def _check(tokens: list[str]) -> None:
    assert isinstance(tokens, list)
    for t in tokens:
        assert isinstance(t, str)
        assert t, "empty token"
        assert not any(c.isspace() for c in t), repr(t)
        assert t not in STOP_WORDS


_policyish = st.lists(
    st.sampled_from(
        ["Article", "art.", "5", "(1)", "(f)", " ", "§", "¶", "Sec.", "4.2", "(b)", "(i)", "GOVERN", "6.1",
         "Annex", "III", "10,000", "10 000", "$1.5", "10^26", "10<sup>26</sup>", "²⁶", "A/RES/78/265", "-",
         "/", ".", ",", "CETS", "No.", "’s", "“", "e.g.", "U.S.", "\t", "\n", "(", ")", "policies", "the",
         "x"]
    ),
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_tokenises_cleanly(text: str) -> None:
    _check(tokenize(text))


@settings(max_examples=200, deadline=None)
@given(_policyish)
def test_identifier_soup_tokenises_cleanly(text: str) -> None:
    _check(tokenize(text))


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=50), st.integers(min_value=1_000, max_value=20_000))
def test_huge_inputs_do_not_crash(chunk: str, times: int) -> None:
    _check(tokenize(chunk * times))


def test_pathological_inputs() -> None:
    pathological = [
        "article" + " " * 200_000 + "x", "(1)" * 50_000, "1" * 100_000, "a." * 50_000, "1 000" * 20_000,
        "-" * 100_000, "\u0301" * 10_000, "5" + "(1)" * 20_000,
    ]  # fmt: skip
    for text in pathological:
        t = time.perf_counter()
        _check(tokenize(text))
        assert time.perf_counter() - t < 2.0, text[:20]


def test_what_a_contraction_leaves_is_no_search_term() -> None:
    assert tokenize("the parts it doesn't like, and they won't sign") == ["part", "like", "sign"]
