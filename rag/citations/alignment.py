"""Restatements: a sentence that repeats one source sentence must agree with it where it differs.

The other checks compare a sentence with the whole passage as a bag of words, so a claim assembled from
the passage's own words in a new order passes them: "cooperation with the G7 and GPAI" when the passage
says "with the OECD and GPAI" (and names the G7 elsewhere), or "Recommendations are legally binding"
when it says they are "not legally binding" (and that Decisions are). When most of a sentence's words
line up, in order, with one source sentence, that sentence is what it restates, and the places where the
two differ are where a swap hides: a name or figure put in for another, a negator added or dropped.
Written by hand: difflib's alignment does the work; what a swap is belongs to this checker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from rag.citations.facts import MONTHS, NUMBER_WORDS, UNCHECKED_NUMBER_WORDS
from rag.citations.markers import sentence_ranges
from rag.citations.names import ALIASES

# Share of the sentence's words that line up with one source sentence for it to count as a restatement.
# On the dev pairs of evals/data/support_pairs.jsonl, precision / recall of "verified" at 0.5, 0.6, 0.7 and
# 0.8: 0.994 / 0.862, 0.994 / 0.867, 0.987 / 0.867, 0.981 / 0.873; without the check 0.952 / 0.873.
ALIGN_MIN = 0.6
_MIN_WORDS = 5
_TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*(?:[.,/]\d+)*")
_ITEM_BREAK = re.compile(r";|\n+")
_DIGIT_GROUP = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)")  # "35 000 000" is one figure
_NEGATORS = frozenset({"not", "no", "never", "nor", "neither", "cannot", "non", "without", "n't"})
# Capitalised words that are not names: pronouns, determiners, and the kinds of instrument, which a
# restatement names freely ("the AI Act" for "this Regulation").
_NOT_NAMES = frozenset(
    "the a an this that these those it its we our they their he she his her i you in on at by for of and"
    " or but under while with to as from act regulation order convention recommendation recommendations"
    " declaration framework guidelines guideline resolution code statement communique principles treaty"
    " law directive article chapter section annex paragraph".split()
)
# A negator counts as added or dropped only when the words around it line up: a span of at most this
# many words. Leaving out a whole negative clause ("…, and are thus not acceptable") is no denial.
_NEGATION_SPAN = 2


@dataclass(frozen=True)
class _Token:
    text: str
    key: str  # lowercased; what the alignment compares
    kind: str  # "name", "figure" or "month": what a swap changes; "" for other words


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for i, m in enumerate(_TOKEN_RE.finditer(_DIGIT_GROUP.sub("", text))):
        word = m.group().rstrip(".,")
        key = re.sub(r"'s$", "", word.lower().replace("’", "'"))
        if key in NUMBER_WORDS and key not in UNCHECKED_NUMBER_WORDS:  # "five months" is "5 months"
            key = str(NUMBER_WORDS[key])
        if key[:1].isdigit():  # "35,000,000", "35 000 000" and "35 million" align as one figure
            key = re.sub(r"\D", "", key).rstrip("0") or "0"
        if key.endswith("n't"):
            out.append(_Token(word[:-3], key[:-3], ""))
            out.append(_Token("n't", "n't", ""))
            continue
        if key[:1].isdigit():
            kind = "figure"
        elif key in MONTHS and word[:1].isupper():  # "may" and "march" are also verbs
            kind = "month"
        elif word[:1].isupper() and key not in _NOT_NAMES and (i > 0 or word.isupper()):
            kind = "name"
        else:
            kind = ""
        out.append(_Token(word, key, kind))
    return out


def swapped_detail(sentence: str, passages: Sequence[str], align_min: float = ALIGN_MIN) -> str:
    """Why the sentence misstates the source sentence it restates ("" when it does not, or restates none)."""
    claim = _tokens(sentence)
    if len(claim) < _MIN_WORDS:
        return ""
    found = _restated(claim, passages, align_min)
    if found is None:
        return ""
    source, matcher = found
    keys, source_keys = {t.key for t in claim}, {t.key for t in source}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        ours, theirs = claim[i1:i2], source[j1:j2]
        if _negation_changed(ours, theirs):
            return f"restates the source with its negation changed: '{_text(ours)}' for '{_text(theirs)}'"
        if tag != "replace":
            continue
        our_span, their_span = {t.key for t in ours}, {t.key for t in theirs}
        for kind in ("figure", "month", "name"):
            put_in = [t for t in ours if t.kind == kind and t.key not in their_span]
            taken_out = [t for t in theirs if t.kind == kind and t.key not in our_span]
            # The whole spans too: a sentence-initial "Artificial" is no name, yet "AI" spells both words.
            if not put_in or not taken_out or _aliases(put_in, taken_out) or _aliases(ours, theirs):
                continue
            new = any(t.key not in source_keys for t in put_in) and any(t.key not in keys for t in taken_out)
            # Or two names traded places: each sits where the source has the other.
            crossed = any(t.key in source_keys for t in put_in) and any(t.key in keys for t in taken_out)
            if crossed and _listed(source, _positions(source, [put_in[0].key, taken_out[0].key])):
                crossed = False  # "Tsukuba and Washington" for "Washington and Tsukuba": a list reordered
            if new or crossed:
                return f"restates the source with '{_text(put_in)}' where it says '{_text(taken_out)}'"
    return _moved_names(claim, source, matcher)


def _moved_names(claim: list[_Token], source: list[_Token], matcher: SequenceMatcher[str]) -> str:
    """Two names that both sentences have, each left out of the alignment and in new company: "UW with Keio
    and CMU with Tsukuba" for "UW with Tsukuba and CMU with Keio". A name that moved with its neighbours
    (a clause put first) or within a list ("Japan and the US") has not traded places."""
    blocks = matcher.get_matching_blocks()
    ours = _unaligned(claim, ((b.a, b.size) for b in blocks))
    theirs = _unaligned(source, ((b.b, b.size) for b in blocks))
    moved = [
        key
        for key, i in ours.items()
        if key in theirs and claim[i].kind == "name" and _next(claim, i) != _next(source, theirs[key])
    ]
    if len(moved) >= 2 and not _listed(source, [theirs[k] for k in moved]):
        return f"restates the source with '{moved[0]}' and '{moved[1]}' in each other's places"
    return ""


def _unaligned(tokens: list[_Token], blocks: Iterable[tuple[int, int]]) -> dict[str, int]:
    """Key → position of the salient tokens outside every matching block (start, size), the first for a
    repeated key."""
    inside = {i for start, size in blocks for i in range(start, start + size)}
    out: dict[str, int] = {}
    for i, t in enumerate(tokens):
        if t.kind and i not in inside:
            out.setdefault(t.key, i)
    return out


def _positions(tokens: list[_Token], keys: list[str]) -> list[int]:
    """Where each key first occurs; keys the tokens lack are left out."""
    first: dict[str, int] = {}
    for i, t in enumerate(tokens):
        first.setdefault(t.key, i)
    return [first[key] for key in keys if key in first]


def _next(tokens: list[_Token], i: int) -> tuple[str, ...]:
    """The two words after a name (past the rest of the name): its company in the sentence."""
    j = i
    while j < len(tokens) and tokens[j].kind == "name":
        j += 1
    return tuple(t.key for t in tokens[j : j + 2])


def _listed(tokens: list[_Token], positions: list[int]) -> bool:
    """The names sit in one list: at most six words apart ("the University of Tsukuba and the University of
    Washington"), joined by "and" or "or" (commas are not tokens)."""
    if len(positions) < 2:
        return False
    lo, hi = min(positions), max(positions)
    between = {t.key for t in tokens[lo + 1 : hi]}
    return hi - lo <= 6 and bool(between & {"and", "or"})


def _restated(
    claim: list[_Token], passages: Sequence[str], align_min: float
) -> tuple[list[_Token], SequenceMatcher[str]] | None:
    """The source sentence whose words line up best with the claim's, if at least `align_min` of them do."""
    keys = [t.key for t in claim]
    best: tuple[float, list[_Token], SequenceMatcher[str]] | None = None
    for passage in passages:
        # A list's items are restated one at a time ("(a) Chapters I and II shall apply from…;").
        pieces = (p for a, b in sentence_ranges(passage) for p in _ITEM_BREAK.split(passage[a:b]))
        for piece in pieces:
            source = _tokens(piece)
            if not source:
                continue
            matcher = SequenceMatcher(None, keys, [t.key for t in source], autojunk=False)
            share = sum(block.size for block in matcher.get_matching_blocks()) / len(claim)
            if best is None or share > best[0]:
                best = (share, source, matcher)
    if best is None or best[0] < align_min:
        return None
    return best[1], best[2]


def _negation_changed(ours: Sequence[_Token], theirs: Sequence[_Token]) -> bool:
    mine = any(t.key in _NEGATORS for t in ours)
    other = any(t.key in _NEGATORS for t in theirs)
    if mine == other:
        return False
    return len(ours if mine else theirs) <= _NEGATION_SPAN


def _text(tokens: Sequence[_Token]) -> str:
    return " ".join(t.text for t in tokens) or "(nothing)"


def _aliases(ours: Sequence[_Token], theirs: Sequence[_Token]) -> bool:
    """ "EU" for "European Union", "NIST" for "National Institute of Standards and Technology"."""
    mine, other = [t.key for t in ours], [t.key for t in theirs]
    for short, longs in ALIASES.items():
        for long in longs:
            if (short in mine and long in " ".join(other)) or (short in other and long in " ".join(mine)):
                return True
    initials = "".join(t.key[0] for t in theirs if t.kind)
    return "".join(mine) in (initials, initials.rstrip("s"))
