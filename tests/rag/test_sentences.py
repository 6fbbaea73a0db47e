"""Tests for rag.text.sentences: legal/policy sentence boundaries and span invariants."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import clean_text
from rag.text.sentences import sentence_spans, split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
CORPUS_FILES = sorted(
    CORPUS / entry["file"] for entry in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
)


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """Trimmed, ordered, non-overlapping, and covering every non-whitespace character."""
    previous_end = 0
    covered = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        covered += sum(1 for ch in piece if not ch.isspace())
        previous_end = end
    assert covered == sum(1 for ch in text if not ch.isspace())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Under Art. 5 of the Act, e.g. biometric systems are banned. The U.S. Government agrees.",
            ["Under Art. 5 of the Act, e.g. biometric systems are banned.", "The U.S. Government agrees."],
        ),
        (
            (
                "See No. 300/2008, i.e. the old rules, and Sec. 4.2 and para. 3. Mr. Smith and Dr. Jones"
                " of Acme Ltd. and Foo Inc. disagree vs. others etc. Then it ends."
            ),
            [
                "See No. 300/2008, i.e. the old rules, and Sec. 4.2 and para. 3.",
                "Mr. Smith and Dr. Jones of Acme Ltd. and Foo Inc. disagree vs. others etc. Then it ends.",
            ],
        ),
        (
            "Models trained with more than 10^26 operations. It costs $1.5 billion, up 1.4 points.",
            ["Models trained with more than 10^26 operations.", "It costs $1.5 billion, up 1.4 points."],
        ),
        (
            "4.2. Ensuring Safe and Reliable AI. Next one.",
            ["4.2. Ensuring Safe and Reliable AI.", "Next one."],
        ),
        ("1. The following practices are prohibited:", ["1. The following practices are prohibited:"]),
        ("ii. to make stakeholders aware. Then more.", ["ii. to make stakeholders aware.", "Then more."]),
        ("Is it? Yes! It is.", ["Is it?", "Yes!", "It is."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("referred to in Annex I. The Commission acts.", ["referred to in Annex I.", "The Commission acts."]),
        ("R. METSOLA M. MICHEL", ["R. METSOLA M. MICHEL"]),
        ("a soft\nwrapped line continues here. Second.", ["a soft\nwrapped line continues here.", "Second."]),
    ],
)
def test_split_examples(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_line_breaks_between_paragraphs_and_items_always_split() -> None:
    text = (
        "1. The following AI practices shall be prohibited:\n\n"
        "(a) the placing on the market of AI systems\n"
        "(b) the use of biometric categorisation\n"
        "- a bullet without a full stop\n"
        "• another bullet\n\n"
        "A paragraph without a final stop\n\n"
        "Next paragraph."
    )
    assert split_sentences(text) == [
        "1. The following AI practices shall be prohibited:",
        "(a) the placing on the market of AI systems",
        "(b) the use of biometric categorisation",
        "- a bullet without a full stop",
        "• another bullet",
        "A paragraph without a final stop",
        "Next paragraph.",
    ]


def test_headings_are_their_own_sentence() -> None:
    text = "## Article 5 — Prohibited AI practices\nBody text. More text.\n### 4.2. Ensuring Safe AI.\nx"
    assert split_sentences(text) == [
        "## Article 5 — Prohibited AI practices",
        "Body text.",
        "More text.",
        "### 4.2. Ensuring Safe AI.",
        "x",
    ]


def test_spans_are_offsets_into_the_input() -> None:
    text = "  First one.   Second one.\n\n  (a) third  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one.", "(a) third"]
    assert_valid_spans(text, spans)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "."])
def test_degenerate_inputs(text: str) -> None:
    assert_valid_spans(text, sentence_spans(text))


def test_eu_ai_act_point_is_one_sentence() -> None:
    text = clean_text((CORPUS / "eu-ai-act-regulation-2024-1689.md").read_text(encoding="utf-8"))
    sentences = split_sentences(text)
    point_f = next(
        s
        for s in sentences
        if s.startswith(
            "(f) the placing on the market, the putting into"
            " service for this specific purpose, or the use"
            " of AI systems to infer emotions"
        )
    )
    assert point_f.endswith(";")  # the whole point, up to its closing semicolon
    assert "Regulation (EU) 2024/1689 of the European Parliament" in sentences[0]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_spans_are_valid(path: Path) -> None:
    text = clean_text(path.read_text(encoding="utf-8"))
    spans = sentence_spans(text)
    assert_valid_spans(text, spans)
    assert split_sentences(text) == [text[s:e] for s, e in spans]


def test_eo_14110_numbers_do_not_split() -> None:
    text = clean_text((CORPUS / "us-executive-order-14110-2023.md").read_text(encoding="utf-8"))
    sentence = next(s for s in split_sentences(text) if "10^26" in s)
    assert "10^26 integer or floating-point operations" in sentence


LEGALISH = st.sampled_from(
    [
        "Art. ",
        "No. ",
        "e.g. ",
        "i.e. ",
        "U.S. ",
        "etc. ",
        "Sec. 4.2. ",
        "(a) ",
        "(ii) ",
        "1. ",
        "4.2. ",
        "10^26 ",
        "$1.5 billion ",
        "The end. ",
        "Why? ",
        "Stop! ",
        '"Quote." ',
        "\n",
        "\n\n",
        "# Heading\n",
        "- ",
        "• ",
        "word ",
        "Word ",
        " ",
        "...",
        ". ",
        ".",
        "A. ",
        "x.Y ",
    ]
)
LEGALISH_TEXT = st.lists(st.one_of(LEGALISH, st.text(max_size=6)), max_size=80).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), LEGALISH_TEXT))
def test_spans_always_map_back(text: str) -> None:
    spans = sentence_spans(text)
    assert_valid_spans(text, spans)
    assert split_sentences(text) == [text[s:e] for s, e in spans]


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(LEGALISH, min_size=1, max_size=40), st.integers(1_000, 5_000))
def test_huge_inputs(fragments: list[str], repeat: int) -> None:
    text = "".join(fragments) * repeat
    assert_valid_spans(text, sentence_spans(text))


def test_chunk_similarities_score_only_that_chunks_sentences() -> None:
    from rag.retrieval.sentences import SentenceTable

    vecs = np.eye(3, dtype=np.float32)
    table = SentenceTable.build([("a", 0), ("a", 2), ("b", 0)], vecs, {"a": 0, "b": 1})
    q = np.asarray([0.5, 1.0, 2.0], dtype=np.float32)
    assert table.chunk_similarities(q, 0) == {0: 0.5, 2: 1.0}
    assert table.chunk_similarities(q, 1) == {0: 2.0}
    assert table.chunk_similarities(q, 7) == {}
    assert table.of_chunk(table.similarities(q), 0) == table.chunk_similarities(q, 0)
    assert np.array_equal(table.vector(0, 2), vecs[1]) and table.vector(0, 1) is None


def test_a_table_on_disk_scores_as_in_memory_and_reads_a_chunk_once(tmp_path: Path, monkeypatch) -> None:
    from rag.retrieval import sentences
    from rag.retrieval.sentences import SentenceTable
    from rag.store.file_rows import FileRows

    rng = np.random.default_rng(3)
    vecs = rng.normal(size=(7, 4)).astype(np.float32)
    keys = [("b", 1), ("a", 0), ("c", 0), ("a", 3), ("b", 0), ("c", 2), ("a", 5)]  # a chunk's rows apart
    chunk_row = {"a": 0, "b": 1, "c": 2}
    np.save(tmp_path / "s.npy", vecs)
    memory = SentenceTable.build(keys, vecs, chunk_row)
    disk = SentenceTable.build(keys, FileRows(tmp_path / "s.npy"), chunk_row)
    q = rng.normal(size=4).astype(np.float32)
    for chunks in ([0, 2], [1], [2, 0, 1]):
        want = memory.best_of_chunks(q, np.asarray(chunks), 4)
        assert np.allclose(disk.best_of_chunks(q, np.asarray(chunks), 4), want, atol=1e-6)
    reads = []
    real = FileRows.take
    monkeypatch.setattr(FileRows, "take", lambda self, rows: reads.append(len(rows)) or real(self, rows))
    got = disk.chunk_similarities(q, 0)  # read by best_of_chunks already: kept
    assert reads == [] and got.keys() == memory.chunk_similarities(q, 0).keys()
    assert all(abs(got[p] - s) < 1e-6 for p, s in memory.chunk_similarities(q, 0).items())
    monkeypatch.setattr(sentences, "RECENT_CHUNKS", 1)
    disk._recent.clear()
    disk.best_of_chunks(q, np.asarray([0, 1]), 4)  # more than it keeps: read, and not kept
    disk.chunk_similarities(q, 0)
    assert reads == [5, 3] and len(disk._recent) <= 1
