""" "Is the OECD recommendation legally binding?", "do US companies have to follow NIST's framework?": a
question about a named text's own legal force, and the sentence where that text states it.

Users ask it of every soft-law text in the corpus, and each answers it once, about itself: "Recommendations
are adopted by Council and are not legally binding", "The Framework is intended to be voluntary", "the
Guidelines (soft laws without any legally binding force)", "will provide voluntary guidance". On users dev
(2026-12-06) the reader quoted none of them for 8 of 9 such questions: the words a question shares with
its text ("countries", "sign up", "companies") fill the passages about adherents and implementation instead.
So its statement leads the answer (own_statements.py). A text that states none (the AI Act binds, and never
says so in a sentence about itself) is answered as any other question.
"""

from __future__ import annotations

import re

from rag.references.own_statements import Topic

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
LEGAL_FORCE = Topic("legal force", _ASKED, (STATES,), _ASKED_YES_NO)
