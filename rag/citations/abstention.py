"""Abstention wording: "The sources do not say." is kept without a citation, as long as it claims nothing."""

from __future__ import annotations

import re

from rag.citations.analysis import EDGE_PUNCT
from rag.text.normalize import normalize_surface

ABSTENTION_REASON = "abstention statement"

_SOURCE_NOUN = (
    r"(?:(?:provided|given|available|retrieved|cited|above)\s+)?"
    r"(?:sources?|passages?|documents?|context|excerpts?|texts?|materials?)"
)
# Verbose: the line breaks inside the alternations below are not part of the pattern.
_ABSTAIN_RE = re.compile(
    rf"""^(?:(?:unfortunately|sorry|however|but|no|i'm\s+sorry|i\s+am\s+sorry)[,.]?\s+(?:but\s+)?)?(?:
        (?:the\s+|these\s+|this\s+)?{_SOURCE_NOUN}(?:\s+provided)?\s+
            (?:do(?:es)?\s+not|don't|doesn't|did\s+not|didn't|cannot|can't)\s+
            (?:say|state|mention|specify|contain|address|cover|provide|include|discuss|answer|describe
              |explain|indicate|give|tell|offer|clarify|support|have|specify)
      | (?:the\s+)?{_SOURCE_NOUN}\s+(?:is|are)\s+silent
      | i\s+(?:could\s*not|couldn't|cannot|can't|can\s+not|was\s+unable\s+to|am\s+unable\s+to|did\s+not|didn't
              |do\s+not|don't)\s+(?:find|locate|answer|determine|confirm|see|know|have)
      | i\s+(?:have\s+no|lack)\s+(?:information|evidence)
      | (?:there\s+is|there's|there\s+are)\s+(?:no|not\s+enough|insufficient)\s+
            (?:information|evidence|mention|details?|data)
      | (?:this|that|it|the\s+answer)\s+is\s+not\s+
            (?:mentioned|stated|specified|covered|addressed|found|given|available|clear)
      | (?:no|insufficient)\s+(?:information|evidence)\s+(?:is|was)\s+
            (?:available|provided|given|found)
      | not\s+(?:mentioned|stated|specified|found|covered|addressed)\s+in\s+the\s+{_SOURCE_NOUN}
      | (?:the\s+)?answer\s+(?:is|was)\s+not\s+in\s+the\s+{_SOURCE_NOUN}
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_MAX_ABSTENTION_CHARS = 300


def is_abstention_statement(text: str) -> bool:
    """Boilerplate such as "The sources do not say." that needs no citation.

    It must carry no facts of its own: a digit or a long sentence could smuggle an uncited claim.
    """
    stripped = normalize_surface(text).strip(EDGE_PUNCT)
    if not stripped or len(stripped) > _MAX_ABSTENTION_CHARS or any(c.isdigit() for c in stripped):
        return False
    return _ABSTAIN_RE.match(stripped) is not None
