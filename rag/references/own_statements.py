"""What a named text says of itself: whether it binds anyone (legal_force.py), how it will be reviewed or
kept up to date (review.py). Users ask both of every text in the corpus, and each text answers once, about
itself ("Recommendations … are not legally binding", "This document will be reviewed and updated as
necessary"). The reader, which ranks sentences by the words they share with the question, quoted few of
them: the question's other words ("countries", "companies", "sign up") fill the passages about adherents
instead. So, as for a document's own date (document_date.py), the named text's statement ranks first
(rag/retrieval/pins.py), stays among the passages read (rag/chain.py) and leads the answer
(rag/answerers/extractive.py). A text that states none is answered as any other question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.reader.question import is_yes_no
from rag.text.sentences import asked_part
from rag.text.tokenize import tokenize

if TYPE_CHECKING:
    from rag.evidence import Evidence, ScoredSentence


@dataclass(frozen=True)
class Topic:
    """One thing a text says of itself: how a question asks it, and how a text states it."""

    name: str
    asked: re.Pattern[str]  # in any question
    # A sentence stating it, after the kind of text it is said of; the first pattern a text matches wins:
    # "a review … no later than 2028" answers how NIST's framework will be reviewed better than "will be
    # updated" a page earlier.
    states: tuple[re.Pattern[str], ...]
    asked_yes_no: re.Pattern[str] | None = None  # only in a yes/no question


@dataclass(frozen=True)
class StatementAsked:
    """The topic a question asks of the texts it names, and the kinds of text they are."""

    topic: Topic
    kinds: frozenset[str]


# What kind of text a document is, in its names: the word the statement says it of. "Document" is every
# text's own word for itself ("This document will be reviewed and updated").
_KINDS = frozenset(
    tokenize(
        "recommendation framework guidelines code principles convention treaty resolution order regulation"
        " act statement communique declaration"
    )
)
_SELF = frozenset(tokenize("document"))


def asked_topic(question: str, topics: Sequence[Topic]) -> Topic | None:
    # the asking sentence decides the form: "I work for a ministry outside the OECD. Is adhering an option?"
    yes_no = is_yes_no(question) or is_yes_no(asked_part(question))
    return next(
        (
            t
            for t in topics
            if t.asked.search(question) or (yes_no and t.asked_yes_no and t.asked_yes_no.search(question))
        ),
        None,
    )


def kind_words(names: Iterable[str]) -> frozenset[str]:
    """The words that say what kind of text it is ("recommendation", "framework"), from its names."""
    return frozenset(t for name in names for t in tokenize(name) if t in _KINDS) | _SELF


def states(pattern: re.Pattern[str], sentence: str, kinds: frozenset[str]) -> bool:
    """The sentence states it of a text of this kind: the kind is named before the statement or in it
    ("Recommendations … are not legally binding", "may … denounce this Convention"), so "to seek non-binding
    guidance … under this Regulation" is not one."""
    m = pattern.search(sentence)
    return m is not None and bool(kinds & set(tokenize(sentence[: m.end()])))


def first_statement(topic: Topic, sentences: Sequence[str], kinds: frozenset[str]) -> int | None:
    """The index of the first sentence stating the topic by its first pattern that any sentence matches,
    or None."""
    for pattern in topic.states:
        found = next((i for i, s in enumerate(sentences) if states(pattern, s, kinds)), None)
        if found is not None:
            return found
    return None


def own_statements(
    evidence: Evidence, named_docs: Sequence[str], asked: StatementAsked | None
) -> list[ScoredSentence]:
    """Each named text's first statement among the passages read, in the order the question names them
    ("is either NIST's AI RMF or Japan's Guidelines binding?" gets both)."""
    if asked is None:
        return []
    found = []
    for doc in named_docs:
        for src in (s for s in evidence.sources if s.doc_id == doc):
            sents = evidence.sentences.get(src.n, [])
            i = first_statement(asked.topic, [s.text for s in sents], asked.kinds)
            if i is not None:
                found.append(sents[i])
                break
    return found
