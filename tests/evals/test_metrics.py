"""Unit tests for the eval metrics on hand-made records: every metric at 0, at 1 and in between.

No models, no store: these run in `make test-fast`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.dataset import DatasetError, EvalQuestion, EvidenceQuote, SupportPair, load_questions
from evals.judge import parse_yes_no
from evals.metrics import (
    CitedSentence,
    Passage,
    aggregate,
    agreement_by_group,
    agreement_stats,
    citation_hit,
    citation_precision,
    citation_recall,
    contains_quote,
    doc_hit_at_k,
    evidence_ranks,
    hit_at_k,
    latency_summary,
    matches_must_include,
    normalize_text,
    percentile,
    quote_coverage,
    ratio,
    recall_at_k,
    reciprocal_rank,
)
from evals.report import render_markdown, write_report
from evals.scoring import score_answer
from evals.summary import build_summary
from rag.core.models import Answer, Citation, Sentence, Source

EU = "eu-ai-act-regulation-2024-1689"
Q1 = EvidenceQuote(
    doc_id=EU, quote="the untargeted scraping of facial images from the internet or CCTV footage"
)
Q2 = EvidenceQuote(doc_id=EU, quote="real-time remote biometric identification in publicly accessible spaces")

GOLD = Passage(
    EU,
    "AI systems that create or expand facial recognition databases through the untargeted "
    "scraping of facial images from the internet or CCTV footage;",
)
GOLD2 = Passage(EU, "the use of ‘real-time’ remote biometric identification in publicly accessible spaces")
OTHER = Passage(EU, "Providers of high-risk AI systems shall ensure that their systems are compliant.")


def substring_judge(sentence: str, passages) -> bool:
    """A transparent stand-in for the SupportChecker: supported iff verbatim in some passage."""
    return any(normalize_text(sentence) in normalize_text(p) for p in passages)


# -- text matching ----------------------------------------------------------------------------------------
def test_normalize_text_ignores_quotes_markup_case_and_soft_hyphens() -> None:
    raw = "**The “Hiroshima AI Process”** – trans\u00adparency at 10<sup>26</sup> FLOPs"
    cleaned = 'the "Hiroshima AI process" - transparency at 10^26 flops'
    assert normalize_text(raw) == normalize_text(cleaned)


def test_contains_quote_whole_partial_and_absent() -> None:
    assert quote_coverage(Q1.quote, GOLD.text) == 1.0
    assert contains_quote(Q1.quote, GOLD.text)
    assert quote_coverage(Q1.quote, OTHER.text) == 0.0
    assert not contains_quote(Q1.quote, OTHER.text)


def test_contains_quote_straddling_a_chunk_boundary_needs_half_of_it() -> None:
    quote = "one two three four five six seven eight nine ten eleven twelve"
    assert contains_quote(quote, "intro text one two three four five six seven")  # 7/12 prefix
    assert contains_quote(quote, "seven eight nine ten eleven twelve and more")  # 6/12 suffix
    assert not contains_quote(quote, "intro one two three four five")  # 5/12: too little
    assert not contains_quote(quote, "four five six seven eight nine")  # middle only: neither end
    assert not contains_quote("short quote here", "short quote")  # short quotes must be whole


def test_words_must_match_whole() -> None:
    assert not contains_quote("act", "the factory")
    assert matches_must_include("in the factory", [["act"]]) is False


# -- retrieval ------------------------------------------------------------------------------------------
def test_retrieval_metrics_all_found_at_rank_one() -> None:
    ranks = evidence_ranks([GOLD, GOLD2, OTHER], [Q1, Q2])
    assert ranks == [1, 2]
    assert hit_at_k(ranks, 1) == 1.0
    assert recall_at_k(ranks, 1) == 0.5
    assert recall_at_k(ranks, 5) == 1.0
    assert reciprocal_rank(ranks) == 1.0


def test_retrieval_metrics_none_found() -> None:
    ranks = evidence_ranks([OTHER, OTHER], [Q1, Q2])
    assert ranks == [None, None]
    assert hit_at_k(ranks, 5) == 0.0
    assert recall_at_k(ranks, 5) == 0.0
    assert reciprocal_rank(ranks) == 0.0


def test_retrieval_metrics_rank_beyond_k_and_mrr() -> None:
    ranks = evidence_ranks([OTHER, OTHER, GOLD], [Q1])
    assert ranks == [3]
    assert hit_at_k(ranks, 2) == 0.0
    assert hit_at_k(ranks, 3) == 1.0
    assert reciprocal_rank(ranks) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranks, k=2) == 0.0


def test_evidence_in_another_document_does_not_count() -> None:
    copy = Passage("g7-hiroshima-leaders-communique-2023", GOLD.text)
    assert evidence_ranks([copy], [Q1]) == [None]
    assert evidence_ranks([copy], [EvidenceQuote(doc_id="", quote=Q1.quote)]) == [1]  # no doc named: any doc


def test_retrieval_metrics_do_not_apply_without_evidence() -> None:
    assert hit_at_k([], 5) is None and recall_at_k([], 5) is None and reciprocal_rank([]) is None
    assert doc_hit_at_k(["a"], [], 5) is None


def test_doc_hit() -> None:
    assert doc_hit_at_k(["x", "y", EU], [EU], 3) == 1.0
    assert doc_hit_at_k(["x", "y", EU], [EU], 2) == 0.0


# -- answers --------------------------------------------------------------------------------------------
def test_must_include_every_group_by_some_alternative() -> None:
    groups = [["February 14, 2024", "14 February 2024"], ["Safety Institute"]]
    assert (
        matches_must_include("The AI “Safety Institute” was set up on 14 February 2024 [1].", groups) is True
    )
    assert matches_must_include("The Safety Institute was set up in 2024.", groups) is False
    assert matches_must_include("nothing relevant", groups) is False
    assert matches_must_include("anything", []) is None


def test_must_include_normalises_case_whitespace_and_quotes() -> None:
    assert matches_must_include("a ‘Machine\nLearning   Paradise’", [["'machine learning paradise'"]])


def test_citation_hit() -> None:
    assert citation_hit([OTHER, GOLD], [Q1]) == 1.0
    assert citation_hit([OTHER], [Q1]) == 0.0
    assert citation_hit([], [Q1]) == 0.0
    assert citation_hit([GOLD], []) is None


def test_citation_recall_and_precision() -> None:
    supported = CitedSentence("the untargeted scraping of facial images", [GOLD.text])
    unsupported = CitedSentence("all facial recognition is banned", [OTHER.text])
    uncited = CitedSentence("the untargeted scraping of facial images", [])
    assert citation_recall([supported], substring_judge) == 1.0
    assert citation_precision([supported], substring_judge) == 1.0
    assert citation_recall([unsupported, uncited], substring_judge) == 0.0
    assert citation_precision([unsupported], substring_judge) == 0.0
    two_cites = CitedSentence("the untargeted scraping of facial images", [GOLD.text, OTHER.text])
    assert citation_recall([two_cites], substring_judge) == 1.0  # the union of its passages supports it
    assert citation_precision([two_cites], substring_judge) == 0.5  # OTHER alone does not
    assert citation_recall([], substring_judge) is None
    assert citation_precision([uncited], substring_judge) is None


# -- scoring whole answers --------------------------------------------------------------------------------
def _source(n: int, p: Passage) -> Source:
    return Source(
        n=n,
        chunk_id=f"c{n}",
        doc_id=p.doc_id,
        title="EU AI Act",
        section="Article 5",
        text=p.text,
        start=0,
        end=len(p.text),
    )


def _answer(text: str, sources: list[Source], cited: list[int], abstained: bool = False) -> Answer:
    by_n = {s.n: s for s in sources}
    return Answer(
        answer=text,
        abstained=abstained,
        mode="extractive",
        question="q",
        standalone_question="q",
        sources=sources,
        citations=[Citation(**by_n[n].model_dump()) for n in cited],
        sentences=[] if abstained else [Sentence(text=text, citations=cited, verified=True)],
    )


def _question(answerable: bool = True) -> EvalQuestion:
    return EvalQuestion(
        id="t1",
        split="dev",
        kind="fact" if answerable else "unanswerable",
        question="What does Article 5 ban about facial images?",
        must_include=[["untargeted scraping"]] if answerable else [],
        gold_docs=[EU] if answerable else [],
        evidence=[Q1] if answerable else [],
        answerable=answerable,
    )


def test_score_perfect_answer() -> None:
    srcs = [_source(1, GOLD), _source(2, OTHER)]
    s = score_answer(
        _question(), _answer("the untargeted scraping of facial images", srcs, [1]), 5, substring_judge
    )
    assert s["hit_at_1"] == s["hit_at_k"] == s["mrr"] == s["recall_at_k"] == s["doc_hit_at_k"] == 1.0
    assert s["accuracy"] == s["correct"] == s["citation_hit"] == 1.0
    assert s["citation_recall"] == s["citation_precision"] == 1.0
    assert s["false_abstention"] == 0.0 and s["abstention_recall"] is None


def test_score_wrong_answer_with_wrong_citation() -> None:
    srcs = [_source(1, OTHER), _source(2, GOLD)]
    s = score_answer(_question(), _answer("providers shall ensure compliance", srcs, [1]), 5, substring_judge)
    assert s["hit_at_1"] == 0.0 and s["hit_at_k"] == 1.0 and s["mrr"] == 0.5
    assert s["accuracy"] == 0.0 and s["citation_hit"] == 0.0
    assert s["citation_recall"] == 0.0 and s["citation_precision"] == 0.0


def test_score_false_abstention_on_answerable() -> None:
    srcs = [_source(1, GOLD)]
    # Even if the abstention text happened to contain the words, an abstention is not an answer.
    s = score_answer(
        _question(), _answer("untargeted scraping", srcs, [], abstained=True), 5, substring_judge
    )
    assert s["false_abstention"] == 1.0
    assert s["accuracy"] == 0.0 and s["citation_hit"] == 0.0
    assert s["citation_recall"] is None and s["citation_precision"] is None


def test_score_unanswerable() -> None:
    srcs = [_source(1, OTHER)]
    abstained = score_answer(
        _question(False), _answer("not covered", srcs, [], abstained=True), 5, substring_judge
    )
    assert abstained["abstention_recall"] == 1.0 and abstained["correct"] == 1.0
    assert (
        abstained["hit_at_k"] is None
        and abstained["accuracy"] is None
        and abstained["false_abstention"] is None
    )
    answered = score_answer(
        _question(False), _answer("providers shall ensure", srcs, [1]), 5, substring_judge
    )
    assert answered["abstention_recall"] == 0.0 and answered["correct"] == 0.0


def test_second_judge_adds_llm_scores() -> None:
    srcs = [_source(1, GOLD)]
    s = score_answer(_question(), _answer("x y z", srcs, [1]), 5, substring_judge, lambda s, p: True)
    assert s["citation_recall"] == 0.0 and s["citation_recall_llm"] == 1.0


# -- judge calibration ------------------------------------------------------------------------------------
def test_agreement_perfect_and_inverted() -> None:
    gold = [True, True, False, False]
    perfect = agreement_stats(gold, gold)
    assert perfect["accuracy"] == perfect["f1"] == perfect["kappa"] == 1.0
    inverted = agreement_stats(gold, [not g for g in gold])
    assert inverted["accuracy"] == 0.0 and inverted["f1"] == 0.0 and inverted["kappa"] == -1.0


def test_agreement_constant_judge_has_zero_kappa() -> None:
    st = agreement_stats([True, True, False, False], [True] * 4)
    assert st["accuracy"] == 0.5 and st["recall"] == 1.0 and st["precision"] == 0.5 and st["kappa"] == 0.0


def test_agreement_by_perturbation() -> None:
    by = agreement_by_group([True, False, False], [True, True, False], ["none", "date", "negation"])
    assert by["overall"]["accuracy"] == pytest.approx(2 / 3)
    assert by["date"]["accuracy"] == 0.0 and by["negation"]["accuracy"] == 1.0
    # Only unsupported pairs in a group: recall and kappa are undefined, not zero.
    assert by["negation"]["recall"] is None and by["negation"]["kappa"] is None
    with pytest.raises(ValueError):
        agreement_stats([True], [])


def test_support_pair_labels() -> None:
    assert SupportPair(sentence="s", passage="p", label="supported").label is True
    assert SupportPair(sentence="s", passage="p", label="unsupported").label is False
    assert SupportPair(sentence="s", passage="p", label=True, perturbation=None).perturbation == "none"


def test_parse_yes_no() -> None:
    assert parse_yes_no(" Yes.") and parse_yes_no("**yes**")
    assert not parse_yes_no("No") and not parse_yes_no("")


# -- latency and aggregation --------------------------------------------------------------------------------
def test_percentiles_match_numpy_linear() -> None:
    xs = [1.0, 2.0, 3.0, 4.0, 100.0]
    assert percentile(xs, 50) == 3.0
    assert percentile(xs, 95) == pytest.approx(80.8)
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0


def test_latency_summary_per_stage() -> None:
    lat = latency_summary([{"retrieve": 10, "total": 20}, {"retrieve": 30, "total": 40, "generate": 5}])
    assert lat["retrieve"]["p50"] == 20 and lat["total"]["n"] == 2 and lat["generate"]["n"] == 1


def test_aggregate_skips_not_applicable() -> None:
    agg = aggregate([{"a": 1.0, "b": None}, {"a": 0.0, "b": None}], ["a", "b"])
    assert agg["a"] == {"mean": 0.5, "n": 2}
    assert agg["b"] == {"mean": None, "n": 0}
    assert ratio(0.9, 0.3) == pytest.approx(3.0) and ratio(1.0, 0.0) is None and ratio(None, 1.0) is None


# -- dataset, summary and report plumbing -------------------------------------------------------------------
def test_load_questions_filters_split_and_rejects_bad_lines(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "split": "dev", "question": "q?", "must_include": ["x"], "history": [["user", "hi"]]},
        {"id": "b", "split": "test", "question": "q?"},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    dev = load_questions(path, "dev")
    assert (
        [q.id for q in dev] == ["a"] and dev[0].must_include == [["x"]] and dev[0].history[0].role == "user"
    )
    assert len(load_questions(path, "all")) == 2 and len(load_questions(path, "all", limit=1)) == 1
    path.write_text(json.dumps({"id": "a", "split": "train", "question": "q"}) + "\n")
    with pytest.raises(DatasetError, match=":1: split"):
        load_questions(path)


def _records() -> list[dict]:
    out = []
    for system, hit, ms in (("policyqa", 1.0, 50.0), ("baseline", 0.5, 10.0)):
        for i, kind in enumerate(["fact", "fact", "unanswerable"]):
            answerable = kind != "unanswerable"
            scores = {
                "hit_at_k": hit if answerable else None,
                "abstention_recall": None if answerable else 1.0,
            }
            out.append(
                {
                    "system": system,
                    "id": f"q{i}",
                    "kind": kind,
                    "answerable": answerable,
                    "scores": scores,
                    "timings_ms": {"retrieve": ms, "total": 2 * ms},
                    "error": "",
                }
            )
    return out


def test_summary_and_report(tmp_path: Path) -> None:
    summary = build_summary(_records(), split="dev", mode="extractive", k=5, systems=["policyqa", "baseline"])
    assert summary["n_questions"] == 3 and summary["n_unanswerable"] == 1
    assert summary["metrics"]["policyqa"]["overall"]["hit_at_k"] == {"mean": 1.0, "n": 2, "ci95": [1.0, 1.0]}
    assert summary["ratios"]["overall"]["hit_at_k"] == 2.0
    assert summary["latency_ms"]["baseline"]["total"]["p50"] == 20.0
    assert summary["latency_ms_by_kind"]["policyqa"]["unanswerable"]["total"]["n"] == 1
    md = render_markdown(summary)
    assert "| hit@5 | 1.000 | 1.000–1.000 | 0.500 | 2.00× | 2 |" in md
    write_report(tmp_path / "run", _records(), summary)
    for name in ("results.jsonl", "summary.json", "report.md", "metrics_by_kind.png", "latency.png"):
        assert (tmp_path / "run" / name).stat().st_size > 0


def test_baseline_extractive_sentences_are_judged_without_their_rendering() -> None:
    from evals.baseline import unrender_extractive

    text = (
        "Japan’s AI Diplomacy: “Japan was dubbed a “machine learning paradise” for AI users.” [1]\n"
        "“2. More.” [2]"
    )
    assert (
        unrender_extractive(text)
        == "Japan was dubbed a “machine learning paradise” for AI users. [1]\n2. More. [2]"
    )
    assert (
        unrender_extractive("A generated sentence [1]. Another [2].")
        == "A generated sentence [1]. Another [2]."
    )


def test_llm_judge_asks_an_openai_compatible_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from evals.judge import LLMJudge

    seen: list[dict] = []

    def fake_post(url: str, json: dict, headers: dict, timeout: float) -> httpx.Response:
        seen.append({"url": url, **json})
        content = "Yes." if "scraping" in json["messages"][0]["content"] else "No"
        return httpx.Response(
            200, json={"choices": [{"message": {"content": content}}]}, request=httpx.Request("POST", url)
        )

    monkeypatch.setattr("evals.judge.httpx.post", fake_post)
    monkeypatch.setenv("POLICYQA_JUDGE_BASE_URL", "http://judge.local/v1/")
    monkeypatch.setenv("POLICYQA_JUDGE_MODEL", "m")
    judge = LLMJudge.from_env()
    assert judge is not None
    assert judge("untargeted scraping", [GOLD.text]) is True
    assert judge("untargeted scraping", [GOLD.text]) is True  # cached: one call
    assert judge("something else", [OTHER.text]) is False
    assert [s["url"] for s in seen] == ["http://judge.local/v1/chat/completions"] * 2
    assert seen[0]["model"] == "m" and seen[0]["temperature"] == 0


def test_llm_judge_is_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from evals.judge import LLMJudge

    monkeypatch.delenv("POLICYQA_JUDGE_BASE_URL", raising=False)
    assert LLMJudge.from_env() is None


def test_user_question_set_loads_and_splits_by_hash() -> None:
    from evals.dataset import QUESTION_SETS, hash_split, load_question_set

    users = load_question_set(QUESTION_SETS["users"])
    assert len(users) >= 300 and all(q.split == hash_split(q.id) for q in users)
    both = load_question_set(QUESTION_SETS["all"], "dev")
    assert {q.split for q in both} == {"dev"} and len(both) > len(
        load_question_set(QUESTION_SETS["v1"], "dev")
    )
    assert hash_split("u-para-001") in {"dev", "test"}
    assert len({hash_split(f"x{i}") for i in range(20)}) == 2  # both halves occur


def test_question_sets_must_not_repeat_ids(tmp_path: Path) -> None:
    from evals.dataset import load_question_set

    line = '{"id": "q1", "split": "dev", "question": "Q?", "answerable": false}\n'
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(line, encoding="utf-8")
    b.write_text(line, encoding="utf-8")
    with pytest.raises(DatasetError, match="repeat"):
        load_question_set([a, b])
