""" "How many countries have to ratify the Council of Europe AI treaty before it takes effect?": what a named
text needs before it enters into force, and the sentence where it says so ("This Convention shall enter
into force on the first day of the month following … the date on which five signatories, including at
least three member States…, have expressed their consent"). On users dev (2026-12-06) both such questions
were declined: the how-many rule found no figure beside "ratify" in the sentences read
(own_statements.py says why the statement is pinned).

Only what it takes: "has the convention entered into force yet? on what date?" asks a date the corpus
does not give (a near miss), and "when does the AI Act apply?" a date its own articles give.
"""

from __future__ import annotations

import re

from rag.references.own_statements import Topic

_IN_FORCE = (
    r"(?:(?:come|comes|enter|enters)\s+into\s+(?:force|effect)|takes?\s+effect|kicks?\s+in|becomes? binding)"
)
_ASKED = re.compile(
    rf"^(?!.*\b(?:when|what date|which date|yet|already|so far)\b)(?=.*\b{_IN_FORCE})"
    r"(?=.*\b(?:how many|what (?:does it|is) (?:take|needed|required)|conditions?|requirements?"
    r"|needs? to happen|before)\b)",
    re.I | re.S,
)
_STATES = re.compile(r"\bshall enter into force on\b", re.I)
IN_FORCE = Topic("entry into force", _ASKED, (_STATES,))
