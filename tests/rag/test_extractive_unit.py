"""Extractive composition on hand-built evidence: which sentences answer, and how they are quoted."""

from __future__ import annotations

import pytest

from rag.answerers.extractive import ExtractiveAnswerer, compose, question_type
from rag.core.models import Source
from rag.evidence import Evidence, ScoredSentence

SECTION = "EU AI Act › Chapter II › Article 5"


def source(n: int = 1, section: str = SECTION, title: str = "EU AI Act", text: str = "") -> Source:
    return Source(
        n=n, chunk_id=f"c{n}", doc_id=f"d{n}", title=title, section=section, text=text, start=0, end=len(text)
    )


def evidence(*passages: list[tuple[str, float]], sources: list[Source] | None = None) -> Evidence:
    """One source per passage; each sentence (text, coverage) at consecutive offsets."""
    sources = sources or [source(n) for n in range(1, len(passages) + 1)]
    sentences: dict[int, list[ScoredSentence]] = {}
    for src, passage in zip(sources, passages, strict=True):
        offset, sents = 1000 * src.n, []
        for position, (text, coverage) in enumerate(passage):
            sents.append(ScoredSentence(text, offset, offset + len(text), src.n, coverage, position))
            offset += len(text) + 1
        sentences[src.n] = sents
    return Evidence(sources=sources, sentences=sentences)


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("When was the AI Safety Institute established?", "date"),
        ("By when must providers comply?", "date"),
        ("How many members does GPAI have?", "number"),
        ("Within how many days must an incident be reported?", "number"),
        ("what's the current count of countries that have adhered?", "number"),
        ("Which practices are prohibited?", "list"),
        ("List the obligations of deployers.", "list"),
        ("What does Article 50 require?", "fact"),
        ("And when does it apply from?", "date"),
        ("when's the next version of the guidelines coming out?", "date"),
        ("I read about the summit — when did it take place?", "date"),
        ("which day did the assembly pass the resolution", "date"),
        # Two events in time: answered by their dates.
        ("did Biden sign his order before or after the G7 statement?", "date"),
        ("which came first, the resolution or the act?", "date"),
        ("how long after the resolution did the leaders meet?", "date"),
        ("how long must logs be kept?", "number"),
        # "when" as a conjunction asks for no date.
        ("do I have to be told when I'm chatting with a bot?", "fact"),
        ("Back when chatbots were everywhere, did the G7 act on them?", "fact"),
    ],
)
def test_question_type(question: str, qtype: str) -> None:
    assert question_type(question) == qtype


def test_a_date_question_takes_the_dated_sentence_over_a_better_covered_one() -> None:
    ev = evidence(
        [
            ("The institute evaluates the safety of AI systems for the government.", 0.5),
            ("The institute was established on 14 February 2024 within IPA.", 0.4),
        ]
    )
    result = compose("When was the institute established?", ev)
    assert result.text == f"{SECTION}: “The institute was established on 14 February 2024 within IPA.” [1]"
    assert [(q.source_n, q.start) for q in result.quotes] == [(1, ev.sentences[1][1].start)]


def test_the_same_sentences_answer_a_fact_question_by_coverage() -> None:
    ev = evidence(
        [
            ("The institute evaluates the safety of AI systems for the government.", 0.5),
            ("The institute was established on 14 February 2024 within IPA.", 0.4),
        ]
    )
    result = compose("What does the institute do?", ev)
    assert [q.text for q in result.quotes] == [
        "The institute evaluates the safety of AI systems for the government.",
        "The institute was established on 14 February 2024 within IPA.",  # 0.48 >= 0.8 * 0.58
    ]


def test_a_heading_never_answers_a_fact_question() -> None:
    ev = evidence(
        [
            ("# Prohibited artificial intelligence practices under the Act", 1.0),
            ("Member States shall lay down rules on penalties for these practices.", 0.2),
        ]
    )
    result = compose("What is the penalty regime?", ev)
    assert [q.text for q in result.quotes] == [
        "Member States shall lay down rules on penalties for these practices."
    ]


def test_the_fine_for_a_named_article_is_the_penalty_sentence_that_cites_it() -> None:
    lead = "4. Non-compliance shall be subject to administrative fines of up to EUR 15 000 000:"
    item = "(g) transparency obligations for providers and deployers pursuant to Article 50;"
    banned = (
        "3. Non-compliance with Article 5 shall be subject to administrative fines of up to EUR 35 000 000."
    )
    text = " ".join([banned, lead, item])
    ev = evidence([(banned, 0.5), (lead, 0.4), (item, 0.1)], sources=[source(1, text=text)])
    ranked = [(0.07, ev.sentences[1][0]), (0.05, ev.sentences[1][1]), (0.03, ev.sentences[1][2])]
    question = "what's the maximum fine for breaching the transparency rules in Article 50 of the AI Act?"
    quotes = [q.text for q in compose(question, ev, ("article 50",), ranked=ranked).quotes]
    assert quotes[:2] == [lead, item]  # not the reader's first choice, the fine for banned practices
    # without a named article, the reader's choice stands
    assert compose("what's the biggest fine?", ev, ranked=ranked).quotes[0].text == banned


def test_the_readers_next_sentence_joins_without_a_word_of_the_question() -> None:
    # "can a country opt out of the parts it doesn't like?" shares no word with the answer.
    ev = evidence(
        [
            ("3 This Convention shall not apply to research activities not yet made available for use.", 0.0),
            ("2 No other reservation may be made in respect of this Convention.", 0.0),
        ]
    )
    ranked = [(0.3, ev.sentences[1][0]), (0.2, ev.sentences[1][1])]
    quotes = compose("can a country opt out of the parts it doesn't like?", ev, ranked=ranked).quotes
    assert [q.text[:8] for q in quotes] == ["3 This C", "2 No oth"]
    # The rules, without the reader, still want a shared word.
    assert len(compose("can a country opt out of the parts it doesn't like?", ev).quotes) <= 1


def test_a_title_line_of_labels_is_no_answer() -> None:
    ev = evidence(
        [
            ("A/RES/78/265 — United Nations — General Assembly", 1.0),
            ("The Assembly — acting by consensus — encourages Member States to promote safe AI.", 0.4),
        ]
    )
    result = compose("What does the Assembly encourage?", ev)
    assert [q.text for q in result.quotes] == [ev.sentences[1][1].text]


def test_a_dated_heading_may_answer_a_date_question_without_its_marks() -> None:
    ev = evidence([("## Adopted by the Council on 13 June 2024", 0.5), ("Too short.", 0.0)])
    result = compose("When was it adopted?", ev)
    (quote,) = result.quotes
    assert quote.text == "Adopted by the Council on 13 June 2024"
    assert (quote.start, quote.end) == (1003, 1000 + len("## Adopted by the Council on 13 June 2024"))


def test_a_dated_heading_answers_a_date_question_in_the_readers_ranking_too() -> None:
    heading = "## Resolution adopted by the General Assembly on 21 March 2024"
    body = "13. Acknowledges that the United Nations system contributes to reaching global consensus."
    ev = evidence([(heading, 0.5), (body, 0.5)])
    ranked = [(0.6, ev.sentences[1][0]), (0.3, ev.sentences[1][1])]
    result = compose("what date did the assembly pass the resolution?", ev, ranked=ranked)
    assert result.quotes[0].text == heading.lstrip("# ")
    # Asked for a fact, the heading is still no answer.
    result = compose("what did the assembly acknowledge?", ev, ranked=ranked)
    assert [q.text for q in result.quotes] == [body]


def test_a_list_question_gets_the_lead_in_and_its_items() -> None:
    ev = evidence(
        [
            ("The following AI practices shall be prohibited:", 1.0),
            ("(a) subliminal techniques beyond a person's consciousness;", 0.0),
            ("(b) exploiting vulnerabilities of a specific group of persons;", 0.0),
            ("Member States shall report annually on enforcement.", 0.0),
        ]
    )
    result = compose("Which practices are prohibited?", ev)
    assert result.text == "\n".join(
        [
            f"{SECTION}: “The following AI practices shall be prohibited:” [1]",
            "“(a) subliminal techniques beyond a person's consciousness;” [1]",
            "“(b) exploiting vulnerabilities of a specific group of persons;” [1]",
        ]
    )


def test_a_list_given_in_prose_comes_with_the_sentence_that_goes_on() -> None:
    ev = evidence(
        [
            ("We task ministers to hold discussions on generative AI by the end of the year.", 1.0),
            ("These discussions could include topics such as governance and intellectual property.", 0.0),
            ("Member States shall report annually on enforcement.", 0.0),
        ]
    )
    result = compose("Which topics were the talks on generative AI to cover?", ev)
    assert [q.text for q in result.quotes][:2] == [
        "We task ministers to hold discussions on generative AI by the end of the year.",
        "These discussions could include topics such as governance and intellectual property.",
    ]


def test_a_list_item_comes_with_the_sentence_that_introduces_it() -> None:
    ev = evidence(
        [
            ("The following AI practices shall be prohibited:", 0.0),
            ("(a) subliminal techniques beyond a person's consciousness;", 0.0),
            ("(f) AI systems to infer emotions of a natural person in the workplace;", 1.0),
        ]
    )
    result = compose("Is emotion recognition in the workplace allowed?", ev)
    assert [q.text for q in result.quotes] == [
        "The following AI practices shall be prohibited:",
        "(f) AI systems to infer emotions of a natural person in the workplace;",
    ]


def test_a_sentence_that_refers_back_comes_with_its_antecedent() -> None:
    ev = evidence(
        [
            ("Synthetic content can deceive people about real events.", 0.0),
            ("Likewise, it can impersonate public figures convincingly.", 0.0),
            ("For this reason, providers must mark synthetic content as such.", 1.0),
        ]
    )
    result = compose("Why must synthetic content be marked?", ev)
    assert [q.text for q in result.quotes] == [
        "Synthetic content can deceive people about real events.",  # past the "Likewise" sentence
        "For this reason, providers must mark synthetic content as such.",
    ]


CLAUSE_PASSAGE = [
    ("# Article 5", 0.0),
    ("1. The following AI practices shall be prohibited:", 0.2),
    ("(a) subliminal techniques beyond a person's consciousness;", 0.9),
    ("(f) AI systems to infer emotions of a natural person in the workplace;", 0.0),
]


def test_a_named_clause_is_quoted_with_its_lead_in_whatever_the_coverage() -> None:
    ev = evidence(CLAUSE_PASSAGE)
    ev.clause_match = True
    result = compose("What does Article 5(1)(f) prohibit?", ev, ("article 5(1)(f)",))
    assert [q.text for q in result.quotes] == [
        "1. The following AI practices shall be prohibited:",
        "(f) AI systems to infer emotions of a natural person in the workplace;",
    ]


def test_without_a_clause_match_the_best_covered_sentence_answers() -> None:
    ev = evidence(CLAUSE_PASSAGE)
    result = compose("What does Article 5(1)(f) prohibit?", ev, ("article 5(1)(f)",))
    assert [q.text for q in result.quotes][-1] == "(a) subliminal techniques beyond a person's consciousness;"
    assert all("(f)" not in q.text for q in result.quotes)


def test_quotes_from_two_sources_are_labelled_each_once() -> None:
    sources = [source(1, section="EU AI Act ›  › Article 50 ›"), source(2, section="", title="NIST AI RMF")]
    ev = evidence(
        [("Providers shall mark synthetic audio content as artificially generated.", 1.0)],
        [("Organizations should document the provenance of synthetic content.", 1.0)],
        sources=sources,
    )
    result = compose("What about synthetic content?", ev)
    assert result.text == (
        "EU AI Act › Article 50: "
        "“Providers shall mark synthetic audio content as artificially generated.” [1]\n"
        "NIST AI RMF: “Organizations should document the provenance of synthetic content.” [2]"
    )


def test_nothing_to_quote_gives_an_empty_answer() -> None:
    ev = evidence([("# Article 5", 1.0), ("Too short.", 0.0)])
    result = compose("What does it say?", ev)
    assert (result.text, result.quotes) == ("", [])
    assert compose("What does it say?", Evidence(sources=[])).quotes == []


def test_the_answerer_contract_scores_the_sources_itself() -> None:
    text = "The AI Safety Institute was established on 14 February 2024. It is based in Tokyo."
    answerer = ExtractiveAnswerer()
    out = list(answerer.stream("When was the AI Safety Institute established?", [source(1, text=text)]))
    assert out == [f"{SECTION}: “The AI Safety Institute was established on 14 February 2024.” [1]"]


def test_a_sentence_that_goes_on_about_the_best_one_joins_it() -> None:
    ev = evidence(
        [
            ("Decisions are adopted by Council and are legally binding on Members.", 0.2),
            ("Recommendations are adopted by Council and are not legally binding.", 0.6),
            ("They represent a political commitment to the principles they contain.", 0.0),
            ("The OECD has other instruments as well.", 0.0),
        ]
    )
    result = compose("Is a country that signs the OECD recommendation legally on the hook?", ev)
    assert [q.text for q in result.quotes][-2:] == [
        "Recommendations are adopted by Council and are not legally binding.",
        "They represent a political commitment to the principles they contain.",
    ]
    assert "other instruments" not in result.text


@pytest.mark.parametrize(
    "follow",
    [
        "For this reason, Japan has been dubbed a machine learning paradise for AI users.",
        "Agencies should instead limit access to specific services based on risk assessments.",
    ],
)
def test_a_sentence_that_draws_the_consequence_or_the_contrast_joins_a_yes_no_answer(follow: str) -> None:
    ev = evidence(
        [
            ("Japan has allowed the ingestion of copyrighted works for commercial purposes.", 0.6),
            (follow, 0.0),
            ("The OECD has other instruments as well.", 0.0),
        ]
    )
    result = compose("is it true AI firms in Japan can train on anything?", ev)
    assert [q.text for q in result.quotes][:2] == [
        "Japan has allowed the ingestion of copyrighted works for commercial purposes.",
        follow,
    ]


def test_a_quote_is_a_slice_only_at_its_own_offsets() -> None:
    src = source(text="Recommendations are adopted by Council and are not legally binding.")
    src = src.model_copy(update={"start": 100, "end": 100 + len(src.text)})
    assert src.holds(src.text, 100, 100 + len(src.text))
    assert not src.holds(src.text, 101, 101 + len(src.text))  # shifted: not its characters
    assert not src.holds("Recommendations are legally binding.", 100, 136)  # altered text
    assert not src.holds("are not legally", 139, 154)  # too short to be a claim: the checker decides


def test_a_numbered_principle_stated_as_a_heading_is_quoted_as_a_statement() -> None:
    # The G7 principles are headings of their own: "## 9. Prioritize … climate crisis, global health".
    principle = (
        "## 9. Prioritize the development of advanced AI systems to address the world's greatest challenges"
    )
    intro = "We, the Leaders of the Group of Seven, stress the opportunities of advanced AI systems."
    ev = evidence([(principle, 0.5), (intro, 0.4)])
    ranked = [(0.6, ev.sentences[1][0]), (0.3, ev.sentences[1][1])]
    result = compose("which big problems should advanced AI be aimed at?", ev, ranked=ranked)
    assert result.quotes[0].text == principle.lstrip("# ")
    # A title, numbered or not, is still no answer.
    for title in ("## Section 1: Principles for responsible stewardship of trustworthy AI", "## 2. Scope"):
        ev = evidence([(title, 0.5), (intro, 0.4)])
        ranked = [(0.6, ev.sentences[1][0]), (0.3, ev.sentences[1][1])]
        assert [q.text for q in compose("what are the principles?", ev, ranked=ranked).quotes] == [intro]


def test_a_sentence_two_documents_share_is_quoted_once() -> None:
    # The G7 guiding principles and code of conduct share whole sentences, punctuation aside.
    shared = "Organizations should develop tools to tell if content was made by their AI, such as watermarks."
    other = "Organizations should develop tools to tell if content was made by their AI such as watermarks."
    third = "Providers shall ensure that outputs are marked in a machine-readable format."
    ev = evidence([(shared, 0.5)], [(other, 0.5)], [(third, 0.4)])
    ranked = [(0.6, ev.sentences[1][0]), (0.5, ev.sentences[2][0]), (0.3, ev.sentences[3][0])]
    texts = [q.text for q in compose("does anyone ask for watermarks?", ev, ranked=ranked).quotes]
    assert texts == [shared, third]
