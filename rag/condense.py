"""Deterministic follow-up rewriting for extractive mode (generative modes ask the LLM first).

"And when was it set up?" after "What is Japan's AI Safety Institute?" becomes
"When was it set up? (Japan's AI Safety Institute)": the previous turn's subject is carried over so
that retrieval sees it, and the rewritten question is reported to the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.core.models import ChatTurn

PRONOUN = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|there|then|he|she|his|her"
    r"|the same|the document|the text|which one|the others?|the former|the latter|the rest"
    # "the current and target ones", "the new one": a noun the last question named
    r"|ones|the (?:\w+ )?one(?! of))\b",
    re.I,
)
_LEADING = re.compile(r"^\s*(and|so|also|but|ok(?:ay)?|then|what about|how about)\b[\s,]*", re.I)
_Q_WORDS = re.compile(
    r"^\s*(what|which|when|where|who|whom|whose|why|how|does|do|did|is|are|was|were|can|could|should|will|would)\b"
    r"(?:['’]s\b)?"  # "what's a 'profile'…" kept "'s a 'profile'" as its subject
    # \b after each word: without it "a" took the first letter of "Article" ("rticle 50(2) …").
    r"(\s+(is|are|was|were|does|do|did|the|a|an|many|much|there)\b)*\s*",
    re.I,
)


def needs_context(question: str) -> bool:
    words = question.split()
    return bool(PRONOUN.search(question) or _LEADING.match(question) or len(words) <= 4)


def subject_of(question: str) -> str:
    """The previous question minus its question words: a cheap stand-in for its subject."""
    q = question.strip().rstrip("?").strip()
    q = _LEADING.sub("", q)
    return _Q_WORDS.sub("", q).strip()


def rewrite_followup(question: str, history: Sequence[ChatTurn]) -> str:
    previous = [t.content for t in history if t.role == "user" and t.content.strip()]
    if not previous or not needs_context(question):
        return question.strip()
    subject = subject_of(previous[-1])
    if not subject:
        return question.strip()
    core = _LEADING.sub("", question.strip())
    core = core[:1].upper() + core[1:]
    return f"{core} ({subject})"
