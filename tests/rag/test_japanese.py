"""Japanese questions over the English corpus: detection, normalisation, the glossary, JMdict, and the
chain end to end."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from rag.chain import AskRequest
from rag.translate.framing import ABSTAIN_TEXT_JA
from rag.translate.language import detect_language, refers_back
from rag.translate.numbers import japanese_dates, normalise_japanese, to_japanese_date
from rag.translate.translator import (
    GLOSSARY_PATH,
    JMDICT_PATH,
    AnalyzerMissingError,
    JapaneseTranslator,
    load_table,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def translator() -> JapaneseTranslator:
    return JapaneseTranslator.load()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("EU AI法の第50条2項は何を求めていますか?", "ja"),
        ("人工知能規制法案", "ja"),  # kanji only, no kana
        ("ディープフェイク", "ja"),
        ("What does Article 50(2) of the AI Act require?", "en"),
        ("Is the 広島 process binding on companies in the United States?", "en"),  # one place name
        ("", "en"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("japanese", "english"),
    [
        ("2024年4月10日", "10 April 2024"),
        ("２０２４年４月", "April 2024"),  # full-width digits
        ("令和6年", "2024"),
        ("6か月以内", "six months 6 months"),
        ("6ヶ月", "six months"),
        ("540日", "540 days"),
        ("第5条1項(f)", "Article 5(1)(f)"),
        ("第50条2項", "Article 50(2)"),
        ("附属書III", "Annex III"),
        ("第1.1版", "version 1.1"),  # a text's version, which the answerability check compares
        ("AI RMF 1.0版", "version 1.0"),
        ("2024年度内", "fiscal year 2024"),
        ("７％", "7%"),
        # myriad units, as the corpus writes amounts
        ("1億1000万ドルのAI研究", "$110 million"),
        ("29億ドル", "$2.9 billion"),
        ("3500万ユーロ", "EUR 35 000 000"),
        ("1200億円", "120 billion yen"),
        ("1000万人", "10 million"),
    ],
)
def test_numbers_dates_and_clauses_in_the_corpus_forms(japanese: str, english: str) -> None:
    assert english in " ".join(normalise_japanese(japanese).split())


def test_dates_restated_in_japanese() -> None:
    assert to_japanese_date("It applies from 2 August 2026.") == "2026年8月2日"
    assert to_japanese_date("signed on April 10, 2024") == "2024年4月10日"
    assert to_japanese_date("no date here") == ""
    assert japanese_dates("2 August 2026, then 2 August 2027 and 2 August 2026") == [
        "2026年8月2日",
        "2027年8月2日",
    ]


def _squash(text: str) -> str:
    return " ".join(text.lower().split())


def test_every_glossary_target_occurs_in_the_corpus() -> None:
    corpus = _squash(" ".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("*.md")))
    table = load_table(GLOSSARY_PATH)
    assert len(table) >= 400 and sum(len(v) for v in table.values()) >= 400
    missing = sorted({en for targets in table.values() for en in targets if _squash(en) not in corpus})
    assert not missing, missing[:20]


def test_the_longest_glossary_match_wins(translator: JapaneseTranslator) -> None:
    t = translator.translate("広島AIプロセスの国際行動規範はいつ公表された?")
    glossary = [term for term in t.terms if term.via == "glossary"]
    assert glossary[0].japanese == "広島AIプロセス"  # one term, not 広島 + AI + プロセス
    assert "Hiroshima AI Process" in t.english and "International Code of Conduct" in t.english
    assert t.english.startswith("When")
    t = translator.translate("高リスクAIシステムの提供者の義務は?")
    assert "high-risk AI system" in t.english


def test_a_katakana_term_is_not_matched_inside_a_longer_loanword(translator: JapaneseTranslator) -> None:
    # アプリ ("app") begins アプリア (Apulia); as a word of its own it is still an application.
    assert "application" not in translator.translate("G7アプリア首脳コミュニケのブランドは?").english
    assert "application" in translator.translate("AIアプリの規制は?").english


def test_a_verb_the_glossary_knows_is_translated_from_its_conjugated_form(
    translator: JapaneseTranslator,
) -> None:
    # A verb reaches the glossary by its dictionary form (見直す), never JMdict; 見直し is a noun entry.
    assert "review" in translator.translate("NISTはAI RMFをいつ見直す予定ですか?").english


def test_jmdict_translates_what_the_glossary_lacks(translator: JapaneseTranslator) -> None:
    jmdict = load_table(JMDICT_PATH)
    word = "感情"
    assert word not in translator.glossary and word in jmdict  # the fallback is what is tested
    t = translator.translate("従業員の感情をAIで推測してよいか")
    fallback = [term for term in t.terms if term.japanese == word]
    assert fallback and fallback[0].via == "jmdict" and "emotion" in t.english
    # The first gloss is in the question; the second only in the (lighter) search expansion.
    assert [term.english for term in fallback] == ["emotion", "feeling"]
    assert "feeling" not in t.english and "feeling" in t.alternatives


def test_the_one_kanji_word_for_countries_is_kept(translator: JapaneseTranslator) -> None:
    # 国 alone, or at the end of a compound the dictionary lacks, is what the question counts or names
    assert (
        "countries" in translator.translate("OECDのAI原則に参加している国って、今いくつありますか?").english
    )
    assert "countries" in translator.translate("AI決議78/265の共同提案国は?").english
    # inside a word the analyser keeps whole (国際, international) it is not
    assert "countries" not in translator.translate("国際会議で日本は何を提案したの?").english


def test_a_translated_where_is_answered_by_a_place_beyond_its_subject(translator: JapaneseTranslator) -> None:
    from rag.reader.answerability import missing_detail

    # ハブ is translated: the hub's own name ("the AI Hub for …", read as a facility) is no place for it
    english = translator.translate(
        "イタリアが作る「持続可能な開発のためのAIハブ」って、どこに置かれるの?"
    ).english
    assert "hub" in english
    hub = "We welcome the Italian Presidency's decision to establish the AI Hub for Sustainable Development."
    assert missing_detail(english, [hub], translated=True) == "a place"


def test_what_became_of_it_asks_for_an_outcome(translator: JapaneseTranslator) -> None:
    from rag.reader.answerability import outcome_missing

    # その後どうなったの: what came of the request, which the article only reports as made
    english = translator.translate(
        "自民党が生成AIの法的枠組みを作るよう政府に求めたけど、その後どうなったの?"
    ).english
    assert "in the end" in english
    requested = "The LDP has requested the Japanese government to create a legal framework for generative AI."
    assert outcome_missing(english, [requested], translated=True)
    assert not outcome_missing(english, ["The Diet passed the AI law the LDP requested in May 2025."], True)


def test_which_countries_signed_needs_the_signing_recorded(translator: JapaneseTranslator) -> None:
    from rag.reader.answerability import missing_detail

    english = translator.translate("ヴィリニュスで欧州評議会のAI条約に署名した国って、どこですか?").english
    open_to = "This Convention shall be open for signature by the member States of the Council of Europe."
    assert missing_detail(english, [open_to], translated=True) == "who signed or joined it"
    done = "Andorra and Norway signed the Council of Europe Framework Convention in Vilnius."
    assert not missing_detail(english, [done], translated=True)
    # asked whether a named party signed, it is the has-it-signed rule's question
    asked = translator.translate("日本はAI条約に署名した?").english
    assert "who signed" not in missing_detail(asked, [open_to], translated=True)


def test_ascii_identifiers_are_kept(translator: JapaneseTranslator) -> None:
    t = translator.translate("大統領令14110号とG7のNISTへの言及は?")
    assert "14110" in t.english and "G7" in t.english and "NIST" in t.english


def test_a_japanese_follow_up_points_back() -> None:
    assert refers_back("それはいつから適用されますか?")
    assert refers_back("罰則は?")  # short: ellipsis
    assert refers_back("そこでは安全保障面でどんなリスクが挙げられてたの？")  # そこ: "there", the last answer
    assert not refers_back("EU AI法の汎用AIモデルに関する規定はいつから適用されますか?")


def test_a_missing_analyser_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sudachipy", None)
    bare = JapaneseTranslator({}, {})
    with pytest.raises(AnalyzerMissingError, match="pip install sudachipy"):
        bare.translate("従業員の感情")


# -- end to end ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_japanese_clause_question_is_answered_from_the_right_clause(services) -> None:  # type: ignore[no-untyped-def]
    a = services.chain.invoke(AskRequest(question="EU AI法の第50条2項は何を求めていますか?"))
    assert a.question_language == "ja"
    assert "Article 50(2)" in a.standalone_question and a.standalone_question.isascii()
    assert not a.abstained and a.citations
    assert a.answer.startswith("該当する規定:")
    cited = a.citations[0]
    assert cited.doc_id == "eu-ai-act-regulation-2024-1689" and "Article 50" in cited.section
    assert re.search(r"machine-readable format", a.answer)  # the English quote itself, verbatim


@pytest.mark.slow
def test_a_japanese_question_the_corpus_cannot_answer_is_declined_in_japanese(services) -> None:  # type: ignore[no-untyped-def]
    a = services.chain.invoke(AskRequest(question="タングステンの沸点は何度ですか?"))
    assert a.abstained and a.answer == ABSTAIN_TEXT_JA and a.question_language == "ja"
    # declined for a missing detail: the reason is given in Japanese too
    a = services.chain.invoke(
        AskRequest(question="マイクロソフトが日本につくる研究所は、どこの都市にできるの?")
    )
    assert a.abstained and any("質問が求める場所が書かれていません" in w for w in a.warnings), a.warnings


@pytest.mark.parametrize(
    ("detail", "japanese"),
    [
        ("a figure", "質問が求める数値が書かれていません"),
        ("the name of a company", "質問が求める企業名が書かれていません"),
        ("whether Japan signed or joined it", "質問が求めるJapanが署名・参加したかどうかが書かれていません"),
        ("what the action plan itself says (they only mention it)", "「action plan」そのものの内容"),
        ("who wrote it", "質問が求める著者が書かれていません"),
        ("whether it happened by May 2025 (their texts are older)", "May 2025までに実現したかどうか"),
    ],
)
def test_the_missing_detail_is_worded_in_the_questions_language(detail: str, japanese: str) -> None:
    from rag.translate.framing import missing_detail_warning

    assert japanese in missing_detail_warning(detail, "ja")
    assert (
        missing_detail_warning(detail, "en")
        == f"the passages found do not give {detail}, which the question asks for"
    )


@pytest.mark.parametrize(
    ("question", "wh"),
    [
        ("加盟国代表の任期は何年ですか？", "How long"),  # a span of time, not a year
        ("報告はどれくらいの間隔で出すの？", "How often"),
        ("ASPIREの予算はいくら？", "How much"),  # a sum of money
        ("AIハブへの拠出額を教えてください。", "How much"),  # 拠出額: a sum, asked as an order
        ("特に厳しい対策を求めてる団体ってどこ？", "Who"),  # どこ of a body is who, not where
        ("「自動化バイアス」って、どういう現象のこと？", "What"),
        ("EU AI法は何年に採択されましたか？", "When"),  # 何年 as a point in time is still a date
        ("包括的政策枠組みはどう評価されてるの？", "How"),  # not a yes/no question
        ("サミットは何月何日に開かれるの？", "What date"),  # a day of a month, not a year
        ("研究所はどこの都市にできるの？", "Where"),  # どこ of a place
        ("会合はどこで開かれましたか？", "Where"),
        ("新しい研究所、場所はどこ?", "Where"),  # 場所はどこ: a place
        ("条約に署名した国って、どこですか?", "Who"),  # どこです: which ones, not where
        ("参加者は全部で何人くらいだったの？", "How many people"),
        ("コンソーシアムには何社入ってるの？", "How many companies"),
        ("欧州議会で可決されたとき、賛成は何票だった?", "How many votes"),  # votes no text counts
        ("何人かの専門家が関わったの？", "Does"),  # 何人か: "some people", no count asked
    ],
)
def test_the_interrogative_sets_the_question_type(
    translator: JapaneseTranslator, question: str, wh: str
) -> None:
    assert translator.translate(question).wh == wh


@pytest.mark.parametrize(
    "question",
    [
        "何か国が参加していますか。",
        "何社が署名しましたか。",
        "何回開かれましたか。",
        "拠点は何か所にあるの？",
    ],
)
def test_a_counter_asks_how_many(translator: JapaneseTranslator, question: str) -> None:
    assert translator.translate(question).english.startswith("How many")


def test_countries_counted_need_a_figure_beside_countries(translator: JapaneseTranslator) -> None:
    from rag.reader.amounts import amount_missing

    english = translator.translate("国連のAI決議には何か国が共同提案国になったんですか？").english
    assert english.startswith("How many countries")
    # a figure, but not a count of countries: the corpus never gives the number of co-sponsors
    assert amount_missing(english, ["Adopted at the 78th session on 21 March 2024."], translated=True)
    endorsed = "The goal was endorsed by a coalition of 23 countries in the margins of COP28."
    assert not amount_missing(english, ["Resolution 78/265.", endorsed], translated=True)


def test_votes_counted_need_a_figure_beside_votes(translator: JapaneseTranslator) -> None:
    from rag.reader.amounts import amount_missing

    english = translator.translate("欧州議会でAI法が可決されたとき、賛成は何票だった?").english
    assert english.startswith("How many votes")
    # figures, but of a chapter and a regulation: the corpus counts no votes
    cited = "The requirements set out in Chapter III, Section 2, of Regulation (EU) 2024/1689 apply."
    assert amount_missing(english, [cited], translated=True)
    assert not amount_missing(english, ["It was adopted with 523 votes in favour."], translated=True)


def test_a_counter_of_people_or_companies_needs_a_figure_beside_them(translator: JapaneseTranslator) -> None:
    from rag.reader.answerability import missing_detail

    people = translator.translate("NISTのワークショップの参加者は何人でしたか？").english
    workshops = "It was developed through three widely attended workshops and two drafts."
    assert missing_detail(people, [workshops], translated=True) == "a figure"  # a figure, but of workshops
    assert not missing_detail(people, ["More than 240 participants attended."], translated=True)
    companies = translator.translate("コンソーシアムには何社が入っていますか？").english
    assert missing_detail(companies, ["A consortium of Japanese companies will fund it."], translated=True)
    assert not missing_detail(companies, ["Twelve companies signed up."], translated=True)


def test_a_translated_where_needs_a_place(translator: JapaneseTranslator) -> None:
    from rag.reader.answerability import missing_detail

    english = translator.translate("マイクロソフトが日本につくる研究所はどこの都市にできるの？").english
    lab = "Microsoft will establish a new research lab in Japan."  # Japan is the question's own place
    assert missing_detail(english, [lab], translated=True) == "a place"
    assert not missing_detail(english, ["Microsoft opens a lab in Tokyo."], translated=True)


@pytest.mark.parametrize(
    "question",
    [
        "NIST AI RMFでいう信頼できるAIの特徴って、何がありますか？",
        "3つの基本理念って何?",
        "どんな項目の報告書ですか？",
    ],
)
def test_a_question_for_several_things_asks_for_a_list(translator: JapaneseTranslator, question: str) -> None:
    assert translator.translate(question).english.startswith("Which are")


@pytest.mark.parametrize(
    "question", ["どの企業が参加していますか。", "賛同した企業って、具体的にどこがありますか？"]
)
def test_which_companies_asks_for_their_names(translator: JapaneseTranslator, question: str) -> None:
    from rag.reader.answerability import missing_detail

    english = translator.translate(question).english
    assert english.startswith("Which companies")
    tops = ["Organizations that may endorse this Code include entities from the private sector."]
    assert missing_detail(english, tops, translated=True) == "the name of a company"
    assert not missing_detail(english, ["It was endorsed by Microsoft and NVIDIA."], translated=True)
    # A translated run of terms that happens to read "What United Nations …" asks for no country.
    assert not missing_detail("What United Nations resolution ITU platform name?", tops, translated=True)


def test_a_translated_how_many_is_not_held_to_a_counted_noun() -> None:
    from rag.reader.amounts import amount_missing

    question = "How many Artificial Intelligence Act prohibited administrative fines greatest?"
    tops = ["Non-compliance with the prohibition shall be subject to fines of up to EUR 35 000 000."]
    assert amount_missing(question, tops)  # in English, "how many Artificial Intelligence Act" counts acts
    assert not amount_missing(question, tops, translated=True)  # translated: only the figure is asked
    assert amount_missing(question, ["The Commission shall impose fines."], translated=True)  # none given
    # A translated question has lost its word order, and the reader's first sentence with it: the figure
    # may come in any of the three best (all quoted), not only the first, as an English question's must.
    integrated = "How many AI Guidelines for Business guidelines guidance existing integration?"
    later = [
        "It helps business operators who use AI.",
        "By integrating those three guidelines, they were set up.",
    ]
    assert not amount_missing(integrated, later, translated=True)
    assert amount_missing("How many guidelines were integrated?", later)
    assert amount_missing(integrated, [*later[:1], "No figure.", "None here.", later[1]], translated=True)


@pytest.mark.slow
def test_terms_run_together_are_not_one_missing_name(services) -> None:  # type: ignore[no-untyped-def]
    # "Who Executive Order 14110 established White House AI Council chair?": "White House AI Council
    # chair" is not a name the corpus lacks, it is a named body and a role.
    answer = services.chain.invoke(
        AskRequest(question="大統領令14110号で設置されたホワイトハウスAI評議会の議長は誰ですか。")
    )
    assert not answer.abstained
    assert "Chair of the White House AI Council" in answer.answer


@pytest.mark.slow
def test_a_japanese_follow_up_carries_the_topic_not_the_wh_word_of_the_last_question(services) -> None:  # type: ignore[no-untyped-def]
    answer = services.chain.invoke(
        AskRequest(
            question="それって、軍事分野のAIも対象に入ってるんですか?",
            history=[
                {"role": "user", "content": "国連総会のAI決議78/265はいつ採択されたの?"},
                {"role": "assistant", "content": "It was adopted on 21 March 2024."},
            ],
        )
    )
    searched = answer.standalone_question
    assert searched.startswith("Does") and "78/265" in searched  # the topic came along
    assert "When" not in searched  # a date was asked last time, not now
