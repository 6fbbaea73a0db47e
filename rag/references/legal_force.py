""" "Is the OECD recommendation legally binding?", "do US companies have to follow NIST's framework?": a
question about a named text's own legal force, and the sentence where that text states it.

Users ask it of every soft-law text in the corpus, and each answers it once, about itself: "Recommendations
are adopted by Council and are not legally binding", "The Framework is intended to be voluntary", "the
Guidelines (soft laws without any legally binding force)", "will provide voluntary guidance". On users dev
(2026-12-06) the reader quoted none of them for 8 of 9 such questions: the words a question shares with
its text ("countries", "sign up", "companies") fill the passages about adherents and implementation instead.
So, as for a document's own date (document_date.py), the named text's statement of its legal force ranks
first and leads the answer. A text that states none (the AI Act binds, and never says so in a sentence
about itself) is answered as any other question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rag.reader.question import is_yes_no
from rag.text.tokenize import tokenize

if TYPE_CHECKING:
    from rag.evidence import Evidence, ScoredSentence

# Asked in any form: "legally bound by them", "legally on the hook", "breaks the legally binding
# recommendation", "does it have the force of law".
_ASKED = re.compile(
    r"\blegally\s+(?:binding|bound|on the hook|required|obliged|obligated|enforceable|(?:have|has|need|needs)"
    r"\s+to)\b|\bbinding (?:on|for|upon)\b|\bbound by\b|\blegal (?:force|effect|status)\b|\bforce of law\b"
    r"|\benforceable\b"
    # "is there a penalty for not following the NIST AI RMF?" (an answerable probe): what breaking it costs
    # is answered by its own statement that it binds no one
    r"|\b(?:penalt(?:y|ies)|fines?|sanctions?|punish\w*)\b[^?]{0,40}?\b(?:not|n't|never|fail\w*|ignor\w*)\b"
    r"[^?]{0,15}?\b(?:follow|comply|adher|apply|implement|us)",
    re.I,
)
# Asked only in a yes/no question: "is the G7 code binding?", "do we have to follow the NIST framework?";
# not "which steps do we have to follow…" or "what does the voluntary code ask for?". A text that states
# no legal force of its own ("can we be fined under the AI Act?") is answered as any other question.
_ASKED_YES_NO = re.compile(
    r"\b(?:binding|mandatory|compulsory|voluntary|optional)\b"
    # "is Japan's AI guidelines an actual law that companies can be punished under?" (users dev u-yn-454)
    r"|\b(?:an? )?(?:actual|real|proper) law\b|\b(?:fined|penali[sz]ed|sanctioned|punished)\b"
    r"|\b(?:have|has|need|needs|required|obliged|forced)\s+to\s+"
    r"(?:follow|comply with|adhere to|obey|stick to)\b",
    re.I,
)
# How a text says it binds no one. "Legally binding" alone is left out: "Decisions … are legally binding on
# all Members" is said of another instrument in the OECD's own text, and "the legally binding requirements
# of this Regulation" speaks of the AI Act in a recital about ethics guidelines.
STATES = re.compile(
    r"\bnot legally binding\b|\bnon-binding\b|\bwithout any legally binding force\b"
    r"|\bintended to be voluntary\b|\bvoluntary guidance\b|\bsoft laws?\b|\bpolitical commitment\b",
    re.I,
)
# What kind of text a document is, in its names: the word the statement says it of.
_KINDS = frozenset(
    tokenize(
        "recommendation framework guidelines code principles convention treaty resolution order regulation"
        " act statement communique declaration"
    )
)


def asks_legal_force(question: str) -> bool:
    return bool(_ASKED.search(question)) or (is_yes_no(question) and bool(_ASKED_YES_NO.search(question)))


def kind_words(names: Iterable[str]) -> frozenset[str]:
    """The words that say what kind of text it is ("recommendation", "framework"), from its names."""
    return frozenset(t for name in names for t in tokenize(name) if t in _KINDS)


def states_legal_force(sentence: str, kinds: frozenset[str]) -> bool:
    """The sentence says of a text of this kind that it binds no one: the kind is named before the
    statement ("Recommendations … are not legally binding"), so "to seek non-binding guidance … under this
    Regulation" is not one."""
    m = STATES.search(sentence)
    return m is not None and bool(kinds & set(tokenize(sentence[: m.start()])))


def first_statement(sentences: Sequence[str], kinds: frozenset[str]) -> int | None:
    """The index of the first sentence stating the text's legal force, or None."""
    return next((i for i, s in enumerate(sentences) if states_legal_force(s, kinds)), None)


def legal_force_statements(
    evidence: Evidence, named_docs: Sequence[str], kinds: frozenset[str]
) -> list[ScoredSentence]:
    """Each named text's first statement of its own legal force among the passages read, in the order
    the question names them ("is either NIST's AI RMF or Japan's Guidelines binding?" gets both)."""
    if not kinds:
        return []
    found = []
    for doc in named_docs:
        for src in (s for s in evidence.sources if s.doc_id == doc):
            sents = evidence.sentences.get(src.n, [])
            i = first_statement([s.text for s in sents], kinds)
            if i is not None:
                found.append(sents[i])
                break
    return found
