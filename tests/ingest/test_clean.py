"""Tests for ingest.clean.clean_text: artefact rules, the real corpus, and properties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import clean_text

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CORPUS_FILES = sorted(
    CORPUS / entry["file"] for entry in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("greater than 10<sup>26</sup> integer", "greater than 10^26 integer\n"),
        ("capacity of 10<sup>20</sup> operations", "capacity of 10^20 operations\n"),
        ("10<SUP>-6</SUP> m", "10^-6 m\n"),
        ("the 12<sup>th</sup> WTO Ministerial", "the 12th WTO Ministerial\n"),
        ("the 21<sup>st</sup> century", "the 21st century\n"),
        ("Transparency<sup>20</sup> means", "Transparency[20] means\n"),
        ("as agreed.<sup>3</sup> Next", "as agreed.[3] Next\n"),
        ("CO<sub>2</sub> emissions", "CO2 emissions\n"),
        ("x<sub>i</sub> values", "x_i values\n"),
        ("<u>Private Sector Investment</u>", "Private Sector Investment\n"),
        ('<span class="a">kept</span> <b>words</b>', "kept words\n"),
        ("one<br>two", "one\ntwo\n"),
        ("R&amp;D &#8217;s &eacute;", "R&D ’s é\n"),
        ("AT&T and R&D stay", "AT&T and R&D stay\n"),
        ("the question\u037e the answer", "the question; the answer\n"),
        ("non\u00a0breaking", "non breaking\n"),
        ("soft\u00adhyphen", "softhyphen\n"),
        ("zero\u200bwidth\ufeff", "zerowidth\n"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three\n"),
        ("trailing   \nspaces\t\n", "trailing\nspaces\n"),
        ("a\n\n\n\n\n\nb", "a\n\n\nb\n"),
        ("\n\n\nstart", "start\n"),
        ("- one\n<!-- -->\n- two", "- one\n\n- two\n"),
        ("", ""),
        ("   \n\t\n", ""),
    ],
)
def test_rules(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_text_in_angle_brackets_that_is_not_html_is_kept() -> None:
    raw = "as follows.) <Academic discipline> Research and development"
    assert clean_text(raw) == raw + "\n"


def test_markdown_headings_and_lists_are_kept() -> None:
    raw = "# Title\n\n## CHAPTER II — PROHIBITED AI PRACTICES\n\n### Article 5\n\n1. Text\n\n(a) point\n"
    assert clean_text(raw) == raw


def test_double_escaped_entities_and_tags_reach_a_fixed_point() -> None:
    assert clean_text("a &amp;lt;b&amp;gt; c") == "a  c\n"
    assert clean_text("&am\u00adp;") == "&\n"


def test_unknown_entities_survive_and_stray_sup_tags_go() -> None:
    assert clean_text("&notanentity; <sup>5 and <b") == "&notanentity; 5 and <b\n"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_documents_clean_idempotently(path: Path) -> None:
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    assert clean_text(cleaned) == cleaned
    assert "<sup>" not in cleaned and "<sub>" not in cleaned
    assert "\u037e" not in cleaned and "\u00a0" not in cleaned and "\r" not in cleaned
    assert cleaned.startswith("# ")


def test_eo_14110_exponents() -> None:
    cleaned = clean_text((CORPUS / "us-executive-order-14110-2023.md").read_text(encoding="utf-8"))
    assert "greater than 10^26 integer or floating-point operations" in cleaned
    assert "10^23" in cleaned and "10^20" in cleaned


def test_eu_ai_act_numbers_are_left_as_printed() -> None:
    raw = (CORPUS / "eu-ai-act-regulation-2024-1689.md").read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert cleaned.count("1025") == raw.count("1025") > 0


def test_oecd_greek_question_mark() -> None:
    raw = (CORPUS / "oecd-recommendation-on-ai-2024.md").read_text(encoding="utf-8")
    assert "\u037e" in raw
    assert "\u037e" not in clean_text(raw)


def test_wording_is_preserved_on_the_corpus() -> None:
    # Cleaning only touches markup and special characters: every word of a document
    # without markup comes through unchanged.
    raw = (CORPUS / "coe-framework-convention-ai-cets225-2024.md").read_text(encoding="utf-8")
    assert clean_text(raw).split() == raw.split()


MARKUP = st.sampled_from(
    [
        "<sup>",
        "</sup>",
        "<sub>",
        "</sub>",
        "<b>",
        "</b>",
        "<br/>",
        "<p>",
        "</div>",
        "<!--",
        "-->",
        "&amp;",
        "&lt;",
        "&gt;",
        "&nbsp;",
        "&#8217;",
        "&#x41;",
        "&",
        ";",
        "<",
        ">",
        "10",
        "th",
        "26",
        "\u037e",
        "\u00a0",
        "\u00ad",
        "\r\n",
        "\r",
        "\n",
        "\n\n\n\n",
        " ",
        "\t",
        "# ",
        "word",
        "(a) ",
    ]
)
MARKUP_TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=60).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), MARKUP_TEXT))
def test_idempotent_and_normalised(raw: str) -> None:
    cleaned = clean_text(raw)
    assert clean_text(cleaned) == cleaned
    assert "\r" not in cleaned and "\u037e" not in cleaned and "\u00a0" not in cleaned
    assert "\u00ad" not in cleaned
    assert "\n\n\n\n" not in cleaned
    assert all(line == line.rstrip() for line in cleaned.split("\n"))
    assert cleaned == "" or cleaned.endswith("\n")


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(MARKUP, min_size=1, max_size=50), st.integers(2_000, 8_000))
def test_huge_inputs(fragments: list[str], repeat: int) -> None:
    raw = "".join(fragments) * repeat
    cleaned = clean_text(raw)
    assert clean_text(cleaned) == cleaned
