"""A question about what breaking a named clause costs is answered by the penalty provision that cites it.

"What's the maximum fine for breaching the transparency obligations in Article 50?" names Article 50, and
pinning Article 50 quoted its paragraph 1, which states no fine. The fine is in Article 99(4): "…shall be
subject to administrative fines of up to 15 000 000 EUR…: (g) transparency obligations … pursuant to
Article 50". A named clause that itself sets penalties ("what fines does Article 99 set?") stays pinned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# The question asks what breaking it costs: fines, penalties, sanctions (a translated 制裁金 reads "fines");
# not "fine-tune".
PENALTY_ASKED = re.compile(r"\b(?:fines?|fined|penalt(?:y|ies)|sanctions?|punish\w*)\b(?!-)", re.I)
# A passage that sets penalties: not "executing a criminal penalty", which Article 5 mentions in passing.
_PENALTY_TEXT = re.compile(r"\b(?:administrative fines?|fines? of up to|penalties)\b", re.I)
# The figure a fine question asks for. Article 112's review of "the state of penalties, in particular
# administrative fines as referred to in Article 99(1)" cites Article 50 too, and once search read the
# headings' titles it was retrieved for "the fine for breaching Article 50" and ranked above 99(4).
_AMOUNT = re.compile(r"\b(?:EUR|€)\s?\d|\d\s?%", re.I)
_ARTICLE = re.compile(r"^article (\d+)")


def penalty_provisions(ref: str, clause_texts: Sequence[str], candidates: Mapping[str, str]) -> list[str]:
    """The candidates (id → text) that cite the article of `ref` and set a penalty. None when the
    article's own passages set penalties (it is the penalty provision) or `ref` is no article."""
    mention = mention_of(ref)
    if mention is None or any(_PENALTY_TEXT.search(t) for t in clause_texts):
        return []
    found = [cid for cid, text in candidates.items() if mention.search(text) and _PENALTY_TEXT.search(text)]
    with_amount = [cid for cid in found if sets_penalty(candidates[cid])]
    return with_amount or found


def sets_penalty(text: str) -> bool:
    """The passage sets a penalty and its amount ("administrative fines of up to EUR 15 000 000")."""
    return bool(_PENALTY_TEXT.search(text) and _AMOUNT.search(text))


def mention_of(ref: str) -> re.Pattern[str] | None:
    """How a passage cites the article of a canonical ref ("article 50(2)" → "Article 50", "Articles 16,
    22 and 50"); None for refs other than articles."""
    m = _ARTICLE.match(ref)
    if m is None:
        return None
    listed = r"(?:\d+[a-z]?(?:\(\w+\))*\s*(?:,|and|or)\s*)*"
    return re.compile(rf"\barticles?\s+{listed}{m.group(1)}\b(?!\.\d)", re.I)
