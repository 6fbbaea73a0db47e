"""Modality and scope: "may" is not "shall", "should" is not "must", "all AI systems" is not "high-risk AI
systems".

Both slip past word overlap, because the changed word is a function word and everything else is the
source's own wording; and both change what a reader takes away from a legal text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rag.citations.polarity import NEGATION_RE

OBLIGATION, PERMISSION, RECOMMENDATION, CERTAINTY = "obligation", "permission", "recommendation", "certainty"
_MODAL_RES = (
    (
        OBLIGATION,
        re.compile(
            r"\b(?:shall|must|(?:is|are|be) required|requires?|obliged|ha(?:s|ve) to|needs? to"
            r"|mandatory|compulsory|obligatory)\b",
            re.IGNORECASE,
        ),
    ),
    (PERMISSION, re.compile(r"\b(?:may|can|could|allowed|permitted|entitled|optional)\b", re.IGNORECASE)),
    (
        RECOMMENDATION,
        re.compile(
            r"\b(?:should|encourag\w*|recommend\w*|ought|invited?|urges?|urged|calls? (?:on|upon)"
            r"|voluntary)\b",
            re.IGNORECASE,
        ),
    ),
    # "will be removed" from "there can be … removal", "will create" from "has requested … to create".
    (CERTAINTY, re.compile(r"\b(?:will|won't)\b", re.IGNORECASE)),
)
# A sentence that binds ("must") or advises ("should") claims more than one that merely permits; "may"
# with no modal in the source is a hedge ("AI may pose risks"), not a claim of permission.
_CLAIMING = (OBLIGATION, RECOMMENDATION)
_QUANTIFIER_RE = re.compile(r"\b(all|every|any|each|always|everyone|anyone|everything)\b", re.IGNORECASE)
# The words after a quantifier, up to punctuation or a function word: "all AI systems" → "AI systems".
_PHRASE_RE = re.compile(
    r"\s+(?:of\s+)?(?:the\s+|their\s+|its\s+)?((?:(?!(?:and|or|of|to|in|that|which|for|with|when)\b)[\w-]+\s*){1,3})",
    re.IGNORECASE,
)
# A cause or an effect the claim asserts ("was selected because it uses…", "will by itself accelerate…")
# needs a causal word in its source: otherwise two things the source only lists side by side have been
# joined into a reason. The source side is wider ("so", "since", "in order to", "aims to" all state why).
_CLAIMED_CAUSE_RE = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a (?:result|consequence)|by itself|on its own|consequently"
    r"|therefore|hence|(?:leads?|led|leading) to|result(?:s|ed|ing)? in|caus(?:e|es|ed|ing))\b",
    re.IGNORECASE,
)
_SOURCE_CAUSE_RE = re.compile(
    _CLAIMED_CAUSE_RE.pattern + r"|\b(?:since|so|thus|thereby|accordingly|given|in order|so as|aim\w*"
    r"|reason\w*|contribut\w*|enabl\w*|driv\w*|effect\w*|impact\w*|consequen\w*)\b",
    re.IGNORECASE,
)
_MIN_SHARED = 0.5  # a source sentence that shares half the claim's words is the one it restates


_CLOSE_RESTATEMENT = 0.8  # shares this much of one source sentence's words: judged word for word
_ALL_MODALS_RE = re.compile("|".join(f"(?P<{name}>{p.pattern})" for name, p in _MODAL_RES), re.IGNORECASE)


@dataclass(frozen=True)
class ModalSentence:
    stems: frozenset[str]
    modals: frozenset[str]
    sequence: tuple[str, ...] = ()  # modal classes in order of use
    negations: int = 0


def modal_sentence(text: str, stems: frozenset[str]) -> ModalSentence:
    sequence = tuple(m.lastgroup or "" for m in _ALL_MODALS_RE.finditer(text))
    return ModalSentence(stems, frozenset(sequence), sequence, len(NEGATION_RE.findall(text)))


def modals(text: str) -> frozenset[str]:
    """The modal classes (obligation, permission, recommendation) that `text` uses."""
    return frozenset(name for name, pattern in _MODAL_RES if pattern.search(text))


def restatement_conflict(claim: ModalSentence, sources: Sequence[ModalSentence]) -> str:
    """A claim that restates one source sentence nearly word for word must keep its modal verbs and
    its negations in number and order: "may X and shall Y" is not "shall X and shall Y", even though
    both use "shall" somewhere."""
    if len(claim.stems) < 4:
        return ""
    close = [
        s
        for s in sources
        if len(claim.stems & s.stems) >= _CLOSE_RESTATEMENT * max(len(claim.stems), len(s.stems))
    ]
    if not close:
        return ""
    if not any(_runs(s.sequence) == _runs(claim.sequence) for s in close):
        return "its modal verbs differ from the source sentence it restates"
    if not any(s.negations == claim.negations for s in close):
        return "its negations differ from the source sentence it restates"
    return ""


def _runs(sequence: tuple[str, ...]) -> tuple[str, ...]:
    """Modal classes with repeats in a row merged: "shall ensure … which shall be operational" restated as
    "must ensure … that is operational" keeps one obligation; "may X and shall Y" still differs from
    "shall X and shall Y"."""
    return tuple(kind for i, kind in enumerate(sequence) if i == 0 or sequence[i - 1] != kind)


def modality_conflict(claim: ModalSentence, sources: Sequence[ModalSentence]) -> str:
    """Why the claim's modality is not the source's ("" when it is): judged against the source
    sentences that restate it, so a "may" elsewhere in a long article does not excuse a "must"."""
    if not claim.modals or not claim.stems:
        return ""
    scored = [(len(claim.stems & s.stems) / len(claim.stems), s) for s in sources]
    best = max((share for share, _ in scored), default=0.0)
    if best < _MIN_SHARED:
        return ""  # no source sentence restates it: the wording check decides
    matched: set[str] = set()
    for share, source in scored:
        if share >= best - 0.1:
            matched |= source.modals
    if CERTAINTY in claim.modals and not matched & {CERTAINTY, OBLIGATION}:
        return "says it will happen; the source does not say so"
    for kind in _CLAIMING:
        if kind in claim.modals and kind not in matched:
            return f"says it is {'an ' if kind == OBLIGATION else 'a '}{kind}; the source does not"
    if PERMISSION in claim.modals and not claim.modals & set(_CLAIMING) and matched & set(_CLAIMING):
        if PERMISSION not in matched:
            return "says it is a permission; the source makes it an obligation or a recommendation"
    return ""


def widened_scope(claim: str, evidence: str, evidence_words: Iterable[str]) -> str:
    """A quantifier ("all", "every") that the source does not put on that noun phrase: the claim covers
    more than the source ("all AI systems" from "high-risk AI systems", beside "all AI actors")."""
    words = set(evidence_words)
    for m in _QUANTIFIER_RE.finditer(claim):
        quantifier = m.group(1).lower()
        universal = quantifier in {"all", "every", "each", "any"}
        if quantifier not in words and not (universal and words & {"all", "every", "each", "any"}):
            return f"'{quantifier}' is not in the source"
        phrase = _PHRASE_RE.match(claim, m.end(1))
        nouns = [w[:5] for w in (phrase.group(1).split() if phrase else [])][:2]
        if quantifier not in {"all", "every"} or not nouns:
            continue
        pattern = r"\b(?:all|every|any|each)\s+(?:of\s+)?(?:the\s+|their\s+|its\s+)?" + r"\w*\s+".join(
            map(re.escape, nouns)
        )
        if not re.search(pattern, evidence, re.IGNORECASE):
            return f"'{quantifier} {phrase.group(1) if phrase else ''}' widens the source's scope"
    return ""


# "applies only to public authorities", "for systemic risks only": a restriction the source does not make
# narrows what it says as surely as "all" widens it. "not only … but also" restricts nothing.
_RESTRICTING_RE = re.compile(r"(?<!\bnot )\b(?:only|solely|exclusively)\b", re.IGNORECASE)
_SOURCE_RESTRICTING_RE = re.compile(
    r"\b(?:only|solely|exclusively|sole|limited to|restricted to|except\w*|unless|reserved|alone)\b",
    re.IGNORECASE,
)


def narrowed_scope(claim: str, source: str) -> str:
    """The restricting word ("only") the claim puts in when its source restricts nothing; "" if none."""
    restricting = _RESTRICTING_RE.search(claim)
    if restricting is None or _SOURCE_RESTRICTING_RE.search(source):
        return ""
    return f"'{restricting.group(0)}' narrows the source's scope"


# "has sought to establish", "aims to close", "strives for": an attempt. A claim that restates such a
# sentence with no word of intent at all says the thing was done ("has established").
_ATTEMPT_RE = re.compile(
    r"\b(?:seeks?|sought|seeking|aims?|aimed|aiming|striv\w*|strove|endeavou?r\w*|(?:tr(?:y|ies|ied|ying)"
    r"|attempt(?:s|ed|ing)?|intends?|intending|hopes?|hoped|efforts?) to)\b",
    re.IGNORECASE,
)  # "intended purpose", "attempted interference": adjectives, not attempts
_INTENT_RE = re.compile(
    _ATTEMPT_RE.pattern + r"|\b(?:will|would|shall|should|must|may|can|could|want\w*|wish\w*|plan\w*"
    r"|propos\w*|call\w*|commit\w*|pledg\w*|goal|objective|purpose|pursu\w*|work\w* (?:towards?|to)"
    r"|in order|so as|to be|expect\w*|intention|ambition|bid|meant|designed|advis\w*|encourag\w*"
    r"|recommend\w*|consider\w*|aim\w*|seek\w*|strive\w*|tr(?:y|ies|ied|ying)|might|allow\w*|permit\w*"
    r"|entitled|able|possible|possibly|potential\w*|likely|help\w*)\b",
    re.IGNORECASE,
)


_HEDGE_RE = re.compile(r"\b(?:can|could|may|might)\b", re.IGNORECASE)


def dropped_attempt(claim: str, restated: str) -> str:
    """The attempt word of the sentence the claim restates, when the claim keeps no word of intent."""
    attempt = _ATTEMPT_RE.search(restated) or _HEDGE_RE.search(restated)
    if attempt is None or _INTENT_RE.search(claim):
        return ""
    return f"says it was done; the source says '{attempt.group(0)}'"


def added_cause(claim: str, source: str) -> str:
    """The causal phrase the claim asserts when its source states no cause or effect at all; "" if none."""
    claimed = _CLAIMED_CAUSE_RE.search(claim)
    if claimed is None or _SOURCE_CAUSE_RE.search(source):
        return ""
    return f"says '{claimed.group(0)}': the source states no cause"
