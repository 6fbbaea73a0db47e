"""What is in a text the corpus only names: "what's in the Action Plan for promoting interoperability?",
"what concrete steps does the Work Plan lay out?". The corpus welcomes, notes or builds on many plans,
reports and memoranda whose contents it never gives; the best sentence then names the text and says
nothing of what it holds ("We welcome the Action Plan…"). rag/reader/answerability.py declines the
question when every best sentence that names such a text only mentions it, and none is from the text.

Written from near misses that helper sessions wrote blind (2026-12-06): before it, the system declined
1 of the first 12 such English questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# The question asks what a text says or holds.
_CONTENTS_ASKED = re.compile(
    r"\bwhat(?:['’]s| is| was) (?:actually |really |exactly )?in\b"
    r"|\bwhat (?:does|did|do|will|would)\b[^?]{0,80}?\b(?:say|said|contain|include|cover|commit|lay out"
    r"|set out|spell out|entail|involve|propose|recommend|list)\b"
    r"|\b(?:summari[sz]e|walk me through|outline)\b"
    r"|\b(?:main|key|concrete|specific) (?:points|contents|details|steps|measures|items|priorities"
    r"|recommendations|commitments)\b"
    r"|\bwhat(?:['’]s| is| are) the (?:contents?|details?) of\b"
    # "is there a list anywhere of the research priorities in the Roadmap?", "did the G7 spell out what's in
    # its Toolkit?" (a fourth batch of probes)
    r"|\bis there (?:a|any) (?:list|rundown|summary|breakdown)\b[^?]{0,20}?\bof\b"
    r"|\bspell(?:s|ed)? out what\b",
    re.I,
)
# Nouns that name a text. The first one the question names is the text asked about.
_TEXT_NOUNS = (
    r"white paper|work plan|action plan|road ?map|tool-?kit|plan|report|paper|decision|memorandum|agenda"
    r"|strategy|arrangement|declaration|charter|communication|guidance|framework|code|principles"
    r"|recommendation|act|order|convention|resolution|statement|communiqu[eé]|guidelines|treaty"
    r"|agreement|accord"
)
_TEXT = re.compile(rf"\b({_TEXT_NOUNS})s?\b", re.I)
# A sentence that only mentions the text: welcomes it, notes it, builds on it, acts in line with it.
_MENTION_ONLY = re.compile(
    r"\b(?:welcom(?:e|es|ed|ing)|tak(?:e|es|ing) note|look(?:s|ing)? forward"
    r"|endors(?:e|es|ed|ing)|entitled|in accordance with|based on|on the basis of|build(?:s|ing)? on"
    r"|built on|establish(?:es|ed|ing|ment)?|launch(?:es|ed|ing)?|developed by|call(?:s|ed)? for"
    r"|to (?:develop|prepare|draw up|deliver)|will be captured in"
    r"|commend|applaud|appreciat(?:e|es|ed|ing)|reaffirm|recall(?:s|ed|ing)?"
    # "…and 'Work Plan to advance Hiroshima AI Process' were formulated": made, not described
    r"|(?:was|were|has been|have been) (?:formulated|adopted|released|published|issued|compiled|drafted"
    r"|announced|developed|approved))\b",
    re.I,
)
# …unless it goes on to say what the text does: "the OECD report showing that…", "a toolkit that can help…".
# Looked for after the text's name only: "…notably the Framework and the Work Plan to advance…" lists it.
_DESCRIBES = re.compile(
    r"\b(?:show(?:s|ing|ed)?|find(?:s|ing)?|found|which|that|including|notably|namely|to (?:help|support"
    r"|promote|provide|ensure|guide|enable)|aim(?:s|ed|ing)? (?:at|to)|calls on|sets? out|lays? out)\b",
    re.I,
)


# …or says what it states: "the goal looks likely to have been met as stated in the Report by the OECD
# Secretary-General" (a probe question written blind: what did the OECD report say?).
_ATTRIBUTED = re.compile(
    r"\b(?:as (?:stated|set out|described|shown|reported|assessed|found) (?:in|by)|according to)\b", re.I
)


# A translated question keeps the nouns: 中身 / 項目 / 詳細 / 書かれて → contents, items, details, written
_CONTENTS_TRANSLATED = re.compile(r"\b(?:contents?|items|details|written)\b", re.I)


def contents_missing(
    question: str, top_sentences: Sequence[str], titles: Sequence[str] = (), translated: bool = False
) -> str:
    """The text whose contents the question asks for, when it is none of the passages' texts (`titles`:
    their titles and headings) and each of the top three sentences that names it only mentions it; ""
    otherwise."""
    if not (_CONTENTS_TRANSLATED if translated else _CONTENTS_ASKED).search(question) or not top_sentences:
        return ""
    text = _TEXT.search(question)
    if text is None:
        return ""
    noun = text.group(1).lower()
    noun_at = re.compile(rf"\b{re.escape(noun)}s?\b", re.I)
    if any(noun_at.search(t) for t in titles):
        return ""  # a text of the corpus, or a part of one: its sentences are its contents
    naming = [(s, m) for s in top_sentences[:3] if (m := noun_at.search(s))]
    if not naming:
        # A title the best sentences never name ("the LDP's AI White Paper 2024") is not there; a text
        # named in lower case ("the memorandum") may be, in other words.
        return noun if text.group(0)[0].isupper() else ""
    if all(
        _MENTION_ONLY.search(s) and not _DESCRIBES.search(s, m.end()) and not _ATTRIBUTED.search(s)
        for s, m in naming
    ):
        return noun
    return ""
