"""Near misses from the fresh blind questions of 2026-12-06: a report's findings the text only orders, whether
anyone objected, and names of companies or countries that are agencies, laws or cities. Each rule is also
checked against the answerable shape it must leave alone."""

from __future__ import annotations

from rag.reader.answerability import missing_detail, outcome_missing, position_missing
from rag.reader.asked_names import name_missing

ORDERED = (
    "The Chairman of the Council of Economic Advisers shall prepare and submit a report to the President on "
    "the labor-market effects of AI."
)


def test_a_report_the_text_only_orders_has_no_findings_yet() -> None:
    asked = "what did the council of economic advisers find in its report on AI and jobs?"
    assert outcome_missing(asked, [ORDERED])
    assert "what came of it" in missing_detail(asked, [ORDERED])
    found = "The Council of Economic Advisers found that AI raised wages in most sectors of the labor market."
    assert not outcome_missing(asked, [found])
    # What the order asks the report to show is in the order itself (answerable probes).
    assert not outcome_missing("what did the order say the CEA report on AI and jobs has to show?", [ORDERED])
    assert not outcome_missing("what did the order require the economic advisers to find out?", [ORDERED])
    # "decide" is no finding: a legal text's rule reads "shall" too.
    decided = "what did the council of economic advisers decide about AI reports?"
    assert not outcome_missing(decided, [ORDERED])


def test_whether_anyone_objected_needs_a_sentence_about_a_stance() -> None:
    revised = "The Recommendation was revised by the OECD Council meeting at Ministerial level on 3 May 2024."
    asked = "Did any country push back on the OECD's May 2024 update to the AI principles?"
    assert position_missing(asked, [revised]) == "anyone"
    assert missing_detail(asked, [revised]) == "where anyone stood on it"
    assert position_missing("did any member object to the 2024 revision?", [revised]) == "anyone"
    abstained = "Decisions are binding on all Members except those which abstain at the time of adoption."
    assert position_missing("did any members abstain when it was adopted?", [abstained]) == ""
    # Not a question about dissent at all.
    assert position_missing("did any country adopt the OECD principles in 2024?", [revised]) == ""


def test_agencies_laws_and_programmes_are_no_companies() -> None:
    orders = (
        "To strengthen United States leadership, the Secretary of State, in coordination with the Assistant"
        " to the President for National Security Affairs and the Director of OSTP, shall lead efforts."
    )
    assert name_missing("which US companies made the voluntary AI commitments the order refers to?", [orders])
    made = "The voluntary commitments were made by NVIDIA, Arm, Amazon and Microsoft."
    assert not name_missing("which US companies made the voluntary AI commitments?", [orders, made])


def test_a_city_is_no_country() -> None:
    footnote = "Records of the General Conference, Forty-first Session, Paris, 9-24 November 2021."
    assert name_missing("which country drafted and pushed the UN's AI resolution?", [footnote])
    sponsored = "The draft resolution was introduced by the United States and co-sponsored by Japan."
    assert not name_missing("which country drafted the UN general assembly's AI resolution?", [sponsored])
