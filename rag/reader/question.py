"""What kind of answer a question asks for: a date, a number, a list, yes or no, a name, or a fact.

The extractive composer and the reader both read it: a "when" question wants a sentence with a date,
a yes/no question the provision that settles it.
"""

from __future__ import annotations

import re
from functools import lru_cache

LIST_ITEM = re.compile(r"^\s*(?:\(?[a-z]{1,4}\)|\(?\d{1,2}[.)]|[-•*])\s+", re.I)
# "when" asks only where a question starts ("When did…", "And when does…", "— when's the…") or inverts
# ("when does it apply"); in "do I have to be told when I'm chatting with a bot?" it is a conjunction,
# and an answer without a date is no incomplete answer there. "Which came first", "before or after" and
# "how long after" are answered by two dates.
_TWO_DATES = r"came first|before or after|how long (?:after|before)|how old"
_WHEN = re.compile(
    r"\b(what date|which date|what day|which day|what year|which year|since when|how long ago|by when"
    rf"|deadline|{_TWO_DATES})\b"
    r"|\bwhen(?:'s|’s)?(?=\s+(?:did|does|do|is|was|were|will|would|can|could|has|have|had|should|must"
    r"|are|am|shall)\b)|\bwhen(?:'s|’s)|^\W*(?:(?:so|and|but|ok|okay|then|also)\W+)?when\b"
    r"|[,;:—–(-]\s*when\b|\b(?:how|where|why|whether|if) (?:and|or) when\b",
    re.I,
)
_HOW_MANY = re.compile(
    r"\b(how many|how much|how long|how often|within how"
    r"|what (?:number|percentage|share|amount|threshold)|how large|how big|number of|count of|headcount"
    r"|head count|tally)\b",
    re.I,
)
_LIST = re.compile(
    r"\b(which|what) (?:\w+ ){0,3}(are|were)\b|\b(which|what) (?:\w+ )?(include|includes)\b"
    r"|\blist\b|\bname the\b"
    r"|\b(?:which|what) (?:\w+ )?(?:practices|principles|obligations|measures|actions|rights|areas"
    r"|categories|steps|elements|commitments)\b",
    re.I,
)


# A question that compares dates: each text it quotes is dated (rag/document_dates.py).
COMPARES_DATES = re.compile(
    rf"\b(?:{_TWO_DATES}|at that (?:point|time)"
    r"|(?:days|weeks|months|years) (?:after|before|later|earlier))\b",
    re.I,
)


@lru_cache(maxsize=4096)  # asked about the same question a dozen times on its way through the chain
def question_type(question: str) -> str:
    if _WHEN.search(question):
        return "date"
    if _HOW_MANY.search(question):
        return "number"
    if _LIST.search(question):
        return "list"
    return "fact"


# "…composed of four functions: GOVERN, MAP, MEASURE, and MANAGE." / "providers, deployers and importers"
ENUMERATION = re.compile(r",[^,;]*\b(?:and|or)\b|:\s*\S[^:]*,")

_YES_NO = re.compile(
    r"^\s*(?:(?:so|and|but|ok|okay|also|then|wait)[, ]+)?"
    r"(?:is|are|was|were|can|could|do|does|did|must|should|shall|will|would|may|might|has|have|had"
    r"|am i|isn't|aren't|doesn't|don't)\b",
    re.I,
)
_WHO = re.compile(
    r"\b(who|whom|whose|which (?:body|bodies|authority|authorities|country|countries|"
    r"organi[sz]ations?|institutions?|agency|agencies|minister|ministry|office|company))\b",
    re.I,
)


def is_yes_no(question: str) -> bool:
    """ "Can a bank…", "do I have to…", "is it legal…": answered by the provision that settles it."""
    return bool(_YES_NO.match(question)) or bool(
        re.search(r"\b(?:is it|am i|are we|are they)\b", question, re.I)
    )


def asks_who(question: str) -> bool:
    return bool(_WHO.search(question))


_MULTI = re.compile(
    r"\b(compare[sd]?|comparison|differ\w*|difference|both|versus|vs\.?|whereas|same as|unlike|similar"
    r"|before or after|and then|as well as)\b|\?.+\?",
    re.I | re.S,
)


def is_multi_part(question: str) -> bool:
    """A comparison or a two-part question: its answer needs a quote from each side."""
    return bool(_MULTI.search(question))


# A yes/no question's verb, then its subject: "does it…", "is the…".
_YES_NO_VERB = r"(?:does|do|did|is|are|was|were|can|could|must|will|would|should|has|have)"
_YES_NO_SUBJECT = r"(?:it|they|this|that|these|those|the|its|their|there|he|she|we|you|i|any|each|both)"
# Where a two-part question turns to its second part: a second question mark, a comparison, "or is
# that…", or a dash or comma before a new wh-clause.
_PART_BREAK = re.compile(
    r"\?\s+(?=\S)"
    r"|[,;]?\s+(?:compared (?:to|with)|as opposed to|versus|vs\.?|whereas|unlike)\s+"
    r"|,\s+or\s+(?=(?:is|are|does|do|did|was|were|can|must|will|would)\b)"
    r"|\s+[—–]\s+(?=(?:and\s+)?(?:what|how|when|which|who|where|is|are|does|do|did)\b)"
    r"|,\s+and\s+(?=(?:what|how|when|which|who|where)\b)"
    # "When was it adopted, and does it tell countries to stop…?": a yes/no part, verb before subject
    rf"|,\s+and\s+(?={_YES_NO_VERB}\s+{_YES_NO_SUBJECT}\b)",
    re.I,
)
_MIN_PART_WORDS = 4
# "now that Japan has a comprehensive AI law in force, what's the penalty there for…?", "since the AI Act
# bans facial recognition everywhere, how come…": the premise is read as a part of its own, so that the
# answer quotes what the texts say of it too, and a premise they contradict is seen contradicted (fresh
# users dev, stop 55). A "when" clause that asks ("when did Japan set up its institute, and…") is a part
# already; one that states ("When the CoE convention was signed in Strasbourg, what…") is a premise.
_PREMISE = re.compile(
    r"^\W*(?:since|now that|given that|seeing as|because"
    r"|when(?!\s+(?:did|was|were|is|are|does|do|will|has|had)\b))"
    r"\s+([^,?]+?),\s*((?:and\s+|so\s+)?(?:what|what's|how|which|who|when|why|where|does|do|is|are|can|did|should"
    r"|must|will|would)\b[^?]*\?)\s*$",
    re.I,
)
ASKS_FIRST = re.compile(  # a clause that opens by asking
    r"^(?:(?:and|but|or|so|then)\s+)?(?:what|what's|how|when|which|who|whom|where|why|is|are|does|do|did|was|were"
    r"|can|could|must|will|would|should|has|have)\b",
    re.I,
)


# "which came first, the UN resolution or the AI Act being signed?": each side's date is its own part.
_WHICH_FIRST = re.compile(
    r"\bwhich (?:one )?(?:came|was|happened|is) (?:first|earlier|older)\b[,:]?\s+(.+?)\s+or\s+(.+?)"
    r"\s*(?:[?,;]|$)",
    re.I,
)


# "how long after the UN passed its resolution did the G7 welcome it?", "did Biden sign his order before or
# after the G7 statement came out?": two events, each dated on its own.
_HOW_LONG_AFTER = re.compile(
    r"^\W*how long (?:after|before)\s+(.+?)\s+(?:did|was|were|had|has|do|does)\s+(.+?)\s*\??\s*$", re.I
)
_BEFORE_OR_AFTER = re.compile(
    r"^\W*(?:did|was|were|is|does|do|has|had)\s+(.+?)\s+(?:before or after|after or before)\s+"
    r"(.+?)\s*\??\s*$",
    re.I,
)


def question_parts(question: str) -> list[str]:
    """The parts of a two- or three-part question, each to be answered by its own quote; [] for a
    question in one part. A piece that asks nothing ("I'm an illustrator —") stays with the piece after
    it, and one too short to search on its own with the piece before it."""
    first = _WHICH_FIRST.search(question)
    if first:
        return [f"When was {side.strip()}?" for side in first.groups()]
    events = _HOW_LONG_AFTER.match(question) or _BEFORE_OR_AFTER.match(question)
    if events:
        return [f"When did {side.strip()}?" for side in events.groups()]
    premise = _PREMISE.match(question)
    if premise and len(premise.group(1).split()) >= _MIN_PART_WORDS:
        return [premise.group(1).strip(), premise.group(2).strip()]
    pieces = [p.strip(" ,;—–-") for p in _PART_BREAK.split(question.strip())]
    parts: list[str] = []
    context = ""
    for piece in filter(None, pieces):
        if parts and len(piece.split()) < _MIN_PART_WORDS:
            parts[-1] = f"{parts[-1]} {piece}"
        elif not _asks(piece):
            context = f"{context} {piece}".strip()
        else:
            parts.append(f"{context} {piece}".strip())
            context = ""
    if context and parts:
        parts[-1] = f"{parts[-1]} {context}"
    return parts[:3] if len(parts) > 1 else []


_WH = re.compile(r"\b(?:what|which|how|when|who|whom|where|why)\b", re.I)


# "if my company builds targeting software for a defence ministry, does the EU AI Act even cover it — and
# what did the G7 say…?": a yes/no question after a clause that sets the scene (dev u-mh-567).
_ASKS_AFTER_CLAUSE = re.compile(
    rf",\s+(?:and\s+|but\s+|so\s+)?{_YES_NO_VERB}\s+(?:{_YES_NO_SUBJECT}|my|our)\b", re.I
)


def _asks(piece: str) -> bool:
    """The piece's last sentence asks something ("… an OECD text. Which text was that")."""
    last = re.split(r"(?<=[.!])\s+", piece)[-1]
    return piece.endswith("?") or bool(
        ASKS_FIRST.match(last) or _WH.search(last) or _ASKS_AFTER_CLAUSE.search(last)
    )
