"""One feature row per candidate sentence: what the reader's model sees.

The same function builds the rows at training time (evals/train_reader.py, over the dev questions run
through the real retrieval) and at answer time, so the model never sees features computed two ways.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from rag.evidence import Evidence, ScoredSentence, has_date, has_quantity
from rag.reader.question import ENUMERATION, LIST_ITEM, asks_who, is_yes_no, question_type
from rag.text.headings import is_heading

if TYPE_CHECKING:
    from rag.reader.word_vectors import WordVectors

FEATURES: tuple[str, ...] = (
    "coverage",  # IDF-weighted share of the question's terms in the sentence
    "dense",  # the sentence's own embedding similarity to the question
    "dense_gap",  # dense minus the best candidate's: relative to this question's candidates
    "coverage_gap",
    "expanded",  # share of the glossary's corpus terms for the question's lay words
    "source_rank_inv",  # 1 / the passage's rank (its rerank score, rounded, flipped in the last digit
    # between runs and made training non-reproducible; the rank carries the same signal)
    "heading",
    "length",
    "short",
    "first",
    "position",
    "lead_in",  # ends with ":" (introduces a list)
    "list_item",
    "date_match",  # a "when" question and a sentence with a date
    "number_match",  # a "how many/much/long" question and a sentence with a quantity
    "list_question",
    "enumerates",  # a "which/what are" question and a sentence that lists several items
    "yes_no_modal",  # a yes/no question and a sentence that obliges, permits or prohibits
    "who_name",  # a "who/which body" question and a sentence naming someone
    "prev_dense",
    "next_dense",
    "prev_coverage",
    "next_coverage",
    "adapted",  # the similarity after the query adapter (rag/retrieval/query_adapter.py)
    "adapted_gap",
    "context_coverage",  # coverage by the sentence with its headings' titles (rag/evidence.py)
    "soft_coverage",  # coverage counting near-synonyms (rag/reader/word_vectors.py)
    "soft_gap",
)
ADAPTER_FEATURES = ("adapted", "adapted_gap")  # equal to dense and dense_gap with no adapter
# Ranking features only: the confidence model, which decides abstention, is fitted without them. With them
# it declined fewer near misses (dev, 2026-12-06: Japanese 0.931 -> 0.759, users false abstention 0.020 ->
# 0.029); without, users dev accuracy rose 0.676 -> 0.698 with the same abstentions within a question.
SOFT_FEATURES = ("soft_coverage", "soft_gap")

_MODAL = re.compile(
    r"\b(shall|must|should|may|prohibit\w*|required?|oblig\w*|not be|allow\w*|permit\w*|ban\w*"
    r"|entitled|right to)\b",
    re.I,
)
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]+|(?<=\s)[A-Z]{2,}")
# A bibliographic entry, not a statement: an Official Journal reference ("Directive 2009/48/EC … on the
# safety of toys (OJ L 170, 30.6.2009, p. 1)") or the treaty series line ("Council of Europe Treaty
# Series - No. 225"). On users dev (2026-12-04) 6 of 201 answers quoted one, all wrong ("China-style social
# credit…" answered with footnote (50), a 2014 directive on credit agreements); no dev gold sentence is one.
_CITATION = re.compile(
    r"\(OJ [LC]\b|\bOJ [LC] \d|^\W*Council of Europe Treaty Series\b"
    # A publisher's notice about the document, not what the document says: the OECD's front matter was
    # quoted as a text's best sentence where nothing in it answered (probes dev pc1-013, pc1-014).
    r"|\bwithout prejudice to the status of or sovereignty over any territory\b"
    r"|\b(?:is|are) published under the responsibility of\b|\breproduces an OECD Legal Instrument\b"
    r"|\bThe opinions expressed and arguments employed\b|\bconsult the Compendium of OECD Legal Instruments\b"
    r"|^\W*OECD, Recommendation of the Council\b[^.]*OECD/LEGAL/\d+\W*$|^\W*(?:Photo credit\b|©|Series:)"
    r"|\bThis publication is available free of charge\b"
    r"|\bCertain commercial entities, equipment, or materials\b"
)


class SentenceFlags(NamedTuple):
    """What a sentence's text says about it whatever the question: worked out once per sentence."""

    heading: float
    length: float
    short: float
    lead_in: float
    list_item: float
    date: bool
    quantity: bool
    enumerates: bool
    modal: bool
    name: bool
    citation: bool  # a reference to another text or a publisher's notice, never an answer (see _CITATION)


@lru_cache(maxsize=65536)  # ~6,000 passages of sentences; the regexes were 1 ms of each question
def sentence_flags(text: str) -> SentenceFlags:
    words = len(text.split())
    return SentenceFlags(
        heading=float(text.lstrip().startswith("#")),
        length=min(words, 60) / 60,
        short=float(words < 5),
        lead_in=float(text.rstrip().endswith(":")),
        list_item=float(bool(LIST_ITEM.match(text))),
        date=has_date(text),
        quantity=has_quantity(text),
        enumerates=bool(ENUMERATION.search(text)),
        modal=bool(_MODAL.search(text)),
        name=bool(_NAME.search(text)),
        citation=bool(_CITATION.search(text)),
    )


def candidates(evidence: Evidence) -> list[ScoredSentence]:
    """Every sentence of every source, in source then passage order."""
    return [s for src in evidence.sources for s in evidence.sentences.get(src.n, [])]


def answer_mask(texts: Sequence[str]) -> np.ndarray:
    """1.0 for a sentence that can answer, 0.0 for a bibliographic entry: the reader's probabilities are
    multiplied by it, so such an entry is neither quoted nor counted as confidence that the question is
    answered."""
    return np.fromiter((not sentence_flags(t).citation for t in texts), dtype=np.float64, count=len(texts))


def quotable(prob: float, text: str, qtype: str) -> bool:
    """The extractive answer may quote it: some probability, four words or more, and no heading (except a
    dated one for a "when" question: "## Resolution adopted … on 21 March 2024")."""
    if not (prob > 0 and len(text.split()) >= 4):
        return False
    # The date test last, and from the cached flags: it ran for each of ~250 candidates of a "when" answer.
    return not is_heading(text) or (qtype == "date" and sentence_flags(text).date)


def feature_matrix(
    question: str, evidence: Evidence, words: WordVectors | None = None
) -> tuple[list[ScoredSentence], np.ndarray]:
    """`words`: for the soft coverage; without them it is 0 (unit tests' fakes)."""
    cands = candidates(evidence)
    if not cands:
        return [], np.zeros((0, len(FEATURES)), dtype=np.float64)
    qtype = question_type(question)
    yes_no, who = is_yes_no(question), asks_who(question)
    expansion = frozenset(evidence.expansion_terms)
    by_pos = {(s.source_n, s.position): s for s in cands}
    best_dense = max(s.dense for s in cands)
    best_adapted = max(s.adapted for s in cands)
    best_cov = max(s.coverage for s in cands)
    rows = []
    for s in cands:
        flags = sentence_flags(s.text)
        prev = by_pos.get((s.source_n, s.position - 1))
        nxt = by_pos.get((s.source_n, s.position + 1))
        rows.append(
            [
                s.coverage,
                s.dense,
                s.dense - best_dense,
                s.coverage - best_cov,
                len(expansion & s.tokens) / len(expansion) if expansion else 0.0,
                1.0 / s.source_n,
                flags.heading,
                flags.length,
                flags.short,
                float(s.position == 0),
                min(s.position, 10) / 10,
                flags.lead_in,
                flags.list_item,
                float(qtype == "date" and flags.date),
                float(qtype == "number" and flags.quantity),
                float(qtype == "list"),
                float(qtype == "list" and flags.enumerates),
                float(yes_no and flags.modal),
                float(who and flags.name),
                prev.dense if prev else 0.0,
                nxt.dense if nxt else 0.0,
                prev.coverage if prev else 0.0,
                nxt.coverage if nxt else 0.0,
                s.adapted,
                s.adapted - best_adapted,
                s.context_coverage,
            ]
        )
    soft = words.soft_coverage(question, [s.text for s in cands]) if words is not None else [0.0] * len(cands)
    best_soft = max(soft)
    for row, value in zip(rows, soft, strict=True):
        row += [value, value - best_soft]
    return cands, np.asarray(rows, dtype=np.float64)
