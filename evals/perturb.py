"""Deterministic perturbations of a corpus sentence, each with the label it earns against its passage.

Every rewrite that should *not* be supported picks its new value so that it is absent from the
passage (a swapped year that occurs two lines later would be a true sentence). The supported
rewrites only reword: same facts, same modality, same polarity, same scope.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import snowballstemmer

from rag.citations.names import content_stems, content_words
from rag.translate.numbers import MONTHS

_ROOT = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Perturbed:
    sentence: str
    label: bool
    perturbation: str


Rewrite = Callable[[str, str, random.Random], Perturbed | None]

_MONTHS = MONTHS
_MONTH_RE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_NUMBER_RE = re.compile(r"(?<![\w./(-])(\d{1,4}(?:[.,]\d+)?)(?![\w/)]|\.\d)")
_NUMBER_WORDS = "two three four five six seven eight nine ten eleven twelve".split()
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)

# Bodies and people of the corpus, and some it never names: a swap picks one absent from the passage.
_ACTORS = (
    "the Commission",
    "the European Parliament",
    "the Council",
    "the AI Office",
    "the Board",
    "Member States",
    "national competent authorities",
    "the OECD",
    "the G7",
    "the United Nations",
    "the Secretary of Commerce",
    "the Secretary of Homeland Security",
    "the Director of OMB",
    "NIST",
    "Japan",
    "the United States",
    "the European Union",
    "the Council of Europe",
    "the Ministry of Economy, Trade and Industry",
    "the Cabinet Office",
    "the World Bank",
    "UNESCO",
    "the Federal Trade Commission",
)
_ACTOR_RE = re.compile(
    r"\b(" + "|".join(re.escape(a).replace(r"the\ ", r"(?:the\ )?") for a in _ACTORS) + r")\b"
)
# Instruments the corpus does not hold: the confusions a summariser makes across documents.
_INSTRUMENTS_RE = re.compile(
    r"\b(?:this|the) (?:Regulation|Convention|Recommendation|Code of Conduct|Guiding Principles|order|"
    r"Framework|Guidelines|resolution|Declaration|Statement)\b"
)
_OTHER_INSTRUMENTS = (
    "the General Data Protection Regulation",
    "the Digital Services Act",
    "the Bletchley Declaration",
    "the UNESCO Recommendation on the Ethics of AI",
    "the Budapest Convention",
    "the Seoul Declaration",
)
_NEGATABLE = (
    (re.compile(r"\bshall not\b"), "shall"),
    (re.compile(r"\bmust not\b"), "must"),
    (re.compile(r"\bshould not\b"), "should"),
    (re.compile(r"\bmay not\b"), "may"),
    (re.compile(r"\bshall\b"), "shall not"),
    (re.compile(r"\bshould\b"), "should not"),
    (re.compile(r"\bwill\b"), "will not"),
    (re.compile(r"\bmay\b"), "may not"),
    (re.compile(r"\bprohibited\b"), "permitted"),
    (re.compile(r"\bvoluntary\b"), "mandatory"),
    (re.compile(r"\b(is|are|was|were)\b(?! not)"), r"\1 not"),
    (re.compile(r"\b(has|have)\b(?! not)"), r"\1 not"),
)
_MODAL_SHIFTS = (
    (re.compile(r"\bshall\b(?! not)"), "may"),
    (re.compile(r"\bmust\b(?! not)"), "may"),
    (re.compile(r"\bshould\b(?! not)"), "must"),
    (re.compile(r"\bmay\b(?! not)"), "shall"),
    (re.compile(r"\bare encouraged to\b"), "are required to"),
    (re.compile(r"\bcan\b"), "must"),
)
_SCOPE_RE = re.compile(
    r"\b(?:the |a |an |any )?(high-risk|general-purpose|advanced|certain|specific|some|relevant|large|"
    r"frontier|"
    r"dual-use foundation|foundation|generative|critical|prohibited)\s+((?:AI\s+)?"
    r"(?:systems?|models?|organi[sz]ations|providers|practices|applications|infrastructure|technologies))\b"
)
_PAIR_RE = re.compile(r"\b([a-z]{4,}) and ([a-z]{4,})\b")
# Attributes a summariser adds because they sound right (the "transparency and security" case).
_ATTRIBUTES = (
    "transparency",
    "security",
    "sustainability",
    "fairness",
    "accountability",
    "privacy",
    "inclusiveness",
    "interoperability",
    "competitiveness",
    "cybersecurity",
)
_PURPOSES = (
    "in order to protect consumers' privacy",
    "to promote economic growth",
    "to ensure environmental sustainability",
    "so as to strengthen national cybersecurity",
    "in order to reduce energy consumption",
    "to guarantee fair competition among companies",
)
# Rewordings that keep the meaning (modality, polarity, facts and scope unchanged).
_SYNONYMS = (
    (re.compile(r"\bshall\b"), "must"),
    (re.compile(r"\bpursuant to\b"), "under"),
    (re.compile(r"\bin accordance with\b"), "in line with"),
    (re.compile(r"\bin order to\b"), "to"),
    (re.compile(r"\bwith a view to\b"), "aiming at"),
    (re.compile(r"\bas well as\b"), "and"),
    (re.compile(r"\bin particular\b"), "especially"),
    (re.compile(r"\bhowever\b", re.IGNORECASE), "but"),
    (re.compile(r"\bfurthermore,?\s*", re.IGNORECASE), ""),
    (re.compile(r"\bIn addition,\s*"), ""),
)
_DATE_RE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b")
_US_DATE_RE = re.compile(r"\b(" + "|".join(_MONTHS) + r") (\d{1,2}), (\d{4})\b")
_CLAUSE_CUT_RE = re.compile(r",\s+(?:which|including|in particular|where|while|whereas|and in|such as)\b|;\s")


def _absent(candidates: tuple[str, ...] | list[str], passage: str, rng: random.Random) -> str | None:
    lowered = passage.lower()
    pool = [c for c in candidates if c.lower().removeprefix("the ") not in lowered]
    return rng.choice(pool) if pool else None


def _swap_number(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    for m in _NUMBER_RE.finditer(sentence):
        raw = m.group(1)
        if _YEAR_RE.fullmatch(raw) or "," in raw or "." in raw:
            continue
        value = int(raw)
        options = [str(value + d) for d in (1, 2, 3, 5, 10, -1, -2) if value + d > 0]
        new = _absent([o for o in options if not re.search(rf"\b{o}\b", passage)], passage, rng)
        if new:
            return Perturbed(sentence[: m.start(1)] + new + sentence[m.end(1) :], False, "number")
    m = _NUMBER_WORD_RE.search(sentence)
    if m:
        word = m.group(1).lower()
        options = [
            w for w in _NUMBER_WORDS if w != word and not re.search(rf"\b{w}\b", passage, re.IGNORECASE)
        ]
        if options:
            return Perturbed(
                sentence[: m.start()] + rng.choice(options) + sentence[m.end() :], False, "number"
            )
    return None


def _swap_date(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    m = _YEAR_RE.search(sentence)
    if m:
        year = int(m.group(1))
        options = [str(year + d) for d in (1, -1, 2, -2, 3) if str(year + d) not in passage]
        if options:
            return Perturbed(sentence[: m.start()] + rng.choice(options) + sentence[m.end() :], False, "date")
    m = _MONTH_RE.search(sentence)
    if m:
        options = [mo for mo in _MONTHS if mo not in passage]
        if options:
            return Perturbed(sentence[: m.start()] + rng.choice(options) + sentence[m.end() :], False, "date")
    return None


def _swap_actor(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    m = _ACTOR_RE.search(sentence)
    if not m:
        return None
    new = _absent(_ACTORS, passage, rng)
    if not new:
        return None
    if not m.group(1).lower().startswith("the "):
        new = new.removeprefix("the ")
    if m.start() == 0:
        new = new[0].upper() + new[1:]
    return Perturbed(sentence[: m.start()] + new + sentence[m.end() :], False, "actor")


def _swap_instrument(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    m = _INSTRUMENTS_RE.search(sentence)
    if not m:
        return None
    new = _absent(_OTHER_INSTRUMENTS, passage, rng)
    if not new:
        return None
    new = new[0].upper() + new[1:] if m.start() == 0 else new
    return Perturbed(sentence[: m.start()] + new + sentence[m.end() :], False, "doc_name")


def _substitute(
    sentence: str, rules: tuple[tuple[re.Pattern[str], str], ...], label: bool, kind: str
) -> Perturbed | None:
    for pattern, replacement in rules:
        if pattern.search(sentence):
            return Perturbed(pattern.sub(replacement, sentence, count=1), label, kind)
    return None


def _negate(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    return _substitute(sentence, _NEGATABLE, False, "negation")


def _shift_modality(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    return _substitute(sentence, _MODAL_SHIFTS, False, "modality")


def _widen_scope(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    m = _SCOPE_RE.search(sentence)
    if not m or re.search(rf"\ball {re.escape(m.group(2))}", passage):
        return None
    new = "All" if m.start() == 0 else "all"
    return Perturbed(sentence[: m.start()] + f"{new} {m.group(2)}" + sentence[m.end() :], False, "scope")


def _add_attribute(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    # Absent as a word and as a root: "inclusiveness" beside the source's "inclusive" would be arguable.
    have = content_stems(passage) | {_ROOT.stemWord(w) for w in content_words(passage)}
    m = _PAIR_RE.search(sentence)
    if m:
        options = [a for a in _ATTRIBUTES if not _roots(a) & have and a not in m.group(0)]
        if options:
            added = f"{m.group(1)}, {m.group(2)} and {rng.choice(options)}"
            return Perturbed(sentence[: m.start()] + added + sentence[m.end() :], False, "added_attribute")
    options = [p for p in _PURPOSES if not _roots(p) & have]
    if not options or not sentence.endswith("."):
        return None
    return Perturbed(f"{sentence[:-1]}, {rng.choice(options)}.", False, "added_attribute")


def _roots(text: str) -> set[str]:
    return content_stems(text) | {_ROOT.stemWord(w) for w in content_words(text)}


def _reword(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    out = sentence
    for pattern, replacement in _SYNONYMS:
        out = pattern.sub(replacement, out)
    out = _DATE_RE.sub(lambda m: f"{m.group(2)} {int(m.group(1))}, {m.group(3)}", out)
    out = (
        _US_DATE_RE.sub(lambda m: f"{int(m.group(2))} {m.group(1)} {m.group(3)}", out)
        if out == sentence
        else out
    )
    out = out[0].upper() + out[1:] if out else out
    return Perturbed(out, True, "paraphrase") if out != sentence else None


def _trim(sentence: str, passage: str, rng: random.Random) -> Perturbed | None:
    m = _CLAUSE_CUT_RE.search(sentence)
    if not m or len(sentence[: m.start()].split()) < 6:
        return None
    return Perturbed(sentence[: m.start()].rstrip(" ,;") + ".", True, "partial")


UNSUPPORTED: tuple[Rewrite, ...] = (
    _swap_number,
    _swap_date,
    _swap_actor,
    _swap_instrument,
    _negate,
    _shift_modality,
    _widen_scope,
    _add_attribute,
)
SUPPORTED: tuple[Rewrite, ...] = (_reword, _trim)


def perturbations(sentence: str, passage: str, seed: str) -> list[Perturbed]:
    """Every rewrite that applies to `sentence`, the original first; the same seed gives the same list."""
    rng = random.Random(seed)
    out = [Perturbed(sentence, True, "verbatim")]
    for rewrite in (*SUPPORTED, *UNSUPPORTED):
        made = rewrite(sentence, passage, rng)
        if made is not None and made.sentence != sentence:
            out.append(made)
    return out
