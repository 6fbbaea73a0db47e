"""The dates a question states, read for its premise (rag/document_dates.py)."""

from __future__ import annotations

import pytest

from rag.document_dates import _dates_agree, stated_months


@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("what did the code agreed at the summit in May 2023 ask of firms?", [(2023, 5)]),
        ("did Biden's 2023 order say anything on watermarks?", [(2023, 0)]),
        ("after the meeting on December 6, 2023, what changed?", [(2023, 12)]),
        ("between March 2024 and the summer of 2024", [(2024, 3), (2024, 0)]),
        ("what does the act say about deepfakes?", []),
        ("is 270 days a long time?", []),  # no year
    ],
)
def test_the_months_and_years_a_question_states(question: str, stated: list[tuple[int, int]]) -> None:
    assert stated_months(question) == stated


def test_a_stated_date_agrees_with_a_texts_own_by_year_or_by_month_of_that_year() -> None:
    assert _dates_agree([(2023, 0)], "2023-10-30") and _dates_agree([(2023, 10)], "2023-10-30")
    assert not _dates_agree([(2023, 5)], "2023-10-30")  # the premise's month is not the text's
    assert not _dates_agree([(2024, 0)], "2023-10-30")
    assert _dates_agree([(2024, 6), (2023, 0)], "2023-10")  # any one of them
