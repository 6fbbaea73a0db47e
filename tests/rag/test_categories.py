"""The lists that decide whether a use is banned or high-risk (rag/retrieval/categories.py)."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from rag.retrieval.categories import STATUS_ASKED, list_rows
from rag.retrieval.table import ChunkTable


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("a lender scores my loan with an algorithm - is that high-risk under the EU AI Act?", True),
        ("my boss reads our faces on webcam to see if we're bored. is that even legal in the EU?", True),
        ("is an app that guesses religion from a selfie banned in Europe?", True),
        ("we screen CVs with AI. is that a big deal under the EU rules?", True),
        ("when does the AI Act apply?", False),
        ("what does the AI Act say about deep fakes?", False),
    ],
)
def test_what_asks_a_uses_status(question: str, asks: bool) -> None:
    assert bool(STATUS_ASKED.search(question)) is asks


def test_only_the_items_of_the_lists_are_searched_again() -> None:
    def chunk(i: int, refs: str) -> Document:
        return Document(id=str(i), page_content="x", metadata={"doc_id": "act", "refs": refs})

    table = ChunkTable.build(
        [
            chunk(0, "|chapter ii|article 5|article 5(1)|article 5(1)(f)|"),
            chunk(1, "|annex iii|annex iii(5)|annex iii(5)(b)|"),
            chunk(2, "|recital 44|"),
            chunk(3, "|chapter ii|article 5|article 5(2)|"),  # how the ban applies, not what is banned
            chunk(4, "|annex ii|"),  # another annex
        ]
    )
    assert list_rows(table).tolist() == [True, True, False, False, False]
