"""The abstention texts: what the user is shown, and what a generative answerer is told to reply.

They differ on purpose. `ABSTAIN_TEXT` is the answer of every abstention the chain makes, and it
points at the passages listed under it. `MODEL_ABSTAIN_TEXT` is the reply the system prompt asks a
model for when its sources are silent: verification recognises it as an abstention statement
(`rag.citations.is_abstention_statement` speaks of "sources", not of "the corpus") and the chain then
answers `ABSTAIN_TEXT`; a model never gets to write what the user reads as the abstention.
"""

from __future__ import annotations

from rag.translate.framing import ABSTAIN_TEXT_JA

ABSTAIN_TEXT = "The corpus does not cover this question. The closest passages are listed below."

MODEL_ABSTAIN_TEXT = "The sources provided do not answer this question."


def abstain_text(question_language: str | None) -> str:
    """The abstention in the question's language."""
    return ABSTAIN_TEXT_JA if question_language == "ja" else ABSTAIN_TEXT
