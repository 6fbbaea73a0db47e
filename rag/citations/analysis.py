"""One text (a sentence or a passage) analysed once for everything the support checker asks of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.citations.facts import Fact, evidence_keys, extract_facts
from rag.citations.markers import SPACE_BEFORE_PUNCT_RE, WS_RE, sentence_ranges
from rag.citations.modality import ModalSentence, modal_sentence
from rag.citations.names import (
    NAME_WINDOW,
    WORD_RE,
    Name,
    content_stems,
    evidence_initials,
    extract_names,
    word_forms,
)
from rag.citations.polarity import CLAUSE_RE, Clause, clause
from rag.text.normalize import normalize_surface

EDGE_PUNCT = " .,;:!?\"'()[]"


@dataclass(frozen=True)
class Doc:
    """Everything the checker needs from one text, computed once."""

    norm: str
    squashed: str  # lower case, single spaces, no space before punctuation: for substring tests
    stems: frozenset[str]
    words: frozenset[str]
    positions: dict[str, tuple[int, ...]]  # word form → word indexes, to test that names stay together
    keys: frozenset[str]
    initials: frozenset[str]
    facts: tuple[Fact, ...]
    names: tuple[Name, ...]
    clauses: tuple[Clause, ...]
    modal: tuple[ModalSentence, ...]  # per sentence: its stems and modal classes


def squash(text: str) -> str:
    """Lower case, single spaces, no space before punctuation: the form substring tests compare."""
    return SPACE_BEFORE_PUNCT_RE.sub(r"\1", WS_RE.sub(" ", text.lower())).strip()


# Cached because verify() checks every sentence against the same few passages.
@lru_cache(maxsize=1024)
def analyse(text: str) -> Doc:
    """The analysis of one text; cached, so treat the result as read-only."""
    norm = normalize_surface(text)
    facts = tuple(extract_facts(norm))
    positions: dict[str, list[int]] = {}
    for i, w in enumerate(WORD_RE.findall(norm)):
        for form in word_forms(w):
            positions.setdefault(form, []).append(i)
    clauses = tuple(
        clause(part) for a, b in sentence_ranges(norm) for part in CLAUSE_RE.split(norm[a:b]) if part.strip()
    )
    modal = tuple(
        modal_sentence(norm[a:b], frozenset(content_stems(norm[a:b]))) for a, b in sentence_ranges(norm)
    )
    return Doc(
        norm=norm,
        squashed=squash(norm),
        stems=frozenset(content_stems(norm)),
        words=frozenset(positions),
        positions={k: tuple(v) for k, v in positions.items()},
        keys=frozenset(evidence_keys(facts, norm)),
        initials=frozenset(evidence_initials(norm)),
        facts=facts,
        names=tuple(extract_names(norm)),
        clauses=clauses,
        modal=modal,
    )


def union(docs: Sequence[Doc]) -> Doc:
    """Several passages as one body of evidence (a sentence may cite more than one)."""
    if len(docs) == 1:
        return docs[0]
    return Doc(
        norm="\n".join(d.norm for d in docs),
        squashed="\n".join(d.squashed for d in docs),
        stems=frozenset().union(*(d.stems for d in docs)),
        words=frozenset().union(*(d.words for d in docs)),
        positions=_merge_positions(docs),
        keys=frozenset().union(*(d.keys for d in docs)),
        initials=frozenset().union(*(d.initials for d in docs)),
        facts=tuple(f for d in docs for f in d.facts),
        names=tuple(n for d in docs for n in d.names),
        clauses=tuple(c for d in docs for c in d.clauses),
        modal=tuple(m for d in docs for m in d.modal),
    )


def _merge_positions(docs: Sequence[Doc]) -> dict[str, tuple[int, ...]]:
    """Word positions of several passages in one index space, with a gap so no name spans two."""
    merged: dict[str, list[int]] = {}
    offset = 0
    for doc in docs:
        last = 0
        for form, where in doc.positions.items():
            merged.setdefault(form, []).extend(i + offset for i in where)
            last = max(last, where[-1])
        offset += last + NAME_WINDOW + 2
    return {k: tuple(v) for k, v in merged.items()}
