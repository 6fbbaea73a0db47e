"""Near misses from the probes' dev half (stop 51): a cutoff no figure gives, contents asked in other
words, the outcome of the event the question names, and a deadline that a done date does not set. Each
rule is also checked against the answerable shape it must leave alone."""

from __future__ import annotations

from rag.reader.amounts import threshold_missing
from rag.reader.answerability import missing_detail, outcome_missing
from rag.reader.asked_contents import contents_missing
from rag.reader.asked_dates import deadline_missing

EO_CUTOFF = (
    "(i) any model that was trained using a quantity of computing power greater than 10^26 integer or "
    "floating-point operations"
)
ADVANCED = (
    "The most advanced AI systems including the cutting-edge foundation models and generative AI systems."
)


def test_a_cutoff_is_a_figure_the_best_sentence_gives() -> None:
    asked = (
        "is there a compute cutoff (like 10^26 FLOPs) for an 'advanced AI system' under the Hiroshima texts?"
    )
    assert threshold_missing(asked, [ADVANCED])
    assert missing_detail(asked, [ADVANCED]) == "a figure"
    # The question's own figure is no answer, nor a figure in a later sentence about something else.
    assert threshold_missing(asked, [EO_CUTOFF, "a cluster with a capacity of 10^20 operations per second"])
    assert not threshold_missing(
        "What compute threshold does section 4.2(b)(i) of EO 14110 set?", [EO_CUTOFF]
    )
    assert threshold_missing("Is there a user-count cutoff for a significant release?", [ADVANCED])
    # A figure the question gives and asks about is not asked for.
    assert not threshold_missing("Is the 10^26 compute cutoff in Biden's order set in stone?", [ADVANCED])


WORK_PLAN = (
    "We look forward to further advancing the Hiroshima AI Process in accordance with the work plan "
    "developed by relevant Ministers."
)


def test_contents_asked_in_other_words() -> None:
    assert contents_missing("Hiroshima AI Process work plan — what actions does it list?", [WORK_PLAN])
    arrangement = (
        "We welcome the new Project Arrangement on high-performance computing and AI between the U.S. "
        "Department of Energy and Japan's Ministry of Education."
    )
    asked = "Any detail on what the DOE–MEXT Project Arrangement actually commits each side to?"
    assert contents_missing(asked, [arrangement]) == "arrangement"
    celebrated = "We also celebrate the signing of a Memorandum of Cooperation between two institutes."
    assert contents_missing("What does the memorandum commit the two institutes to do?", [celebrated])
    # A sentence that says what the text holds answers it.
    described = "The work plan lays out actions on research, standards and project-based cooperation."
    assert not contents_missing("Hiroshima AI Process work plan — what actions does it list?", [described])
    # Not a question about a text's contents.
    assert not contents_missing("what happens to the work plan next?", [WORK_PLAN])


def test_an_outcome_is_asked_of_the_event_the_question_names() -> None:
    pilot = (
        "We look forward to the pilot of the reporting framework, developed in cooperation with the OECD, in "
        "view of the Ministers' Meeting in October."
    )
    framework = (
        "We welcome our Ministers' efforts, including the development of a reporting framework for "
        "monitoring the International Code of Conduct for Organizations Developing Advanced AI Systems."
    )
    asked = "What did the pilot of the code of conduct reporting framework show?"
    # The third sentence shares more words (code, conduct, framework) but says nothing of the pilot.
    assert outcome_missing(asked, [pilot, "We will work towards developing a brand.", framework])
    ran = "The pilot of the reporting framework showed that twenty companies reported on their risk measures."
    assert not outcome_missing(asked, [ran, "We will work towards developing a brand.", framework])


def test_the_day_something_was_done_sets_no_deadline_for_what_is_to_come() -> None:
    interim = (
        "Taking note of the establishment of a High-level Advisory Body on Artificial Intelligence and of "
        "its interim report issued on 21 December 2023, and looking forward to its final report,"
    )
    asked = "By when is the UN advisory body on AI supposed to deliver its final report?"
    assert deadline_missing(asked, [interim])
    due = "The Body shall deliver its final report by 31 August 2024."
    assert not deadline_missing(asked, [due])
    assert not deadline_missing("When is the advisory body due to report?", ["It will report in 2024."])


def test_a_number_in_brackets_is_a_code_not_a_count() -> None:
    from rag.reader.amounts import amount_missing

    series = (
        "(i) this review shall include the following job series: IT Specialist (2210), Computer Scientist "
        "(1550), and Program Analyst (0343) focused on AI"
    )
    asked = "How many AI specialists did the federal government actually hire in the AI talent surge?"
    assert amount_missing(asked, ["within 60 days of the date of this order, conduct a review", series])
    counted = "The agencies hired 250 AI specialists in the first year of the talent surge."
    assert not amount_missing(asked, [counted])


def test_what_a_text_is_for_is_not_what_it_holds() -> None:
    toolkit = (
        "We welcome the G7 Toolkit for Artificial Intelligence in the Public Sector, that can help "
        "governments to deliver better services."
    )
    asked = "Did the G7 spell out what's actually in its Toolkit for AI in the Public Sector?"
    assert contents_missing(asked, [toolkit]) == "toolkit"
    listed = "We welcome the G7 Toolkit for AI in the Public Sector, which sets out checklists and use cases."
    assert contents_missing(asked, [listed]) == ""


def test_a_vote_tally_is_a_figure_beside_the_votes() -> None:
    from rag.reader.amounts import tally_missing

    asked = "What was the final vote tally in the European Parliament when it passed the AI Act?"
    recital = "(62) Without prejudice to the rules provided for in Regulation (EU) 2024/900 of the Parliament"
    assert tally_missing(asked, [recital])
    assert missing_detail(asked, [recital]) == "a figure"
    assert not tally_missing(asked, ["The text was adopted with 523 votes in favour and 46 against."])
    assert not tally_missing("When did Parliament vote on the AI Act?", [recital])


def test_a_group_of_countries_names_no_member() -> None:
    from rag.reader.asked_names import name_missing

    asked = "Is there a list of which countries belong to the Hiroshima AI Process Friends Group?"
    beyond_g7 = (
        "Recognizing the importance of advancing the Hiroshima AI Process outcomes, we welcome support from "
        "the countries and organizations beyond the G7, as demonstrated by its Friends Group."
    )
    assert name_missing(asked, [beyond_g7])
    assert not name_missing(
        asked, ["The Friends Group of the Hiroshima AI Process includes Kenya and Chile."]
    )


def test_a_party_named_of_something_else_takes_no_stance() -> None:
    from rag.reader.asked_stances import position_missing

    asked = "Did China or Russia object when the General Assembly adopted the AI resolution in March 2024?"
    elsewhere = "Collaboration on AI has strategic implications given China's investment in the technology."
    assert position_missing(asked, [elsewhere]) == "China"
    voted = "China objected to the resolution's wording before the General Assembly adopted it."
    assert position_missing(asked, [voted]) == ""


def test_a_texts_name_is_a_capitalised_name_that_holds_its_noun() -> None:
    from rag.reader.asked_contents import title_missing

    asked = "What was the declaration from the UK's AI Safety Summit on 1–2 November 2023 called?"
    summit = "We also look forward to the UK’s AI Safety Summit on November 1 and 2."
    assert title_missing(asked, [summit]) == "declaration"
    assert missing_detail(asked, [summit]) == "the name of the declaration"
    # A translated question keeps the noun and "name" (採択された宣言って、何ていう名前?)
    assert title_missing(
        "United Kingdom AI Safety Summit adopted declaration name?", [summit], translated=True
    )
    assert not title_missing(asked, ["The Summit adopted the Bletchley Declaration on 1 November 2023."])
    # A passage of such a text is its own name; a name the question gives is no answer.
    assert not title_missing(asked, [summit], titles=["Bletchley Declaration › Preamble"])
    assert title_missing(
        "What was the UK's AI Safety Summit declaration called?", ["the UK's AI Safety Declaration"]
    )


def test_an_event_no_sentence_names_has_no_outcome_there() -> None:
    asked = "Did the pilot of the Hiroshima code reporting framework go well — any results yet?"
    code = "Organizations should publish transparency reports under the reporting framework of the Code."
    assert outcome_missing(asked, [code])
    ran = "The pilot of the Code's reporting framework went well: twenty organizations reported."
    assert not outcome_missing(asked, [ran])


def test_when_a_work_was_finished_is_not_given_while_it_is_underway() -> None:
    asked = "When was the crosswalk between Japan's AI Guidelines for Business and the NIST AI RMF finished?"
    underway = (
        "A crosswalk of Japan's AI Guidelines for Business with the NIST AI Risk Management Framework is "
        "currently underway."
    )
    assert outcome_missing(asked, [underway])
    done = (
        "The crosswalk of Japan's AI Guidelines for Business with the NIST AI RMF was completed in May 2024."
    )
    assert not outcome_missing(asked, [done])


def test_asked_in_other_words_for_a_name_a_title_or_a_sum() -> None:
    from rag.reader.amounts import amount_missing
    from rag.reader.asked_contents import title_missing
    from rag.reader.asked_names import asked_name

    assert (
        asked_name("Does the order name the companies whose voluntary commitments it praises?") == "company"
    )
    interim = (
        "Taking note of the High-level Advisory Body and of its interim report issued on 21 December 2023"
    )
    assert (
        title_missing("What's the exact title of the interim report the Body put out?", [interim]) == "report"
    )
    bounty = "Organizations are encouraged to consider bounty systems, contests or prizes."
    assert amount_missing("is there a recommended payout per reported vulnerability?", [bounty])
    assert not amount_missing("is there a recommended payout per bug?", ["Rewards of up to $20,000 apply."])


def test_a_deadline_is_no_day_in_the_past_of_the_text() -> None:
    asked = "when is the next version of japan's AI guidelines for business coming out?"
    past = (
        "Japan took the key role in the development of the Comprehensive Policy Framework in December 2023."
    )
    assert deadline_missing(asked, [past])
    assert not deadline_missing(asked, ["The next version will be published in March 2025."])
    assert not deadline_missing(
        "When is the next G7 summit supposed to be held?", ["It will be held on 13-15 June 2024."]
    )


def test_a_headcount_counts_people() -> None:
    from rag.reader.amounts import amount_missing, counted_noun

    asked = "Give me the headcount of the EU's scientific panel of independent experts under the AI Act."
    assert counted_noun(asked) == "people"
    panel = "The Commission shall provide for the establishment of a scientific panel of independent experts."
    assert amount_missing(asked, [panel])
    assert not amount_missing(asked, ["The scientific panel shall consist of 60 independent experts."])


def test_the_shapes_asked_in_other_everyday_words() -> None:
    from rag.reader.amounts import amount_missing

    plan = (
        "We welcome the Action Plan for promoting global interoperability between tools for trustworthy AI."
    )
    assert contents_missing("what's inside the Action Plan?", [plan]) == "action plan"
    assert contents_missing("can you give me the gist of the Action Plan?", [plan]) == "action plan"
    assert contents_missing("What is the Action Plan about?", [plan]) == "action plan"
    assert not contents_missing("What was the Action Plan about AI tools meant for?", [plan])
    hub = "We will work with Italy's presidency to establish an AI Hub for Sustainable Development."
    assert amount_missing("What's the total investment in the AI Hub?", [hub])
    assert amount_missing("what did the AI Hub cost?", [hub])
    assert not amount_missing("What's the total investment in the AI Hub?", ["The AI Hub gets €20 million."])
    pilot = "We look forward to the pilot of the reporting framework in October."
    assert outcome_missing("did the pilot of the reporting framework succeed?", [pilot])
    # a law's "shall" is what came of it: "did the EU succeed in banning social scoring?" is answered
    banned = "The placing on the market of AI systems for social scoring shall be prohibited in the EU."
    assert not outcome_missing("did the EU succeed in banning social scoring of EU citizens?", [banned])


def test_a_role_and_a_place_asked_in_other_words() -> None:
    from rag.reader.answerability import place_missing
    from rag.reader.asked_names import role_missing

    board = "The Artificial Intelligence Board shall be composed of one representative per Member State."
    assert role_missing("What's the name of the chair of the Artificial Intelligence Board?", [board])
    chaired = "The Artificial Intelligence Board shall be chaired by a Member State's representative."
    assert not role_missing("What's the name of the chair of the Artificial Intelligence Board?", [chaired])
    summit = "We look forward to the next international AI meetings to be hosted by the Republic of Korea."
    assert place_missing("Where will the next AI summit be?", ["We look forward to the next AI summit."])
    assert not place_missing(
        "Where will the next AI summit be?", [summit.replace("the Republic of Korea", "Paris")]
    )
