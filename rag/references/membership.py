""" "Can a country pull out of the Council of Europe treaty later?", "is there any way for a country outside
Europe to be part of it?", "is adhering to the OECD Recommendation an option for a non-member?": who may
join a named text and whether a party may leave it, and the sentence where the text says so of itself
("This Convention shall be open for signature by the member States…, the non-member States…", "Any Party
may, at any time, denounce this Convention"). On users dev (2026-12-06) 6 such questions missed it: "stuck
with it forever", "get out of it", "outside Europe" share no word with "denounce" or "open for signature"
(own_statements.py says why the statement is pinned).

Only whether one may: "has Japan joined the convention?" asks who did, which the corpus does not record
(a near miss: rag/reader/asked_stances.py).
"""

from __future__ import annotations

import re

from rag.references.own_statements import Topic

_LEAVE = re.compile(
    r"\b(?:pull(?:s|ed|ing)? out|withdraw\w*|get out|back out|opt out of (?:it|the (?:whole|entire))|exit"
    r"|quit|denounc\w*|stuck with)\b",
    re.I,
)
# Whether one outside the members may join: only a yes/no question ("is adhering an option for a
# non-member?") or a why-question ("why is it closed to countries outside Europe?"). "Has the OECD published
# which non-members have adhered?", "how much must a non-member chip in?" or "what vote is needed before a
# non-member is invited?" ask a detail the statement does not give (dev near misses and answerable probes).
_OUTSIDER = (
    r"(?=.*\b(?:non-members?|non-member (?:states?|countries)|outside europe|non-european"
    r"|not (?:an? )?(?:\w+ )?member|isn['’]t (?:an? )?(?:\w+ )?member)\b)"
)
# a Japanese probe asked what vote an invitation to accede needs (締約国代表の投票): the accession clause's
# detail, not whether outsiders may join
_NO_DETAIL = (
    r"(?!.*\b(?:which|how many|how much|what kind|who|whom|vot(?:e|es|ed|ing)|majority|unanim\w*|pay|fees?"
    r"|costs?)\b)"
)
_JOIN_YES_NO = re.compile(
    rf"^{_NO_DETAIL}{_OUTSIDER}(?=.*\b(?:join|adher|accede|accession|part of|sign|participat)\w*)",
    re.I | re.S,
)
_JOIN_WHY = re.compile(rf"^\W*why\b{_OUTSIDER}", re.I | re.S)
_LEAVES = re.compile(r"\bdenounce this \w+", re.I)
_JOINS = re.compile(
    r"\bopen for signature by\b|\binvite any non-member\b|\bnon-Members (?:adhering|having adhered)\b", re.I
)
LEAVING = Topic("leaving", _LEAVE, (_LEAVES,))
JOINING = Topic("joining", _JOIN_WHY, (_JOINS,), _JOIN_YES_NO)
