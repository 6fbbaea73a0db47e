"""Near misses from a third batch of probes written blind (2026-12-06): a penalty a text never sets, the
shares of a total it gives only whole, and a budget asked in a fragment. Each rule is also checked against
the answerable question of its shape."""

from __future__ import annotations

from rag.reader.amounts import amount_missing, split_missing
from rag.reader.answerability import missing_detail
from rag.reader.asked_penalties import penalty_missing
from rag.translate.framing import missing_detail_warning

ORDER = (
    "Within 180 days, the Secretary shall propose regulations that require IaaS Providers to verify identity."
)
FINES = "Non-compliance shall be subject to administrative fines of up to 35 000 000 EUR."
TOTAL = (
    "We applaud the establishment of $110 million in new AI research partnerships between four universities."
)


def test_a_penalty_is_asked_of_sentences_that_speak_of_one() -> None:
    asked = "what fine does a cloud reseller face if it skips the identity checks in EO 14110?"
    assert penalty_missing(asked, [ORDER])
    assert missing_detail(asked, [ORDER]) == "a penalty"
    assert not penalty_missing("what's the fine for using a banned AI system in the EU?", [FINES])
    assert not penalty_missing("what does EO 14110 require of cloud resellers?", [ORDER])  # no penalty asked
    assert not penalty_missing("is fine-tuning a model covered?", [ORDER])
    assert "罰則" in missing_detail_warning("a penalty", "ja")


def test_the_shares_of_a_total_need_two_figures() -> None:
    assert split_missing("how is the $110 million split between the two partnerships?", [TOTAL])
    assert split_missing("how much of the $110m goes to each university?", [TOTAL])
    shares = "Of the $110 million, $50 million goes to one partnership and $60 million to the other."
    assert not split_missing("how is the $110 million split between the two partnerships?", [shares])
    assert not split_missing("how much money went into the partnerships?", [TOTAL])  # a total, not shares


def test_a_budget_asked_in_a_fragment_is_a_sum() -> None:
    founded = "On February 14, 2024, the Japan AI Safety Institute was established."
    assert amount_missing("Japan AI Safety Institute budget?", [founded])
    assert not amount_missing(
        "Japan AI Safety Institute budget?", ["The institute has a budget of $10 million."]
    )


def test_a_question_in_parts_is_not_declined_for_its_penalty_part() -> None:
    label = (
        "Deployers of an AI system that generates a deep fake shall disclose that the content is artificial."
    )
    asked = "If someone posts a deepfake, must it be labelled in the EU? And is anyone fined if it isn't?"
    assert not penalty_missing(asked, [label])


def test_more_wordings_of_the_asked_detail() -> None:
    from rag.reader.answerability import date_missing, outcome_missing
    from rag.reader.asked_names import role_missing
    from rag.reader.asked_stances import signers_missing

    founded = "On February 14, 2024, the Japan AI Safety Institute was established to advance research."
    assert role_missing("Name the person heading Japan's AI Safety Institute.", [founded])
    headed = "Japan's AI Safety Institute is headed by its Director, Akiko Murakami."
    assert not role_missing("Name the person heading Japan's AI Safety Institute.", [headed])
    in_force = (
        "In respect of any acceding State, this Convention shall enter into force three months after deposit."
    )
    assert signers_missing("Has any country ratified the Council of Europe AI convention so far?", [in_force])
    study = "Within 270 days, the Register of Copyrights shall publish a study on AI and copyright."
    assert date_missing("give me the date the Copyright Office is supposed to publish its AI study", [study])
    assert not date_missing(
        "give me the date the Copyright Office published its study", ["It did so on 2 May 2024."]
    )
    pilot = "We will launch a pilot of the reporting framework."
    assert outcome_missing("Did the pilot of the reporting framework go well — any results yet?", [pilot])


def test_wordings_of_a_fourth_batch_of_probes() -> None:
    from rag.reader.asked_stances import position_missing

    adopted = "Resolution adopted by the General Assembly on 21 March 2024"
    asked = "Did China or Russia object or say anything when the General Assembly adopted the resolution?"
    assert position_missing(asked, [adopted]) in {"China", "China or Russia"}
    group = (
        "The informal AI Group of experts was established, comprising over 50 experts from different sectors."
    )
    assert split_missing(
        "How were the 50-plus experts split between governments, industry and unions?", [group]
    )
    counted = "Of the 52 experts, 20 came from governments, 12 from industry and 20 from academia and unions."
    assert not split_missing(
        "How were the 52 experts split between governments, industry and unions?", [counted]
    )
    hub = "We welcome the decision to establish the AI Hub for Sustainable Development, with UNDP."
    assert amount_missing("funding amount for Italy's AI Hub for Sustainable Development?", [hub])


def test_a_deadline_after_the_best_sentence_is_a_time_limit_not_a_meetings_day() -> None:
    from rag.reader.asked_dates import deadline_missing

    asked = "What's the deadline for the labour ministers to finish the action plan?"
    ordered = "We ask our Labor Ministers to develop the action plan on AI in the world of work."
    met = "We endorse the outcomes of the Ministers' Meeting on December 1, 2023, notably the action plan."
    assert deadline_missing(asked, [ordered, met])
    due = "The Ministers shall deliver the action plan by December 2024."
    assert not deadline_missing(asked, [ordered, due])
