"""Verified citations for every answer mode.

Answerers (the extractive composer, a small local LLM, any OpenAI-compatible LLM) write text with
`[n]` markers that point at numbered `Source`s. This package parses whatever they wrote (`markers`),
checks every sentence against the sources it cites (`support`, built on `facts`, `names` and
`polarity`) and rebuilds an answer in which each kept sentence carries valid `[n]` markers (`verify`).
"""

from __future__ import annotations

from rag.citations.abstention import ABSTENTION_REASON, is_abstention_statement
from rag.citations.markers import ParsedSentence, parse_answer
from rag.citations.support import (
    DEFAULT_MIN_OVERLAP,
    DEFAULT_MIN_PARAPHRASE_OVERLAP,
    DEFAULT_MIN_SIMILARITY,
    EmbedFn,
    SupportChecker,
    SupportVerdict,
)
from rag.citations.verification import VerifiedAnswer, verify

__all__ = [
    "ABSTENTION_REASON",
    "DEFAULT_MIN_OVERLAP",
    "DEFAULT_MIN_PARAPHRASE_OVERLAP",
    "DEFAULT_MIN_SIMILARITY",
    "EmbedFn",
    "ParsedSentence",
    "SupportChecker",
    "SupportVerdict",
    "VerifiedAnswer",
    "is_abstention_statement",
    "parse_answer",
    "verify",
]
