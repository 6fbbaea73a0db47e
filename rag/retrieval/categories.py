""" "Is an AI that screens CVs a big deal under the EU rules?", "can my boss read our emotions on webcam?":
whether a use is banned or high-risk is decided by a list, the AI Act's prohibited practices (Article 5(1))
and its high-risk uses (Annex III), and a scenario's words ("CVs", "webcam", "my loan") rarely meet the
list's ("recruitment or selection of natural persons", "infer emotions … in the areas of workplace",
"creditworthiness"). On users dev (2026-12-06) 7 such questions never had the deciding item among the five
passages read: the recitals that discuss the same uses at length outranked it. So a question that asks a
use's status under a text that has such a list searches the list's items once more, on their own, and
that ranking is fused with the others (rag/retrieval/searcher.py).
"""

from __future__ import annotations

import re

import numpy as np

from rag.retrieval.table import ChunkTable

# The clauses that list what is banned or high-risk, by their structural refs (rag/references/grammar.py).
LIST_REFS = ("article 5(1)", "annex iii")
# The question asks whether a use is allowed, banned or high-risk.
STATUS_ASKED = re.compile(
    r"\bhigh[- ]risk\b|\bban(?:s|ned)?\b|\bprohibit\w*|\bforbidden\b|\billegal\b|\bbig deal\b"
    r"|\b(?:is|are|would|will|could)\b[^?]{0,40}?\b(?:legal|allowed|okay|ok|permitted|lawful|legally)\b",
    re.I,
)


def list_rows(table: ChunkTable) -> np.ndarray:
    """A mask of the chunks that hold an item of such a list."""
    refs = table.refs
    return np.fromiter((any(f"|{r}|" in x for r in LIST_REFS) for x in refs), dtype=bool, count=len(refs))
