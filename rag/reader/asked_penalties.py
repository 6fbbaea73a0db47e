"""The penalty rule of the answerability check (rag/reader/answerability.py): a question that asks what
breaking a rule costs ("what fine does a reseller face if it doesn't verify its customers under EO 14110?",
"is there any penalty for a country that misses the sandbox deadline?") is unanswered when none of its
best three sentences speaks of a penalty at all. The corpus's texts set fines in one place (the AI Act's
Chapter XII); an order, a guideline or a deadline elsewhere sets none, and quoting the duty itself
answered the question as if it did (probes written blind, 2026-12-06: 3 of 3 such dev near misses). A
text that binds no one answers "is there a penalty for not following it?" with its own statement
(rag/references/legal_force.py), and that answer is never declined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.question import is_multi_part
from rag.references.penalties import PENALTY_ASKED

# What a sentence that speaks of a penalty says: a fine, a penalty, a sanction, liability, an infringement.
_PENALTY_GIVEN = re.compile(
    r"\b(?:fines?|fined|penalt(?:y|ies)|sanction\w*|punish\w*|liab(?:le|ility)|infringements?)\b(?!-)", re.I
)


def penalty_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """A penalty question whose top three sentences speak of no penalty. Not a question in parts: "is there
    a duty to label deepfakes? And is anyone punished…?" has its first part's sentences first (users dev
    u-mh-020)."""
    if not PENALTY_ASKED.search(question) or not top_sentences or is_multi_part(question):
        return False
    return not any(_PENALTY_GIVEN.search(s) for s in top_sentences[:3])
