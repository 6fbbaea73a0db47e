"""Tests for ingest.chunking: the real corpus, document shapes, and invariants under fuzzing."""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunking import Chunk, chunk_document
from ingest.clean import clean_text

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
HEADING_LINE = re.compile(r"[^\S\n]*#{1,6}(?:[^\S\n]|$)")


def load_corpus() -> dict[str, tuple[str, str]]:
    """file name -> (cleaned text, short title)"""
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return {
        entry["file"]: (
            clean_text((CORPUS / entry["file"]).read_text(encoding="utf-8")),
            entry["short_title"],
        )
        for entry in manifest
    }


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, str]]:
    return load_corpus()


@pytest.fixture(scope="module")
def chunked(corpus: dict[str, tuple[str, str]]) -> dict[str, list[Chunk]]:
    return {name: chunk_document(text, title) for name, (text, title) in corpus.items()}


def assert_invariants(text: str, chunks: list[Chunk], *, strict_cover: bool = True) -> None:
    """Offsets map back, chunks are ordered and disjoint, and no body text is lost.

    Between chunks only whitespace or heading lines may be left out; with ``strict_cover`` the
    (stronger) behaviour of this chunker is checked: only whitespace is left out.
    """
    previous_end = 0
    for seq, chunk in enumerate(chunks):
        assert chunk.seq == seq
        assert text[chunk.start : chunk.end] == chunk.text
        assert previous_end <= chunk.start < chunk.end
        assert chunk.text == chunk.text.strip()
        assert chunk.words == len(chunk.text.split())
        assert chunk.section.split(" › ")[0]
        assert all(ref == ref.lower() and ref.strip() == ref for ref in chunk.refs)
        assert len(set(chunk.refs)) == len(chunk.refs)
        gap = text[previous_end : chunk.start]
        assert_only_headings_or_space(gap, strict_cover)
        previous_end = chunk.end
    assert_only_headings_or_space(text[previous_end:], strict_cover)


def assert_only_headings_or_space(gap: str, strict: bool) -> None:
    if strict:
        assert not gap.strip(), gap[:200]
        return
    for line in gap.split("\n"):
        assert not line.strip() or HEADING_LINE.match(line), line[:200]


# --------------------------------------------------------------------------- real corpus


def test_corpus_invariants(corpus: dict[str, tuple[str, str]], chunked: dict[str, list[Chunk]]) -> None:
    for name, (text, _) in corpus.items():
        assert_invariants(text, chunked[name])


def test_corpus_word_counts(chunked: dict[str, list[Chunk]]) -> None:
    words = [chunk.words for chunks in chunked.values() for chunk in chunks]
    low, median, high = min(words), statistics.median(words), max(words)
    print(f"\n{len(words)} chunks; words per chunk min/median/max = {low}/{median}/{high}")
    assert 150 <= median <= 350
    assert low >= 40  # merged tiny siblings: no scraps in this corpus
    assert high <= 350  # no single sentence in the corpus is longer than max_words


def test_corpus_chunks_quickly(corpus: dict[str, tuple[str, str]]) -> None:
    def run() -> float:
        started = time.perf_counter()
        for text, title in corpus.values():
            chunk_document(text, title)
        return time.perf_counter() - started

    assert min(run(), run()) < 2.0


def test_corpus_section_paths_start_with_short_title(
    corpus: dict[str, tuple[str, str]], chunked: dict[str, list[Chunk]]
) -> None:
    for name, (_, title) in corpus.items():
        for chunk in chunked[name]:
            assert chunk.section == title or chunk.section.startswith(title + " › ")
            assert all(len(part) <= 60 for part in chunk.section.split(" › ")[1:]), chunk.section


def find(chunks: list[Chunk], needle: str) -> Chunk:
    return next(chunk for chunk in chunks if needle in chunk.text)


def test_eu_ai_act_article_5_point_f(chunked: dict[str, list[Chunk]]) -> None:
    chunk = find(
        chunked["eu-ai-act-regulation-2024-1689.md"],
        "(f) the placing on the market, the putting into service for this specific purpose,"
        " or the use of AI systems to infer emotions",
    )
    last = chunk.section.split(" › ")[-1]
    assert chunk.section.startswith("EU AI Act › Chapter II › Article 5 › ")
    assert last == "1(f)" or re.fullmatch(r"1\([a-f]\)–\([f-h]\)", last), chunk.section
    assert {"article 5", "article 5(1)", "article 5(1)(f)", "chapter ii"} <= set(chunk.refs)


def test_eu_ai_act_roman_points_after_h(chunked: dict[str, list[Chunk]]) -> None:
    chunk = find(
        chunked["eu-ai-act-regulation-2024-1689.md"],
        "(i) the targeted search for specific victims of abduction",
    )
    assert "article 5(1)(h)(i)" in chunk.refs
    assert "article 5(1)(i)" not in chunk.refs


def test_eu_ai_act_recitals_definitions_and_annexes(chunked: dict[str, list[Chunk]]) -> None:
    chunks = chunked["eu-ai-act-regulation-2024-1689.md"]
    recital = find(chunks, "(27) While the risk-based approach")
    assert "recital 27" in recital.refs and "Recital" in recital.section
    definition = find(chunks, "(1) ‘AI system’ means a machine-based system")
    assert "article 3(1)" in definition.refs
    annex = find(chunks, "4. Employment, workers’ management and access to self-employment")
    assert {"annex iii", "annex iii(4)", "annex iii(4)(a)"} <= set(annex.refs)
    assert " › Annex III" in annex.section
    footnotes = find(chunks, "(1) OJ C 517, 22.12.2021, p. 56.")
    assert footnotes.refs == ()


def test_eo_14110_sections(chunked: dict[str, list[Chunk]]) -> None:
    chunks = chunked["us-executive-order-14110-2023.md"]
    chunk = find(chunks, "any model that was trained using a quantity of computing power greater than 10^26")
    assert {"section 4", "section 4.2", "section 4.2(b)", "section 4.2(b)(i)"} <= set(chunk.refs)
    assert chunk.section.startswith("EO 14110 › Sec. 4 › 4.2 › (b)")
    definitions = find(chunks, "(i) The term “critical infrastructure”")
    assert "section 3(i)" in definitions.refs  # a letter after (h), not a roman numeral


def test_hiroshima_code_of_conduct_items(chunked: dict[str, list[Chunk]]) -> None:
    chunk = find(
        chunked["g7-hiroshima-code-of-conduct-2023.md"],
        "7. Develop and deploy reliable content authentication and provenance mechanisms",
    )
    assert {"item 7", "paragraph 7"} <= set(chunk.refs)
    assert chunk.section == "Hiroshima Code of Conduct › 7"


def test_nist_categories(chunked: dict[str, list[Chunk]]) -> None:
    chunks = chunked["nist-ai-rmf-1-0-2023.md"]
    govern6 = [c for c in chunks if "govern 6" in c.refs]
    assert govern6 and any("GOVERN 6.1:" in c.text for c in govern6)
    assert "govern 6.1" in find(chunks, "GOVERN 6.1:").refs
    assert "map 2.3" in find(chunks, "MAP 2.3:").refs
    assert "measure 2.3" in find(chunks, "MEASURE 2.3:").refs
    assert "manage 4" in find(chunks, "MANAGE 4.1:").refs
    understanding = next(c for c in chunks if c.text.startswith("1.1 Understanding and Addressing Risks"))
    assert {"part 1", "section 1", "section 1.1"} <= set(understanding.refs)
    assert understanding.section == "NIST AI RMF 1.0 › Part 1 › 1 › 1.1"


def test_oecd_principles(chunked: dict[str, list[Chunk]]) -> None:
    chunk = find(
        chunked["oecd-recommendation-on-ai-2024.md"],
        "b) Mechanisms should be in place, as appropriate, to ensure that if AI systems",
    )
    assert {"section 1", "section 1.4", "section 1.4(b)"} <= set(chunk.refs)
    assert chunk.section.startswith("OECD AI Recommendation › Section 1 › 1.4")


def test_coe_bare_labels(chunked: dict[str, list[Chunk]]) -> None:
    chunk = find(
        chunked["coe-framework-convention-ai-cets225-2024.md"],
        "b considering the possible supplementation to or amendment of this Convention",
    )
    assert {"chapter vii", "article 23", "article 23(2)", "article 23(2)(b)"} <= set(chunk.refs)


def test_numbered_paragraphs_of_resolution_and_communique(chunked: dict[str, list[Chunk]]) -> None:
    un = find(chunked["un-ga-resolution-78-265-2024.md"], "(c) Encouraging the incorporation of feedback")
    assert {"item 6", "paragraph 6", "item 6(c)", "paragraph 6(c)"} <= set(un.refs)
    communique = chunked["g7-hiroshima-leaders-communique-2023.md"]
    ukraine = find(communique, "4. We once again condemn")
    assert {"item 4", "paragraph 4"} <= set(ukraine.refs) and ukraine.section.endswith("› Ukraine › 4")
    # "24.We" and "11, We" are typos for numbered paragraphs in the source.
    assert "item 24" in find(communique, "24.We welcome").refs
    assert "item 11" in find(communique, "11, We are determined").refs


def test_bold_lines_are_section_titles_in_communiques(chunked: dict[str, list[Chunk]]) -> None:
    chunk = find(
        chunked["g7-apulia-leaders-communique-2024.md"], "We reaffirm our unwavering support for Ukraine"
    )
    assert chunk.section == "G7 Apulia Communiqué › Steadfast support to Ukraine"


# --------------------------------------------------------------------------- document shapes


def words(n: int, seed: str = "word") -> str:
    return " ".join(f"{seed}{i}" for i in range(n))


def test_empty_and_tiny_documents() -> None:
    assert chunk_document("", "T") == []
    assert chunk_document(" \n\n\t", "T") == []
    chunks = chunk_document("# Title\n\nJust a short note.", "T")
    assert [(c.text, c.section, c.refs) for c in chunks] == [("# Title\n\nJust a short note.", "T", ())]


def test_article_points_and_ranges() -> None:
    points = "\n\n".join(f"({letter}) {words(60, letter)};" for letter in "abcdefgh")
    text = (
        "# Act\n\n## CHAPTER II — PROHIBITED PRACTICES\n\n### Article 5 — Prohibited practices\n\n"
        f"1. The following practices shall be prohibited:\n\n{points}\n\n"
        "Point (h) is without prejudice to other law.\n\n2. A second paragraph. " + words(40)
    )
    chunks = chunk_document(text, "Act")
    assert_invariants(text, chunks)
    assert all(c.words <= 350 for c in chunks)
    for chunk in chunks:
        assert chunk.section.startswith("Act › Chapter II › Article 5")
        assert {"chapter ii", "article 5"} <= set(chunk.refs)
    holding_f = find(chunks, "(f) f0")
    assert "article 5(1)(f)" in holding_f.refs
    last = holding_f.section.split(" › ")[-1]
    assert re.fullmatch(r"1\([a-f]\)(–(\([f-h]\)|2))?", last), holding_f.section
    tail = find(chunks, "Point (h) is without prejudice")
    assert "article 5(1)" in tail.refs


def test_small_points_are_merged_not_emitted_alone() -> None:
    points = "\n\n".join(f"({letter}) short point {letter};" for letter in "abcdefghij")
    text = f"### Article 9 — Things\n\n1. Lead-in:\n\n{points}\n\n2. {words(320)}."
    chunks = chunk_document(text, "T")
    assert_invariants(text, chunks)
    assert len(chunks) == 2
    assert chunks[0].section == "T › Article 9 › 1(a)–(j)"
    assert chunks[1].section == "T › Article 9 › 2"


def test_letter_i_after_h_versus_roman_sub_points() -> None:
    letters = "\n\n".join(f"({c}) item {c}." for c in "ghij")
    romans = "(h) lead:\n\n(i) first sub.\n\n(ii) second sub.\n\n(j) next letter."
    text = f"## Sec. 3. Definitions.\n\n{letters}\n\n## Sec. 4. Other.\n\n(g) g.\n\n{romans}"
    refs = {ref for c in chunk_document(text, "EO", min_words=1, max_words=3) for ref in c.refs}
    assert {"section 3(i)", "section 3(j)"} <= refs
    assert {"section 4(h)(i)", "section 4(h)(ii)", "section 4(j)"} <= refs
    assert "section 4(i)" not in refs and "section 3(h)(i)" not in refs


def test_eo_dotted_subsections_and_deep_points() -> None:
    text = (
        "# EO\n\n## Sec. 4. Safety.\n\n### 4.2. Ensuring Safe AI.\n\n(b) The Secretary shall define:\n\n"
        "(i) any model trained above 10^26 operations; and\n\n(ii) any cluster.\n\n"
        "(c) Because of the emergency:\n\n(i) Propose rules:\n\n(A) first;\n\n(B) second:\n\n"
        "(1) the identity;\n\n(2) the means of payment."
    )
    chunks = chunk_document(text, "EO 14110", min_words=1, max_words=12)
    assert_invariants(text, chunks)
    by_text = {c.text: c for c in chunks}
    point = next(c for t, c in by_text.items() if "10^26" in t)
    assert point.section.startswith("EO 14110 › Sec. 4 › 4.2 › (b)(i)")
    assert {"section 4", "section 4.2", "section 4.2(b)", "section 4.2(b)(i)"} <= set(point.refs)
    deep = find(chunks, "(2) the means of payment")
    assert "section 4.2(c)(i)(b)(2)" in deep.refs


def test_numbered_principles_headings() -> None:
    body = "\n\n".join(f"## {n}. Principle number {n} title\n\n{words(80)}." for n in range(1, 4))
    text = f"# Code\n\nIntro text.\n\n{body}"
    chunks = chunk_document(text, "Code")
    assert_invariants(text, chunks)
    third = find(chunks, "## 3. Principle number 3")
    assert third.section == "Code › 3" and {"item 3", "paragraph 3"} <= set(third.refs)


def test_nist_style_table() -> None:
    text = (
        "## 5. AI RMF Core\n\n5.1 Govern\n\n**GOVERN 1:** Policies are in place.\n\n"
        "- GOVERN 1.1: Legal requirements are understood.\n- GOVERN 1.2: Characteristics are integrated.\n\n"
        "**GOVERN 2:** Accountability structures.\n\n- GOVERN 2.1: Roles are documented.\n\n"
        "Running text after the table."
    )
    chunks = chunk_document(text, "NIST", min_words=1, max_words=8)
    assert_invariants(text, chunks)
    assert {"govern 1", "govern 1.2"} <= set(find(chunks, "GOVERN 1.2:").refs)
    assert "govern 2.1" in find(chunks, "GOVERN 2.1:").refs
    running = find(chunks, "Running text after the table.")
    assert not any(ref.startswith("govern") for ref in running.refs)
    assert {"section 5", "section 5.1"} <= set(running.refs)


def test_oecd_style_sections() -> None:
    text = (
        "## Section 1: Principles\n\n## 1.4. Robustness, security and safety\n\n"
        "a) AI systems should be robust.\n\nb) Mechanisms should be in place.\n\n"
        "## 1.5. Accountability\n\ni. to foster understanding,\n\nii. to make aware."
    )
    chunks = chunk_document(text, "OECD", min_words=1, max_words=6)
    assert_invariants(text, chunks)
    assert {"section 1", "section 1.4", "section 1.4(b)"} <= set(find(chunks, "b) Mechanisms").refs)
    assert "section 1.5(ii)" in find(chunks, "ii. to make aware").refs


def test_treaty_bare_labels() -> None:
    text = (
        "## Chapter VII – Follow-up\n\n### Article 23 – Conference of the Parties\n\n"
        "1 The Conference shall be composed of representatives.\n\n"
        "2 The Parties shall consult with a view to:\n\n"
        "a facilitating the effective application;\n\nb considering amendments;\n\n"
        "3 The Conference shall meet."
    )
    chunks = chunk_document(text, "CoE", min_words=1, max_words=8)
    assert_invariants(text, chunks)
    assert {"chapter vii", "article 23", "article 23(2)", "article 23(2)(b)"} <= set(
        find(chunks, "b considering").refs
    )
    assert "article 23(3)" in find(chunks, "3 The Conference").refs


def test_annex_points() -> None:
    text = (
        "## ANNEX III — High-risk AI systems\n\n4. Employment:\n\n(a) recruitment systems;\n\n"
        "(b) promotion systems.\n\n## ANNEX VII — Conformity\n\n3. Quality management system\n\n"
        "3.1. The application shall include:\n\n(a) the name of the provider;"
    )
    chunks = chunk_document(text, "EU AI Act", min_words=1, max_words=6)
    assert_invariants(text, chunks)
    assert {"annex iii", "annex iii(4)", "annex iii(4)(a)"} <= set(find(chunks, "(a) recruitment").refs)
    assert "annex vii(3.1)(a)" in find(chunks, "(a) the name").refs


def test_recitals_in_preamble() -> None:
    text = (
        "# Regulation\n\nWhereas:\n\n(1) First recital.\n\n(2) Second recital.\n\n"
        "### Article 1 — Subject\n\n1. Text."
    )
    chunks = chunk_document(text, "EU AI Act", min_words=1, max_words=3)
    assert "recital 2" in find(chunks, "(2) Second").refs
    assert "EU AI Act › Recital 2" == find(chunks, "(2) Second").section
    assert "article 1(1)" in find(chunks, "1. Text.").refs


def test_long_sentence_is_never_cut() -> None:
    sentence = words(500) + "."
    text = f"## 1. Heading\n\nShort intro sentence here. {sentence} Another short one."
    chunks = chunk_document(text, "T", min_words=20, max_words=100)
    assert_invariants(text, chunks)
    assert any(sentence in c.text for c in chunks)
    for chunk in chunks:
        assert chunk.words <= 100 or sentence in chunk.text


def test_unnumbered_heading_labels_are_shortened() -> None:
    title = "A very long unnumbered heading that goes on and on about many policy matters of state"
    text = f"## {title}\n\n{words(50)}."
    (chunk,) = chunk_document(text, "T")
    label = chunk.section.split(" › ")[1]
    assert len(label) <= 60 and label.endswith("…") and title.startswith(label[:-1])


def test_chunk_is_frozen() -> None:
    (chunk,) = chunk_document("Some text.", "T")
    with pytest.raises(FrozenInstanceError):
        chunk.text = "changed"  # type: ignore[misc]


# --------------------------------------------------------------------------- properties

FRAGMENTS = st.sampled_from(
    [
        "\n",
        "\n\n",
        " ",
        "# Title\n",
        "## CHAPTER II — X\n",
        "### Article 5 — Y\n",
        "### SECTION 1 — S\n",
        "## ANNEX III — Z\n",
        "## Sec. 4. Q.\n",
        "### 4.2. R.\n",
        "## 7. Principle\n",
        "## Section 1: P\n",
        "## Part 2: Core\n",
        "##\n",
        "#",
        "1. ",
        "2. ",
        "3.1. ",
        "(a) ",
        "(h) ",
        "(i) ",
        "(ii) ",
        "(j) ",
        "(A) ",
        "(1) ",
        "a) ",
        "i. ",
        "I. ",
        "II. ",
        "a ",
        "1 The ",
        "- ",
        "• ",
        "**Bold title**\n",
        "**GOVERN 1:** x",
        "- GOVERN 1.1: y",
        "1.1 Dotted Title\n",
        "Section A\n",
        "Word. ",
        "Art. 5 ",
        "e.g. ",
        "10^26 ",
        "Sentence here. ",
        "lead-in:",
        ";",
        "### Article 34, paragraph 1;\n",
        "x" * 40,
        "<sup>1</sup>",
    ]
)
DOCUMENTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=150).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(DOCUMENTS, st.text()), st.integers(0, 80), st.integers(1, 160))
def test_never_crashes_and_keeps_invariants(text: str, min_words: int, max_words: int) -> None:
    chunks = chunk_document(text, "Doc", min_words=min_words, max_words=max_words)
    assert_invariants(text, chunks, strict_cover=False)
    assert_invariants(text, chunks)
    cleaned = clean_text(text)
    assert_invariants(cleaned, chunk_document(cleaned, "Doc", min_words=min_words, max_words=max_words))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_chunks_respect_max_words_unless_one_sentence(text: str) -> None:
    from rag.text.sentences import sentence_spans

    max_words = 40
    for chunk in chunk_document(text, "Doc", min_words=10, max_words=max_words):
        if chunk.words > max_words:
            body = [s for s, e in sentence_spans(chunk.text) if not HEADING_LINE.match(chunk.text[s:e])]
            assert len(body) <= 1, chunk.text


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(FRAGMENTS, min_size=5, max_size=60), st.integers(200, 1_500))
def test_huge_inputs(fragments: list[str], repeat: int) -> None:
    text = "".join(fragments) * repeat
    chunks = chunk_document(text, "Doc")
    assert_invariants(text, chunks)


def test_huge_real_text_is_fast() -> None:
    text = "\n\n".join(text for text, _ in load_corpus().values())
    started = time.perf_counter()
    chunks = chunk_document(text, "All")
    assert time.perf_counter() - started < 4.0
    assert_invariants(text, chunks)


def test_search_context_names_each_heading_with_its_title(chunked: dict[str, list[Chunk]]) -> None:
    """Paragraph 6 of Article 73 sits under no title line of its own; its context gives it the article's."""
    chunks = chunked["eu-ai-act-regulation-2024-1689.md"]
    later = find(chunks, "6. Following the reporting of a serious incident pursuant to paragraph 1")
    assert "Reporting of serious incidents" not in later.text
    assert later.section.startswith("EU AI Act › Chapter IX › Section 2 › Article 73")
    assert "Article 73 — Reporting of serious incidents" in later.context
    assert "Section 2 — Sharing of information on serious incidents" in later.context
    assert later.context.split(" › ")[-1] == later.section.split(" › ")[-1]  # the same points
    annex = find(chunks, "4. Employment, workers’ management and access to self-employment")
    assert "Annex III — High-risk AI systems referred to in Article 6(2)" in annex.context
    recital = find(chunks, "(27) While the risk-based approach")
    assert recital.context == recital.section  # nothing titled above it


def test_every_context_is_its_section_with_titles_added(chunked: dict[str, list[Chunk]]) -> None:
    for chunks in chunked.values():
        for chunk in chunks:
            plain = [p.split(" — ")[0] for p in chunk.context.split(" › ")]
            assert plain == chunk.section.split(" › "), (chunk.section, chunk.context)
