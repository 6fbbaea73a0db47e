"""Words, names and content stems as the support checker sees them.

A name is a run of capitalised words ("Secretary of Commerce", "AI Safety Institute"); its words must
be found in the passage, close together, or its initials must be ("NIST"). Content stems feed the
loose word-overlap test; the stemmer itself lives with the tokenizer (`rag.text.tokenize`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.citations.facts import MONTHS
from rag.text.tokenize import OVERLAP_STOP_WORDS, overlap_stem

WORD_RE = re.compile(r"[^\W_][\w'&-]*")
NAME_WINDOW = 3  # "Secretary of Commerce" and "Commerce Secretary" are the same name

_ENTITY_STOP = frozenset(
    """the a an this that these those under in on at by for of to and or but with from as if when
    while where which who what however also it its their there here all each every both such no not
    article articles annex annexes section sections chapter chapters recital recitals paragraph
    paragraphs point points title part figure table appendix art arts para sec i monday tuesday
    wednesday thursday friday saturday sunday usd eur gbp jpy""".split()
) | frozenset(MONTHS)
_CONNECTORS = frozenset({"of", "for", "and", "the", "on", "in", "de", "du", "des", "la", "le", "&"})
_ACRONYM_RE = re.compile(r"[A-Z][A-Za-z0-9&]{1,7}")
ALIASES = {
    "ai": ("artificial intelligence",),
    "us": ("united states", "america"),
    "usa": ("united states", "america"),
    "uk": ("united kingdom",),
    "eu": ("european union",),
    "un": ("united nations",),
    "g7": ("group of seven",),
    "g20": ("group of twenty",),
    "aisi": ("ai safety institute", "artificial intelligence safety institute"),
    "gpai": (
        "general-purpose ai",
        "general purpose ai",
        "global partnership on ai",
        "global partnership on artificial intelligence",
    ),
    "llm": ("large language model",),
    "ml": ("machine learning",),
    "flop": ("floating point operation", "floating-point operation"),
}
# fmt: off
_DEMONYMS = {
    "japanese": "japan", "american": "america", "european": "europe", "chinese": "china",
    "british": "britain", "italian": "italy", "french": "france", "german": "germany",
    "canadian": "canada", "korean": "korea", "indian": "india", "australian": "australia",
}
# fmt: on


def word_forms(word: str) -> set[str]:
    """Lower-case lookup forms of one word: possessive and plural dropped, hyphen parts split."""
    w = word.lower().rstrip("'")
    w = w.removesuffix("'s")
    forms = {w, w.replace("-", "")} | set(w.split("-"))
    forms |= {_DEMONYMS[f] for f in list(forms) if f in _DEMONYMS}
    forms |= {f[:-1] for f in list(forms) if len(f) > 3 and f.endswith("s") and not f.endswith("ss")}
    forms |= {f[:-3] + "y" for f in list(forms) if len(f) > 4 and f.endswith("ies")}
    return {f for f in forms if f}


def content_words(text: str) -> list[str]:
    """The distinct words that carry content, lower case, in order (no stop words, nothing shorter than two
    letters, no numbers); hyphenated words count as their parts."""
    out: dict[str, None] = {}
    for token in WORD_RE.findall(text.lower()):
        for word in token.replace("'s", "").split("-"):
            word = word.strip("'&")
            if len(word) >= 2 and word not in OVERLAP_STOP_WORDS and word[0].isalpha():
                out[word] = None
    return list(out)


def content_stems(text: str) -> set[str]:
    """Overlap stems of the content words (see `content_words`)."""
    return {overlap_stem(word) for word in content_words(text)}


@dataclass(frozen=True)
class Name:
    display: str
    tokens: tuple[str, ...]  # the words that must be found (connectors and sentence-initial word dropped)
    initials: str
    pairs: tuple[tuple[str, str], ...]  # neighbouring words that must stay neighbours in the source


def is_acronym(token: str) -> bool:
    """NIST, G7, LLMs, CoE: short, and more than its first letter in capitals or digits."""
    return _ACRONYM_RE.fullmatch(token) is not None and sum(c.isupper() or c.isdigit() for c in token) >= 2


def _is_capitalised(token: str) -> bool:
    return token[0].isupper()


def _cap_sequences(text: str) -> list[list[tuple[str, int]]]:
    """Runs of capitalised words ("Secretary of Commerce", "AI Safety Institute") with word indexes."""
    words = [(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]
    runs: list[list[tuple[str, int]]] = []
    i = 0
    while i < len(words):
        if not _is_capitalised(words[i][0]):
            i += 1
            continue
        run = [(words[i][0], i)]
        j = i + 1
        while j < len(words) and _adjacent(text, words[j - 1], words[j]):
            token = words[j][0]
            joins_next = (
                token.lower() in _CONNECTORS
                and j + 1 < len(words)
                and _is_capitalised(words[j + 1][0])
                and _adjacent(text, words[j], words[j + 1])
            )
            if _is_capitalised(token) or joins_next:
                run.append((token, j))
                j += 1
            else:
                break
        runs.append(run[:12])
        i = j
    return runs


def _adjacent(text: str, left: tuple[str, int, int], right: tuple[str, int, int]) -> bool:
    return text[left[2] : right[1]].strip() == ""


def _initials(tokens: Sequence[str], with_connectors: bool = False) -> str:
    return "".join(
        t if is_acronym(t) else t[0] for t in tokens if with_connectors or t.lower() not in _CONNECTORS
    ).lower()


def extract_names(text: str) -> list[Name]:
    """The names in `text` (already normalised), each with the words a passage must contain."""
    names = []
    for run in _cap_sequences(text):
        tokens = [t for t, _ in run]
        # A capital at the start of the sentence says nothing: "Providers must..." is not a name.
        if run[0][1] == 0 and not is_acronym(tokens[0]):
            tokens = tokens[1:]
        while tokens and tokens[0].lower() in _CONNECTORS:
            tokens = tokens[1:]
        required = tuple(t for t in tokens if _required_name_word(t))
        if required:
            names.append(Name(" ".join(tokens), required, _initials(tokens), _name_pairs(tokens)))
    return names


def _required_name_word(token: str) -> bool:
    return (
        token.lower() not in _CONNECTORS
        and not word_forms(token) & _ENTITY_STOP
        and (len(token) > 1 or is_acronym(token))
    )


def _name_pairs(tokens: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Neighbouring name words, except across "and": "Amazon, Microsoft and Japanese companies"
    lists names, while "Economic Co-operation and Development" is one; only the first is common."""
    pairs = []
    previous: str | None = None
    for token in tokens:
        if token.lower() in {"and", "&"}:
            previous = None
        elif _required_name_word(token):
            if previous is not None and not (is_acronym(previous) or is_acronym(token)):
                pairs.append((previous, token))
            previous = token
    return tuple(pairs)


def evidence_initials(text: str) -> set[str]:
    """Initials of every run of capitalised words, so "NIST" is found in "National Institute of ...".

    Sub-runs count too: "the US AI Safety Institute" defines both "AISI" and "USAISI".
    """
    out: set[str] = set()
    for run in _cap_sequences(text):
        tokens = [t for t, _ in run]
        for a in range(len(tokens)):
            for b in range(a + 2, len(tokens) + 1):
                # "CoE" keeps the "o" of "of"; "NIST" drops the "and" of "Standards and Technology".
                out.update({_initials(tokens[a:b]), _initials(tokens[a:b], with_connectors=True)})
    return out
