"""The timeline: dates read from sentences, kinds, computed deadlines, grouping and filters; known events of
the real corpus; the API and the page."""

from __future__ import annotations

import pytest

from rag.store.doc_meta import DocMeta
from rag.timeline import by_day, extract_events, stated_dates

EO = DocMeta(doc_id="eo", title="Executive Order 14110", short_title="EO 14110", date="2023-10-30")
TEXT = """# Executive Order 14110 (signed 30 October 2023)

Sec. 4. (a) Within 270 days of the date of this order, the Secretary shall issue guidelines for red-teaming.
The OECD Council adopted the Recommendation at its meeting at Ministerial level on 22-23 May 2019.
The Leaders of the G7 met in Hiroshima for their annual Summit on May 19-21, 2023, more united than ever.
Directive (EU) 2019/790 of the European Parliament and of the Council of 17 April 2019 on copyright applies.
(a) Chapters I and II shall apply from 2 February 2025; the rest later.
That guidance shall be issued by 2 August 2025, and shall be assessed regularly.
The Japan AI Safety Institute was established in February 2024 to advance research on evaluation.
The report covers work done in 2023 and plans for the years ahead of us all.
Nothing happened on 31 February 2024 because there is no such day in any year.
Done in Vilnius, this 5th day of September 2024, in English and in French.
"""


def events() -> dict[str, tuple[str, str, bool]]:
    """date → (kind, quote's first words, computed) for the test document."""
    return {e.date: (e.kind, e.quote[:12], e.computed) for e in extract_events(EO, TEXT)}


def test_each_calendar_date_is_an_event_of_the_kind_its_words_say() -> None:
    assert events() == {
        "2023-10-30": ("signed", "Executive Or", False),  # a dated title, its "#" left out of the quote
        "2024-07-26": ("deadline", "(a) Within 2", True),  # 270 days after 30 October 2023
        "2019-05-22": ("adopted", "The OECD Cou", False),  # a range starts on its first day
        "2023-05-19": ("meeting", "The Leaders ", False),
        "2019-04-17": ("act cited", "Directive (E", False),  # the date of the act cited, not an application
        "2025-02-02": ("applies", "(a) Chapters", False),
        "2025-08-02": ("deadline", "That guidanc", False),  # "by 2 August 2025", whatever the verb
        "2024-02": ("established", "The Japan AI", False),  # month precision
        "2024-09-05": ("signed", "Done in Viln", False),  # "this 5th day of September 2024"
    }  # no event for a bare year, nor for 31 February


def test_a_quote_is_its_document_at_its_offsets_and_a_computed_date_says_from_what() -> None:
    found = extract_events(EO, TEXT)
    for e in found:
        assert TEXT[e.start : e.end] == e.quote and e.date_text in e.quote
    deadline = next(e for e in found if e.computed)
    assert deadline.basis == "270 days from the order's date, 2023-10-30"
    undated = EO.model_copy(update={"date": "2023"})  # a deadline needs the document's day
    assert not any(e.computed for e in extract_events(undated, TEXT))


def test_dates_in_order_with_their_words() -> None:
    found = stated_dates("Adopted on 8 November 2023 and revised in May 2024, after March 3, 2024.")
    assert [(iso, precision, words) for _, iso, precision, words in found] == [
        ("2023-11-08", "day", "8 November 2023"),
        ("2024-05", "month", "May 2024"),
        ("2024-03-03", "day", "March 3, 2024"),
    ]


def test_days_group_documents_and_filter_by_date_prefix_and_document() -> None:
    other = DocMeta(doc_id="oecd", title="OECD", short_title="OECD", date="2024-05-03")
    both = extract_events(EO, TEXT) + extract_events(
        other, "The OECD Council revised the Recommendation on 2 August 2025 at its meeting."
    )
    days = by_day(both)
    assert [d.date for d in days] == sorted(d.date for d in days)
    shared = next(d for d in days if d.date == "2025-08-02")
    assert [e.doc_id for e in shared.events] == ["eo", "oecd"]  # one day, two documents
    assert [d.date for d in by_day(both, "2025", "2025")] == ["2025-02-02", "2025-08-02"]
    assert [d.date for d in by_day(both, "2024-02", "2024-07")] == ["2024-02", "2024-07-26"]
    assert [d.date for d in by_day(both, "2025-08", doc_ids=["oecd"])] == ["2025-08-02"]


@pytest.mark.slow
def test_known_events_of_the_corpus(services) -> None:
    found = {(e.doc_id, e.date, e.kind) for e in services.timeline.events()}
    act = "eu-ai-act-regulation-2024-1689"
    for day in ("2025-02-02", "2025-08-02", "2027-08-02"):
        assert (act, day, "applies") in found
    assert (act, "2026-08-02", "applies") in found  # "It shall apply from 2 August 2026."
    assert ("g7-hiroshima-leaders-communique-2023", "2023-05-19", "meeting") in found  # May 19-21, 2023
    assert ("un-ga-resolution-78-265-2024", "2024-03-21", "adopted") in found
    assert ("oecd-recommendation-on-ai-2024", "2023-11-08", "adopted") in found
    assert ("us-executive-order-14110-2023", "2024-07-26", "deadline") in found  # within 270 days
    assert ("diplomat-japans-ai-diplomacy-2024", "2024-02-14", "established") in found  # the AISI


@pytest.mark.slow
def test_the_timeline_api_filters_and_says_what_is_wrong(client) -> None:
    r = client.get(
        "/api/timeline", params={"from": "2023-10", "to": "2023-10", "doc": "us-executive-order-14110-2023"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["documents"] == ["us-executive-order-14110-2023"]
    assert {d["date"][:7] for d in body["days"]} == {"2023-10"} and body["events"] >= 1
    event = body["days"][0]["events"][0]
    quoted = client.get(f"/api/documents/{event['doc_id']}").json()
    assert event["quote"] in quoted["text"]
    kinds = client.get("/api/timeline", params={"kind": "applies"}).json()
    assert {e["kind"] for d in kinds["days"] for e in d["events"]} == {"applies"}
    for params, why in [
        ({"from": "2023-13"}, "is not a date"),
        ({"to": "soon"}, "is not a date"),
        ({"from": "2024", "to": "2023"}, "before"),
        ({"kind": "party"}, "is not one of"),
        ({"doc": "no-such-doc"}, "no document"),
    ]:
        bad = client.get("/api/timeline", params=params)
        assert bad.status_code == 422 and why in bad.json()["detail"]


@pytest.mark.slow
def test_the_timeline_page_filters_by_links(client) -> None:
    page = client.get("/timeline", params={"doc": "eu-ai-act-regulation-2024-1689", "year": "2025"})
    assert page.status_code == 200 and "default-src 'none'" in page.headers["content-security-policy"]
    assert "id='d-2025-08-02'" in page.text and "id='d-2024" not in page.text
    assert "2 August 2025" in page.text and "shall apply from 2 August 2025" in page.text
    assert "act cited" not in page.text  # the dates of cited acts only on request
    assert "act cited" in client.get("/timeline", params={"acts": "1"}).text
    assert "computed: 270 days from the order" in client.get("/timeline", params={"year": "2024"}).text
    assert client.get("/timeline", params={"year": "20x"}).status_code == 422
    assert client.get("/timeline", params={"doc": "nope"}).status_code == 422


@pytest.mark.slow
def test_the_labelled_sample_still_describes_the_extractor(services) -> None:
    from evals.timeline_precision import score

    table, stale = score(services.timeline.events())
    assert not stale, f"re-label these timeline events: {stale}"
    assert table["all"].n == 88
    assert table["all"].date_correct / table["all"].n >= 0.95  # the precision the README reports
