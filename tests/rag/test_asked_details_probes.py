"""Near misses from probe questions that helper sessions wrote blind (2026-12-06), by the shape of what they
ask: what is in a text the corpus only names, how an event went, a date to come, a person's name. Each
rule is also checked against the answerable shape it must leave alone."""

from __future__ import annotations

from rag.reader.amounts import amount_missing
from rag.reader.answerability import date_missing, missing_detail, outcome_missing
from rag.reader.asked_contents import contents_missing
from rag.reader.asked_names import name_missing, role_missing

WELCOMED = "We welcome the Action Plan for promoting global interoperability from the Ministers' Meeting."


def test_the_contents_of_a_text_the_corpus_only_welcomes_are_not_there() -> None:
    asked = "what's in the Action Plan for promoting global interoperability?"
    assert contents_missing(asked, [WELCOMED], titles=["G7 Hiroshima Communiqué › Digital"]) == "action plan"
    assert "action plan" in missing_detail(asked, [WELCOMED], titles=["G7 Hiroshima Communiqué › Digital"])
    # A text of the corpus holds its own contents: its title is among the passages'.
    assert not contents_missing("what does the AI Act say about deep fakes?", ["Deployers shall disclose."],
                                titles=["EU AI Act › Article 50"])  # fmt: skip
    # A sentence that goes on to say what the text does, or quotes it, gives its contents.
    showing = "We welcome the OECD report showing that the goal was met in 2022."
    assert not contents_missing("What did the OECD report say about the goal?", [showing])
    stated = "We welcome that the goal looks likely to have been met as stated in the Report by the OECD."
    assert not contents_missing("What did the OECD report say about the goal?", [stated])
    # "…notably the Framework and the Work Plan to advance…" only lists the plan.
    listed = "We endorse the outcomes of the meeting, notably the Framework and the Work Plan to advance it."
    assert contents_missing("What concrete steps does the Work Plan lay out?", [listed]) == "work plan"
    # A titled text that no best sentence names is not there; one named in lower case may be, in other words.
    other = ["Providers shall put in place a policy to comply with Union copyright law."]
    assert contents_missing("what does the LDP's AI White Paper 2024 say about copyright?", other)
    assert not contents_missing("what does the memorandum commit the two labs to do?", other)
    # A described text: "the white paper noted the risks…" is its contents, not a mention.
    noted = "Specifically, the white paper noted the risks of military use of AI."
    assert not contents_missing("what does the LDP's AI White Paper say about security?", [noted])


def test_how_an_event_went_is_not_in_a_sentence_that_orders_it() -> None:
    rules = "The Conference of the Parties shall adopt its own rules of procedure."
    asked = (
        "How did the first Conference of the Parties go — what rules of procedure did they end up adopting?"
    )
    assert outcome_missing(asked, [rules])
    adopted = "The Conference of the Parties adopted its rules of procedure at its first meeting in 2025."
    assert not outcome_missing(asked, [adopted])
    # What a law says is answered by its "shall": only how an event went or turned out asks for more.
    assert not outcome_missing("what rules of procedure does the Conference of the Parties adopt?", [rules])
    # "What did that report end up concluding?" of a report "scheduled to be compiled"
    scheduled = "A study has been carried out, and a report on disinformation is scheduled to be compiled."
    assert outcome_missing("What did the disinformation report end up concluding?", [scheduled])
    # A translated question keeps only its noun: 成果 → "result".
    summit = "We will build on the outcomes of the AI Seoul Summit."
    assert outcome_missing("What AI Seoul Summit result?", [summit], translated=True)
    assert not outcome_missing("What AI Seoul Summit result?", [summit])
    # "the outcome of …", "did they actually get it finished…?", "has … yet?" ask how it went as well, and a
    # request ("requested the government to create…") speaks of it as to come
    assert outcome_missing("outcome of the first Conference of the Parties?", [rules])
    assert not outcome_missing("outcome of the first Conference of the Parties?", [adopted])
    requested = "The LDP has requested the government to create a legal framework for generative AI."
    assert outcome_missing(
        "did the government end up passing the generative AI law the LDP wanted?", [requested]
    )
    ordered = "The Conference of the Parties shall publish a report on its first meeting."
    assert outcome_missing(
        "Did the Conference of the Parties actually publish the report on its meeting?", [ordered]
    )
    assert outcome_missing(
        "Has the Conference of the Parties published a report on its meeting yet?", [ordered]
    )
    assert not outcome_missing(
        "Does the Conference of the Parties publish a report on its meeting?", [ordered]
    )


def test_who_signed_a_text_is_not_who_may_sign_it() -> None:
    from rag.reader.asked_stances import signers_missing

    asked = "Which countries actually signed the Council of Europe AI treaty in Vilnius?"
    open_to = "This Convention shall be open for signature by the member States of the Council of Europe."
    assert signers_missing(asked, [open_to])
    assert missing_detail(asked, [open_to]) == "who signed or joined it"
    # the closing formula's "undersigned", or "those who have endorsed", names no one
    assert signers_missing(asked, ["In witness whereof the undersigned have signed this Convention."])
    done = (
        "Andorra, Georgia and Norway signed the Council of Europe AI treaty in Vilnius on 5 September 2024."
    )
    assert not signers_missing(asked, [done])
    assert not signers_missing(
        "which companies endorsed the code?", ["It was endorsed by Microsoft and NVIDIA."]
    )
    assert signers_missing(
        "List the countries that signed the Council of Europe AI treaty in Vilnius.", [open_to]
    )
    # a signing about something else ("an electronically signed declaration of conformity") records nothing
    reaim = "which countries have signed up to the REAIM political declaration?"
    assert signers_missing(reaim, ["The provider shall draw up an electronically signed EU declaration."])
    # asked of a named party, it is the has-X-signed rule's question, not this one's
    assert not signers_missing("Has Japan signed the Council of Europe AI treaty?", [open_to])


def test_a_date_to_come_or_the_dates_of_an_event_need_one_in_the_best_sentences() -> None:
    brand = "The Code aims to promote safe, secure and trustworthy AI worldwide."
    assert date_missing("When is the G7 supposed to roll out the brand for the code?", [brand])
    assert not date_missing(
        "When is the G7 supposed to roll out the brand?", ["It will launch in March 2025."]
    )
    # the best sentence's date answers, even in other words ("operational" for "running")
    sandbox = (
        "Member States shall ensure that at least one AI regulatory sandbox is operational by 2 August 2026."
    )
    assert not date_missing(
        "by when is each EU country supposed to have its own AI sandbox running?", [sandbox]
    )
    seoul = "We will build on the outcomes of the AI Seoul Summit and the AI Action Summit in 2025."
    assert date_missing("What were the dates of the AI Seoul Summit?", [seoul])
    assert date_missing(
        "When does DICAS first meet, exactly?", ["The DICAS will provide updates on progress."]
    )
    assert not date_missing(
        "When does DICAS first meet, exactly?", ["The DICAS meets first on 10 June 2024."]
    )


def test_a_persons_name_or_an_officeholders_role() -> None:
    founded = "On February 14, 2024, the Japan AI Safety Institute was established."
    nist = "The Director of NIST shall establish guidelines for AI safety and security."
    assert role_missing("who's the director of japan's AI safety institute?", [founded, nist])
    assert not role_missing("who's the director of NIST?", [nist])
    aide = "The Assistant to the President shall serve as Chair of the White House AI Council."
    assert name_missing(
        "The order says some aide chairs the council. What's that person's actual name?", [aide]
    )
    assert name_missing("Which Japanese astronaut will land on the Moon first?", [founded])
    assert not name_missing(
        "Which Japanese astronaut will land on the Moon first?", ["Koichi Wakata will fly."]
    )
    # "which official" is answered by the office as well as by a name: not asked as a person's name
    assert not name_missing("which official is in charge of that council?", [aide])


def test_a_reaction_or_a_groups_push_back_needs_a_sentence_that_records_it() -> None:
    from rag.reader.asked_stances import position_missing

    north_korea = "We call on North Korea to respond to continued offers to return to diplomacy."
    assert position_missing("How did Beijing respond to the Biden–Kishida joint statement?", [north_korea])
    relations = "These elements underpin our respective relations with China."
    assert position_missing("How did China react to the G7's Hiroshima AI Process?", [relations]) == "China"
    assert not position_missing("How did China react to the process?", ["China welcomed the process."])
    # what a person said needs a verb of speaking: the G7's support for his plan is not his words
    supported = "We continue to support Ukraine in further developing President Zelenskyy's Peace Formula."
    asked = "What did President Zelenskyy tell the G7 leaders at their December meeting?"
    assert position_missing(asked, [supported]) == "President Zelenskyy"
    assert not position_missing(asked, ["President Zelenskyy told the leaders that air defence came first."])
    poster = "The LDP's new poster was created by generative AI and developed by the party."
    assert position_missing("Did any other Japanese parties criticize the LDP for its poster?", [poster])
    labs = "Companies developing dual-use foundation models shall report their training runs."
    assert position_missing("Did the big AI labs push back on the EO's reporting requirements?", [labs])
    assert not position_missing(
        "Did the big AI labs push back?", ["Several labs objected to the reporting rule."]
    )
    # A named body's own stance is the position rule's: it must be named, not any stance word found.
    assert not position_missing("did the G7 reject the proposal?", [poster])


def test_a_texts_author_answers_how_it_responded_as_we() -> None:
    from rag.reader.asked_stances import position_missing

    we = "We condemn in the strongest possible terms the war of aggression."
    asked = "How did the G7 respond to Russia's war?"
    assert position_missing(asked, [we], titles=["G7 Apulia Communiqué › Ukraine"]) == ""
    assert position_missing(asked, [we]) == "G7"


def test_the_questions_own_sum_is_no_answer_with_or_without_its_currency() -> None:

    applaud = "We applaud $110 million in new AI research partnerships funded by NVIDIA, Arm and Amazon."
    # 1億1000万ドル is searched as "110 million": the text's "$110 million" is the question's own figure
    assert amount_missing("How much U.S.-Japan partnership 110 million NVIDIA?", [applaud], translated=True)
    share = "NVIDIA contributes $25 million of the $110 million."
    assert not amount_missing("How much U.S.-Japan partnership 110 million NVIDIA?", [share], translated=True)


def test_a_role_named_of_another_body_is_no_answer() -> None:
    white_house = "(b) The Assistant to the President shall serve as Chair of the White House AI Council."
    japan = "Domestically, the Japanese government's AI Strategy Council has been in charge of AI measures."
    assert role_missing("who chairs the japanese government's AI Strategy Council?", [white_house, japan])
    # a follow-up's rewrite: the sentence that names the Chair shares two of its words
    subgroups = "(d) The Chair may create subgroups consisting of White House AI Council members."
    rewrite = "Who chairs it? (council did EO 14110 create inside the Executive Office of the President)"
    assert not role_missing(rewrite, [white_house, subgroups])
    # the role's own word is not the subject: another council's Chairman shares only "council"
    advisers = "(xxvi) the Chairman of the Council of Economic Advisers;"
    assert role_missing("Who Cabinet Office AI Strategy Council chairman?", [japan, advisers])
    assert not role_missing(
        "Who Cabinet Office AI Strategy Council chairman?",
        ["The Cabinet Office AI Strategy Council is chaired by Dr Sato."],
    )


def test_an_analysis_the_text_only_asks_for_has_no_findings_yet() -> None:
    encourage = (
        "We encourage international organizations such as the OECD to consider analysis on the impact of"
        " policy developments on generative AI."
    )
    asked = "The communiqué asked the OECD to analyse policy developments. What did that analysis find?"
    assert outcome_missing(asked, [encourage])  # "asked" sets the scene; the last sentence asks the findings
    found = "The OECD analysis found that policy developments on generative AI diverged across countries."
    assert not outcome_missing(asked, [found])


def test_a_text_only_said_to_be_formulated_is_not_described() -> None:
    made = 'As the achievements of 2023, the "Work Plan to advance Hiroshima AI Process" was formulated.'
    assert contents_missing("What concrete steps does the Work Plan lay out?", [made]) == "work plan"
    described = "The Work Plan was adopted, and sets out steps on project-based cooperation."
    assert not contents_missing("What concrete steps does the Work Plan lay out?", [described])


def test_details_asked_as_orders_or_fragments() -> None:
    from rag.reader.amounts import amount_missing
    from rag.reader.asked_stances import position_missing

    opened = "This Convention shall be open for signature by the member States of the Council of Europe."
    assert name_missing("List the countries that signed the treaty when it opened in Vilnius.", [opened])
    assert not name_missing(
        "List the countries that signed the treaty.", ["Norway and Andorra signed the treaty."]
    )
    review = "By 2 August 2028, the Commission shall evaluate the functioning of the AI Office."
    assert amount_missing(
        "is there a set yearly budget for the EU AI Office, like a figure in euros?", [review]
    )
    funded = "The AI Office has a set yearly budget of EUR 46.5 million."
    assert not amount_missing("is there a set yearly budget for the EU AI Office?", [funded])
    panel = "The Commission shall establish a scientific panel of independent experts."
    assert amount_missing(
        "Give me the headcount of the EU's scientific panel of independent experts.", [panel]
    )
    guidance = "The Working Party develops practical guidance for implementing the Recommendation."
    assert date_missing(
        "OECD practical implementation guidance for the AI principles: publication date?", [guidance]
    )
    endorse = "We endorse the outcomes of the meeting, notably the Comprehensive Policy Framework."
    asked = "Did any G7 member voice reservations when the leaders endorsed the Framework?"
    assert position_missing(asked, [endorse]) == "anyone"
    pope = "We are grateful for the presence of His Holiness Pope Francis and for his contribution."
    assert position_missing("What did Pope Francis tell the G7 leaders about AI?", [pope]) == "Pope Francis"
    speech = "At the OECD ministerial meeting, Kishida will deliver a speech regarding generative AI."
    assert not position_missing("What did Kishida say about AI at the OECD?", [speech])


def test_translated_stances_contents_and_outcomes() -> None:
    from rag.reader.asked_stances import position_missing

    decision = (
        "(4) Position of the European Parliament of 13 March 2024 and decision of the Council of 21 May 2024."
    )
    asked = "Does Artificial Intelligence Act Member States 21 May 2024 decision opposition abstain?"
    assert position_missing(asked, [decision], translated=True) == "anyone"
    assert not position_missing(
        asked, ["Two Member States voted against and one abstained."], translated=True
    )
    toolkit = "We welcome the G7 Toolkit for Artificial Intelligence in the Public Sector."
    assert contents_missing(
        "Which are Apulia welcome public G7 toolkit contents?", [toolkit], translated=True
    )
    assert not contents_missing("Which are Apulia welcome public G7 toolkit?", [toolkit], translated=True)
    pilots = (
        "(b) The Secretary of Defense shall conduct an operational pilot project to identify vulnerabilities."
    )
    assert outcome_missing(
        "What Department of Defense vulnerabilities pilot in the end?", [pilots], translated=True
    )


def test_people_are_counted_as_the_text_counts_them() -> None:
    """ "How many people were in the OECD expert group?" is answered by "over 50 experts", as a translated
    何人 is (probes dev pg6-055); "how many countries" by "27 Member States". Another noun stands for itself:
    "40 United Nations bodies" counts no jobs."""
    experts = "The informal AI Group of experts at the OECD was established, comprising over 50 experts."
    assert not amount_missing("roughly how many people were in the OECD expert group?", [experts])
    assert not amount_missing("how many countries are in the EU?", ["The Union has 27 Member States."])
    bodies = "The ITU works in partnership with 40 United Nations bodies."
    assert amount_missing("how many jobs does the ITU partnership create?", [bodies])
    assert amount_missing("how many people work at the ITU?", ["The ITU convenes the AI for Good summit."])
