"""The two abstention texts stay apart: the user's, and the reply a model is told to give."""

from __future__ import annotations

from rag.abstention import ABSTAIN_TEXT, MODEL_ABSTAIN_TEXT
from rag.citations import is_abstention_statement
from rag.prompting import SYSTEM_PROMPT


def test_the_prompted_reply_is_recognised_as_an_abstention() -> None:
    assert f"reply exactly: {MODEL_ABSTAIN_TEXT}" in SYSTEM_PROMPT
    # Verification must keep it without a citation, so the chain can answer ABSTAIN_TEXT instead.
    assert is_abstention_statement(MODEL_ABSTAIN_TEXT)


def test_the_user_facing_text_is_never_asked_of_a_model() -> None:
    assert ABSTAIN_TEXT != MODEL_ABSTAIN_TEXT
    assert ABSTAIN_TEXT not in SYSTEM_PROMPT
