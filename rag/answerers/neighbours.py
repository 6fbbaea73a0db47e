"""The sentences around a quote that it needs: the lead-in that introduces a list item, the items a lead-in
introduces, the sentence a "For this reason, …" refers back to, and the one that goes on from it.

The extractive composer (rag/answerers/extractive.py) quotes them beside the sentence it chose, so that a
quote reads as the document says it.
"""

from __future__ import annotations

import re

from rag.evidence import Evidence, ScoredSentence
from rag.reader.question import LIST_ITEM
from rag.text.headings import is_heading

MAX_LIST_ITEMS = 8

# Words that open a sentence leaning on the one before ("For this reason, …", "Such systems …").
_REFERS_BACK = r"for this reason|this|these|such|therefore|thus|hence|as a result|accordingly"
_ANAPHORA = re.compile(rf"^\s*({_REFERS_BACK})\b", re.I)
_ADDITIVE = re.compile(r"^\s*(likewise|also|moreover|similarly|in addition|furthermore|besides)\b", re.I)


def antecedent(best: ScoredSentence, evidence: Evidence) -> ScoredSentence | None:
    """'For this reason, ...' means nothing without the sentence it refers back to."""
    if best.position == 0 or not _ANAPHORA.match(best.text):
        return None
    sents = evidence.sentences.get(best.source_n, [])
    pos = best.position - 1
    while pos > 0 and _ADDITIVE.match(sents[pos].text):  # "Likewise, ..." continues the sentence before
        pos -= 1
    prev = sents[pos]
    return None if is_heading(prev.text) else prev


# A sentence that goes on from the one before: a pronoun subject, a consequence ("For this reason, Japan
# has been dubbed…") or a contrast within its first words ("Agencies should instead limit access…"). On users
# dev (stop 39) the consequence and the contrast gained 1 answer and lost none.
_CONTINUES = re.compile(
    rf"^\s*(?:they|those|it|its|their|{_REFERS_BACK})\b|^\W*(?:\S+\s+){{1,3}}instead\b", re.I
)


def continuation(best: ScoredSentence, evidence: Evidence) -> list[ScoredSentence]:
    """The next sentence when it goes on about the same subject: "…are not legally binding." is half an
    answer without "They represent a political commitment…" (dev u-para-036)."""
    sents = evidence.sentences.get(best.source_n, [])
    nxt = sents[best.position + 1] if best.position + 1 < len(sents) else None
    if nxt is None or not _CONTINUES.search(nxt.text) or is_heading(nxt.text) or LIST_ITEM.match(nxt.text):
        return []
    return [nxt]


def lead_in(best: ScoredSentence, evidence: Evidence) -> ScoredSentence | None:
    """For a list item, the sentence that introduces the list ("The following ... shall be prohibited:")."""
    if not LIST_ITEM.match(best.text):
        return None
    for s in reversed(evidence.sentences.get(best.source_n, [])[: best.position]):
        if is_heading(s.text):
            return None
        if s.text.rstrip().endswith(":"):
            return s
    return None


def list_items(best: ScoredSentence, evidence: Evidence) -> list[ScoredSentence]:
    """The list items that follow a lead-in sentence ("The following practices shall be prohibited:")."""
    sents = evidence.sentences.get(best.source_n, [])
    items = []
    for s in sents[best.position + 1 :]:
        if LIST_ITEM.match(s.text):
            items.append(s)
        elif items:
            break
        if len(items) >= MAX_LIST_ITEMS:
            break
    return items
