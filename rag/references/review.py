""" "Is the G7 code set in stone, or will it be revised?", "is anyone checking whether the OECD
Recommendation gets implemented?": how a named text is to be reviewed or kept up to date, and the sentence
where the text says so of itself ("This document will be reviewed and updated as necessary", "…report to
the Council on its implementation … five years after its adoption and regularly thereafter"). On users dev
(2026-12-06) 5 such questions missed the statement (own_statements.py says why).

Only what is to come: "when was the Recommendation revised?" asks a date, and "when is the next version
coming out?" a date the corpus does not give (a near miss); "has the OECD changed its definition since?"
asks what a past revision did.
"""

from __future__ import annotations

import re

from rag.references.own_statements import Topic

_REVISED = r"(?:revis|updat|review|amend|chang)\w*"
_ASKED = re.compile(
    r"\b(?:kept|keep|keeping|stay|stays) (?:up to date|current)\b|\bset in stone\b|\bfinal (?:word|version)\b"
    r"|\bliving document\b|\bhow often\b[^?]{0,40}?\b" + _REVISED + r""
    r"|\b(?:will|going to|plans? to|planning to|supposed to|expected to|ever)\b[^?]{0,40}?\b" + _REVISED + r""
    r"|\b" + _REVISED + r"\b[^?]{0,40}?\b(?:again|later|in (?:the )?future|at some point|eventually|regularly"
    r"|periodically|from now on|going forward)\b"
    r"|\b(?:check|monitor|track|follow)\w*\b[^?]{0,60}?\bimplement\w*",
    re.I,
)
# How a text says it will be reviewed: by a date or at intervals first, then to be reviewed or updated,
# then a living document.
_DATED = re.compile(
    r"\breview\b[^.]{0,80}?\bno later than\b|\bregularly thereafter\b|\bevery (?:two|three|five|ten) years\b",
    re.I,
)
_TO_BE_REVIEWED = re.compile(
    r"\bwill be (?:reviewed|updated|revised)\b|\breviewed and updated\b"
    r"|\bupdated as (?:needed|necessary|appropriate)\b",
    re.I,
)
_LIVING = re.compile(r"\bliving document\b", re.I)
REVIEW = Topic("review", _ASKED, (_DATED, _TO_BE_REVIEWED, _LIVING))
