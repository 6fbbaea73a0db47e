"""Evidence selection on hand-built hits: ranking, clause priority, diversity, and the numbers it reports."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.core.models import Source
from rag.evidence import EvidenceSelector, has_date, has_quantity, query_terms
from rag.question_names import question_entities, unmatched_entities
from rag.retrieval import Hit
from rag.text.acronyms import spelled_out_initials
from rag.text.tokenize import tokenize

QUESTION = "What does it say about watermark provenance?"


def hit(
    cid: str, body: str, *, score: float = 0.5, dense: float = 0.5, ref: float = 0.0, **md: object
) -> Hit:
    heading = f"EU AI Act › {cid}\n"  # chunks carry their heading path before the body
    metadata = {"doc_id": f"doc-{cid}", "title": "EU AI Act", "body_offset": len(heading), **md}
    return Hit(
        Document(id=cid, page_content=heading + body, metadata=metadata), score=score, dense=dense, ref=ref
    )


def test_query_terms_drop_question_words_document_names_and_repeats() -> None:
    assert query_terms("What does the EU AI Act say about watermarks and watermark provenance?") == [
        "eu",
        "ai",
        "act",
        "watermark",
        "provenance",
    ]
    assert query_terms("What does the EU AI Act say about watermarks?", {"eu", "ai", "act"}) == ["watermark"]


def test_no_hits_no_sources() -> None:
    ev = EvidenceSelector().select(QUESTION, [], k=5)
    assert ev.sources == [] and ev.strength == 0.0 and not ev.clause_match
    assert ev.query_terms == ["watermark", "provenance"]


def test_sources_are_numbered_and_carry_the_chunk_metadata() -> None:
    body = "Providers shall watermark outputs. Provenance must be logged."
    h = hit("a", body, start=500, section="Article 50", url="https://example.org", date="2024-07-12")
    ev = EvidenceSelector().select(QUESTION, [h], k=5)
    (src,) = ev.sources
    assert (src.n, src.chunk_id, src.doc_id, src.section, src.url, src.date) == (
        1,
        "a",
        "doc-a",
        "Article 50",
        "https://example.org",
        "2024-07-12",
    )
    assert (src.text, src.start, src.end) == (body, 500, 500 + len(body))
    first, second = ev.sentences[1]
    assert (first.text, first.start, first.end, first.position) == (
        "Providers shall watermark outputs.",
        500,
        534,
        0,
    )
    assert (second.text, second.start, second.position) == ("Provenance must be logged.", 535, 1)


def test_coverage_is_idf_weighted() -> None:
    selector = EvidenceSelector({"watermark": 3.0, "provenance": 1.0})
    ev = selector.select(
        QUESTION, [hit("a", "Providers shall watermark outputs. Provenance must be logged.")], k=1
    )
    assert [s.coverage for s in ev.sentences[1]] == [0.75, 0.25]
    assert selector.coverage(["watermark", "provenance"], {"provenance"}) == 0.25
    assert selector.coverage([], {"provenance"}) == 0.0


def test_relevance_score_and_strength() -> None:
    # One hit, fused score at the maximum, dense 0.6, every term in its best sentence:
    # 0.35 * 1 + 0.35 * 0.6 + 0.15 * 1 + 0.15 * 1; strength 0.5 * 0.6 + 0.5 * 1.
    ev = EvidenceSelector().select(QUESTION, [hit("a", "Watermark provenance is required.", dense=0.6)], k=1)
    assert ev.sources[0].score == pytest.approx(0.86)
    assert ev.strength == pytest.approx(0.8)


def test_a_passage_with_near_synonyms_of_the_question_is_lifted_by_the_soft_coverage() -> None:
    """The rerank's exact-word coverage sees nothing of "boss" in "employer"; the soft coverage (here a
    stand-in that knows that one pair; the real table: tests/rag/test_word_vectors.py) lifts it."""
    question = "can my boss read my emotions"
    plain = hit("plain", "Systems that read emotions are listed.", score=1.0, dense=0.6)
    synonym = hit("synonym", "An employer may not infer emotions.", score=0.9, dense=0.6)

    def soft(q: str, texts: list[str]) -> list[float]:
        return [float("employer" in t) for t in texts]

    assert [s.chunk_id for s in EvidenceSelector().select(question, [plain, synonym], 1).sources] == ["plain"]
    lifted = EvidenceSelector(soft=soft, soft_weight=0.2).select(question, [plain, synonym], 1)
    assert [s.chunk_id for s in lifted.sources] == ["synonym"]
    off = EvidenceSelector(soft=soft, soft_weight=0.0).select(question, [plain, synonym], 1)
    assert [s.chunk_id for s in off.sources] == ["plain"]


def test_a_clause_match_comes_first_whatever_its_scores() -> None:
    strong = hit("strong", "Watermark provenance of outputs is required.", score=1.0, dense=0.9)
    clause = hit("clause", "Providers shall ensure outputs are marked.", score=0.1, dense=0.1, ref=1.0)
    ev = EvidenceSelector().select(QUESTION, [strong, clause], k=2)
    assert [s.chunk_id for s in ev.sources] == ["clause", "strong"]
    assert ev.clause_match


def test_an_enclosing_clause_alone_is_no_clause_match() -> None:
    parent = hit("parent", "Providers shall ensure outputs are marked.", ref=0.5)
    ev = EvidenceSelector().select(QUESTION, [parent], k=1)
    assert ev.sources[0].chunk_id == "parent" and not ev.clause_match


def test_diversity_passes_over_a_near_duplicate() -> None:
    text = "Providers shall watermark synthetic content."
    a = hit("a", text, score=1.0)
    copy = hit("copy", text, score=0.5)  # more relevant than b on its own
    b = hit("b", "Deployers shall watermark deepfakes.", score=0.8)
    selector = EvidenceSelector()
    question = "watermark synthetic content"
    assert [s.chunk_id for s in selector.select(question, [a, copy, b], k=3).sources] == ["a", "b", "copy"]
    assert [s.chunk_id for s in selector.select(question, [a, copy, b], k=2).sources] == ["a", "b"]


def test_date_and_quantity_detectors() -> None:
    assert has_date("adopted on 13 June 2024") and has_date("since 2019") and has_date("May 21, 2024")
    assert not has_date("Article 5 applies to providers")
    assert (
        has_quantity("within 15 days")
        and has_quantity("fines of EUR 35 000 000")
        and has_quantity("three years")
    )
    assert not has_quantity("point (f) of Article 5")


def test_a_name_no_passage_mentions_is_reported() -> None:
    src = Source(
        n=1,
        chunk_id="c1",
        doc_id="d1",
        title="EU AI Act",
        text="Providers of general-purpose AI models shall publish a summary.",
        start=0,
        end=10,
    )
    question = "What do China's Interim Measures say about general-purpose AI models?"
    assert unmatched_entities(question, [src], ignore=set()) == ["China's Interim Measures"]
    assert unmatched_entities("What does the EU AI Act say about models?", [src], ignore=set()) == []


def test_initials_that_a_passage_spells_out_are_no_missing_name() -> None:
    """ "ITU" is the passage's "International Telecommunication Union"; "FTC" is spelled out by none."""
    text = (
        "Taking note of the efforts of the International Telecommunication Union, in partnership with 40 "
        "United Nations bodies, to convene the Artificial Intelligence for Good platform."
    )
    src = Source(n=1, chunk_id="c1", doc_id="d1", title="UNGA Resolution", text=text, start=0, end=len(text))
    vocab = frozenset(tokenize(text))
    asked = "How many UN bodies are partnering with the ITU on AI for Good?"
    assert unmatched_entities(asked, [src], ignore=set(), vocab=vocab) == []
    assert unmatched_entities("Does FTC run AI for Good?", [src], ignore=set(), vocab=vocab) == ["FTC"]
    # initials in the wrong order, or words in lower case, spell nothing out
    assert spelled_out_initials("UTI", [text]) == set()
    assert spelled_out_initials("ITU", [text.lower()]) == set()
    assert spelled_out_initials("the ITU and AIG, not WHO", [text]) == {"itu", "aig"}


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Must AI-made pictures be labelled under the EU AI Act?", ["EU AI Act"]),
        ("Does an app like Midjourney have to mark AI-generated images?", ["Midjourney"]),
        ("What did the Bletchley Declaration commit countries to?", ["Bletchley Declaration"]),
        # Two bodies named together are two names: a passage may say "MIC and METI".
        ("why did METI and MIC write the guidelines on their own?", ["METI", "MIC"]),
        (
            "What does the National Institute of Standards and Technology do?",
            ["National Institute of Standards and Technology"],
        ),
        # Capitalised only because they open the sentence: no names.
        ("Say a country ratifies the convention and later regrets it — can it walk away?", []),
        ("Anything else it is looking ahead to?", []),
        # ... and so is the first word of any later sentence or clause: "Are CV-screening" was a
        # two-word name no passage held, and declined the question.
        (
            "I run a small HR software company. Are CV-screening tools high-risk under the EU rules?",
            ["HR", "CV-screening", "EU"],
        ),
        ("quick one: Does the convention cover defence?", []),
        ("hmm — Are deepfakes banned?", []),
        (
            "Microsoft said it will build a lab. Where is Microsoft Research going?",
            ["Microsoft", "Microsoft Research"],
        ),
    ],
)
def test_ai_compounds_are_not_names(question: str, names: list[str]) -> None:
    assert question_entities(question) == names


def test_the_corpus_is_said_to_lack_a_name_only_when_a_word_of_it_is_in_no_chunk() -> None:
    from rag.question_names import missing_names_warnings

    vocab = {"council", "europe", "march", "2024", "convention"}
    said = missing_names_warnings(["OpenAI", "Council of Europe", "March 2024"], vocab)
    assert said[0].startswith("the corpus does not mention OpenAI;")
    assert said[1].startswith("the passages found do not mention Council of Europe, March 2024;")
    assert missing_names_warnings(["Council of Europe"], vocab) == [
        "the passages found do not mention Council of Europe; the answer is on the rest of the question"
    ]
    assert missing_names_warnings([], vocab) == []


def test_a_sentence_is_also_scored_with_its_headings_titles() -> None:
    """Annex III's items never say "high-risk"; their heading does, and the reader reads both."""
    body = "(b) AI systems intended to be used to evaluate the creditworthiness of natural persons."
    titled = "EU AI Act › Annex III — High-risk AI systems referred to in Article 6(2) › 5(b)\n"
    meta = {"doc_id": "eu", "title": "EU AI Act", "body_offset": len(titled)}
    under_title = Hit(Document(id="a", page_content=titled + body, metadata=meta), score=0.5, dense=0.5)
    plain = hit("b", body)
    question = "Is a credit scoring AI high-risk?"
    got = EvidenceSelector().select(question, [under_title, plain], 2)
    by_chunk = {src.chunk_id: src.n for src in got.sources}
    titled_s = got.sentences[by_chunk["a"]][0]
    plain_s = got.sentences[by_chunk["b"]][0]
    assert titled_s.coverage == plain_s.coverage  # the sentence's own words are the same
    assert titled_s.context_coverage > titled_s.coverage  # "high-risk" is in its heading
    assert plain_s.context_coverage == plain_s.coverage  # "EU AI Act › b" adds no question word
