"""Polarity: does a sentence deny what its source affirms ("not mandatory" vs "mandatory")?

Judged per clause, so one negated aside in a long legal sentence does not flip the whole passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.citations.names import content_stems

# Negators. Legal idioms that are not denials ("no later than", "not less than", "not limited
# to", "No 1025/2012", "CETS No. 225") are left out, or every deadline would look negated; so is "non-", which
# is mostly a noun prefix ("non-compliance", "non-discrimination").
NEGATION_RE = re.compile(
    r"\b(?:never|neither|nor|cannot|unlike|impossible|unable|outside|rather\s+than|instead\s+of"
    r"|(?:not|no)(?!\.?\s*\d|\s+(?:later|earlier|more|less|fewer|longer|only|exceed\w*|limited)\b))\b|n't\b",
    re.IGNORECASE,
)
# Opposites that carry polarity without a negator ("mandatory" vs "voluntary"). Each pair is
# (affirming, opposing); a clause conflicts when it uses one side and its source only the other.
_ANTONYMS = (
    (
        re.compile(r"\b(?:mandatory|compulsory|obligatory|(?<!non-)binding)\b", re.IGNORECASE),
        re.compile(r"\b(?:voluntary|optional|non-binding)\b", re.IGNORECASE),
    ),
    (
        re.compile(r"\b(?:prohibit\w*|ban|bans|banned|forbid\w*|outlaw\w*)\b", re.IGNORECASE),
        re.compile(r"\b(?:allow\w*|permit|permits|permitted|permissible)\b", re.IGNORECASE),
    ),
    (
        re.compile(r"\b(?:higher|highest|greater|maximum|upper)\b", re.IGNORECASE),
        re.compile(r"\b(?:lower|lowest|smaller|minimum)\b", re.IGNORECASE),
    ),
    (
        re.compile(r"\b(?:same|identical|uniform)\b", re.IGNORECASE),
        re.compile(r"\b(?:differ|differs|differed|different|vary|varies|varied)\b", re.IGNORECASE),
    ),
)
_LEADING_YES_NO_RE = re.compile(r"^\s*(?:yes|no)\b\s*[,.!:;-]+\s*", re.IGNORECASE)
_SCOPE_WORDS = 6  # words after a negator that it is taken to deny
CLAUSE_RE = re.compile(
    r"[;:]|,\s*(?=(?:but|whereas|while|although|however|unless|except)\b)|\b(?:but|whereas)\b", re.IGNORECASE
)
_MIN_CLAUSE_STEMS = 3  # shorter clauses ("It is not mandatory") are too vague to pair with a source clause
_POLARITY_MIN_OVERLAP = 0.5
_SCOPE_MIN_SHARED = 0.5


@dataclass(frozen=True)
class Clause:
    stems: frozenset[str]
    negated: bool
    scope: frozenset[str]  # content stems of the words that the negators deny
    sides: tuple[tuple[bool, bool], ...]  # per _ANTONYMS pair: uses the first side, the second


def clause(text: str) -> Clause:
    """The polarity of one clause: its stems, whether it is negated and what the negation covers."""
    text = _LEADING_YES_NO_RE.sub("", text)  # "No. Japan's guidelines are soft law": an answer, not a denial
    scope: set[str] = set()
    matches = list(NEGATION_RE.finditer(text))
    for m in matches:
        scope |= content_stems(" ".join(text[m.end() :].split()[:_SCOPE_WORDS]))
    sides = tuple((a.search(text) is not None, b.search(text) is not None) for a, b in _ANTONYMS)
    return Clause(frozenset(content_stems(text)), bool(matches), frozenset(scope), sides)


def negation_conflict(sentence: Sequence[Clause], evidence: Sequence[Clause]) -> bool:
    """A clause of the sentence denies what the source clause most like it affirms, or the reverse.

    Judged per clause, against the source clause that shares most of its content words, and only
    when the words under the negation occur on the other side: a long legal clause that also
    says "do not pose unreasonable risks" does not contradict a sentence that skips that part.
    """
    for mine in sentence:
        if len(mine.stems) < _MIN_CLAUSE_STEMS or not evidence:
            continue
        # Ties go to the tighter clause (Jaccard), not to a long heading that happens to share words.
        best = max(
            evidence,
            key=lambda other: (
                len(mine.stems & other.stems),
                len(mine.stems & other.stems) / (len(other.stems) or 1),
            ),
        )
        if len(mine.stems & best.stems) / len(mine.stems) < _POLARITY_MIN_OVERLAP:
            continue
        if mine.negated and not best.negated and _covers(mine.scope, best.stems):
            return True
        if best.negated and not mine.negated and _covers(best.scope, mine.stems):
            return True
        if any(_opposed(a, b) for a, b in zip(mine.sides, best.sides, strict=True)):
            return True
    return False


def _opposed(mine: tuple[bool, bool], theirs: tuple[bool, bool]) -> bool:
    return (mine[0] and not mine[1] and theirs[1] and not theirs[0]) or (
        mine[1] and not mine[0] and theirs[0] and not theirs[1]
    )


def _covers(scope: frozenset[str], stems: frozenset[str]) -> bool:
    return bool(scope) and len(scope & stems) / len(scope) >= _SCOPE_MIN_SHARED
