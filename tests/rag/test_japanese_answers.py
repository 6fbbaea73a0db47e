"""Japanese answers in the generative modes: the prompt asks for Japanese, and each Japanese sentence is
checked against the English passage it cites (rag/citations/japanese.py) with the same hard gate on
dates, numbers and names as an English sentence."""

from __future__ import annotations

import pytest
from support import ScriptedAnswerer

from rag.chain import AskRequest
from rag.citations.analysis import analyse
from rag.citations.japanese import JapaneseChecker
from rag.citations.markers import parse_answer
from rag.citations.support import SupportChecker
from rag.core.models import Answer, Source
from rag.drafting import UNVERIFIED_NOTICE_JA, flag_unsupported_opening, llm_question
from rag.prompting import ANSWER_INSTRUCTION, ANSWER_INSTRUCTION_JA, answer_messages
from rag.translate.numbers import normalise_japanese
from rag.translate.translator import JapaneseTranslator

# Corpus passages (EU AI Act Art. 50(2) and 113, the OECD Recommendation, The Diplomat), with the header
# the verifier puts above a passage.
LABELLING = (
    "EU AI Act · Article 50\n\nProviders of AI systems, including general-purpose AI systems, "
    "generating synthetic audio, image, video or text content, shall ensure that the outputs of the AI "
    "system are marked in a machine-readable format and detectable as artificially generated or manipulated."
)
ENTRY = (
    "EU AI Act · Article 113\n\nThis Regulation shall enter into force on the twentieth day following that "
    "of its publication in the Official Journal of the European Union. It shall apply from 2 August 2026."
)
OECD = (
    "OECD AI Recommendation\n\nRecommendations are adopted by Council and are not legally binding. They "
    "represent a political commitment to the principles they contain and entail an expectation that "
    "Adherents will do their best to implement them."
)
AISI = (
    "On February 14, 2024, the Japan AI Safety Institute was established to advance research on methods for "
    "evaluating AI safety in conjunction with domestic and external ministries and agencies."
)

# (passage, Japanese sentence, supported?): written by hand, each unsupported one wrong in one way.
PAIRS = [
    (
        LABELLING,
        "合成画像を生成するAIシステムの提供者は、出力を機械可読な形式で表示しなければなりません。",
        True,
    ),
    (LABELLING, "提供者は2025年までに出力を表示しなければなりません。", False),  # a year the source lacks
    (LABELLING, "提供者は社会的スコアリングを行ってはなりません。", False),  # another rule
    (ENTRY, "この規則は2026年8月2日から適用されます。", True),
    (ENTRY, "この規則は2027年8月2日から適用されます。", False),  # the wrong year
    (ENTRY, "この規則は官報に掲載された日から20日目に発効します。", True),
    (OECD, "OECDの勧告は法的拘束力を持ちません。", True),
    (OECD, "OECDの勧告には法的拘束力があります。", False),  # the denial dropped
    (OECD, "勧告は政治的なコミットメントを表しています。", True),
    (AISI, "日本のAIセーフティ・インスティテュートは2024年2月14日に設立されました。", True),
    (AISI, "日本のAIセーフティ・インスティテュートは2023年2月14日に設立されました。", False),
    (AISI, "NISTは2024年2月14日にAIセーフティ・インスティテュートを設立しました。", False),  # another body
    (AISI, "AIの安全性を評価する手法の研究を進めるために設立されました。", True),
    (AISI, "この研究所は生成AIの著作権侵害を取り締まります。", False),  # something else
]


@pytest.fixture(scope="module")
def japanese() -> JapaneseChecker:
    return JapaneseChecker(JapaneseTranslator.load())


@pytest.mark.parametrize(("passage", "sentence", "supported"), PAIRS)
def test_a_japanese_sentence_is_checked_against_its_english_source(
    japanese: JapaneseChecker, passage: str, sentence: str, supported: bool
) -> None:
    verdict = japanese.verdict(sentence, analyse(passage))
    assert verdict.supported is supported, verdict.reason


def test_must_is_no_denial_and_must_not_is(japanese: JapaneseChecker) -> None:
    assert not japanese.translator.denies("提供者は表示しなければなりません。")
    assert japanese.translator.denies("提供者は表示してはなりません。")
    assert japanese.translator.denies("この勧告に法的拘束力はありません。")
    assert japanese.translator.denies("ソーシャルスコアリングは禁止されています。")
    assert not japanese.translator.denies("リスクの少ないシステムです。")


def test_japanese_sentences_are_split_at_the_full_stop() -> None:
    parsed = parse_answer(
        "8月2日から適用されます[1]。提供者は表示しなければなりません[2]。「引用。」と述べた[1]"
    )
    assert [p.text for p in parsed] == [
        "8月2日から適用されます。",
        "提供者は表示しなければなりません。",
        "「引用。」と述べた",
    ]
    assert [p.cited for p in parsed] == [[1], [2], [1]]


def test_a_japanese_question_is_put_to_the_llm_in_japanese() -> None:
    question = "日本のAIセーフティ・インスティテュートはいつ設立されましたか?"
    asked = llm_question(question, "When Japan AI Safety Institute established?")
    assert asked.startswith(question) and "When Japan AI Safety Institute established?" in asked
    assert llm_question("When was it set up?", "When was the AISI set up?") == "When was the AISI set up?"
    source = Source(n=1, chunk_id="c", doc_id="d", title="t", text=AISI, start=0, end=len(AISI))
    assert answer_messages(asked, [source])[-1]["content"].endswith(ANSWER_INSTRUCTION_JA)
    assert answer_messages("When?", [source])[-1]["content"].endswith(ANSWER_INSTRUCTION)


def test_an_unsupported_japanese_opening_is_flagged_in_japanese(japanese: JapaneseChecker) -> None:
    source = Source(n=1, chunk_id="c", doc_id="d", title="t", text=AISI, start=0, end=len(AISI))
    checker = SupportChecker(japanese=japanese)
    opening = "日本のAIセーフティ・インスティテュートは"
    draft = [opening, "2023年2月14日に設立されました[1]。", "研究を", "進めます[1]。"]
    out = list(flag_unsupported_opening(draft, [source], checker))
    # flagged once the second sentence has begun, before it has streamed
    assert out.index(UNVERIFIED_NOTICE_JA) == 3 and out[-1] == draft[-1]
    right = [opening, "2024年2月14日に設立されました[1]。", *draft[2:]]
    assert UNVERIFIED_NOTICE_JA not in list(flag_unsupported_opening(right, [source], checker))


QUESTION = "日本のAIセーフティ・インスティテュートはいつ設立されましたか?"


@pytest.mark.slow
def test_a_japanese_answer_keeps_its_supported_sentence_and_drops_a_wrong_date(services) -> None:  # type: ignore[no-untyped-def]
    answerer = ScriptedAnswerer(
        "日本のAIセーフティ・インスティテュートは2024年2月14日に設立されました[{n}]。"
        "同研究所は2023年5月1日に閉鎖されました[{n}]。",
        anchor="Japan AI Safety Institute was established",
    )
    a = answerer.ask(services, QUESTION)
    assert a.question_language == "ja"
    assert a.answer.startswith("日本のAIセーフティ・インスティテュートは2024年2月14日に設立されました")
    assert "2023年5月1日" not in a.answer
    verdicts = [(s.verified, s.reason) for s in a.sentences]
    assert verdicts[0][0] and not verdicts[1][0] and "2023" in verdicts[1][1], verdicts
    assert [(c.name, c.passed) for c in a.checks] == [("support", False), ("completeness:date", True)]


@pytest.mark.slow
def test_the_real_models_japanese_draft_is_checked_sentence_by_sentence(services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import rag.answerers.local as local

    prompts: list[str] = []

    def recorded(*args, **kwargs):  # type: ignore[no-untyped-def]
        messages = answer_messages(*args, **kwargs)
        prompts.append(messages[-1]["content"])
        return messages

    monkeypatch.setattr(local, "answer_messages", recorded)
    a: Answer = services.chain.invoke(AskRequest(question=QUESTION, mode="local", top_k=2))
    assert prompts and prompts[-1].endswith(ANSWER_INSTRUCTION_JA) and QUESTION in prompts[-1]
    # Whatever the 135M model wrote was read by the checker: a sentence it kept has its dates in its source
    # (SmolLM2's Japanese invents them), and the answer shown holds no sentence it dropped.
    by_n = {s.n: s for s in a.sources}
    for s in a.sentences:
        if s.verified and s.citations:
            cited = analyse("\n".join(by_n[n].text for n in s.citations))
            dates = [f for f in analyse(normalise_japanese(s.text)).facts if f.kind == "date"]
            assert all(any(k in cited.keys for alts in f.needs for k in alts) for f in dates), s
        elif not s.verified:
            assert s.text not in a.answer
    assert a.question_language == "ja" and a.answer.strip()
