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
    # "what actions does it list?" asks as "what does it list?" (the probes' dev half, pg7-021)
    r"|\bwhat(?: [a-z]+)? (?:does|did|do|will|would)\b[^?]{0,80}?\b(?:say|said|contain|include|cover"
    r"|commit|lay out|set out|spell out|entail|involve|propose|recommend|list)\b"
    # "any detail on what the Project Arrangement actually commits each side to?" (pg5-027)
    r"|\bwhat (?:the|its|their|this|that)\b[^?]{0,80}?\b(?:says|contains|includes|covers|commits"
    r"|lays out|sets out|spells out|entails|involves|proposes|recommends|lists)\b"
    r"|\b(?:summari[sz]e|walk me through|outline)\b"
    r"|\b(?:main|key|concrete|specific) (?:points|contents|details|steps|measures|items|priorities"
    r"|recommendations|commitments)\b"
    r"|\bwhat(?:['’]s| is| are) the (?:contents?|details?) of\b"
    # "is there a list anywhere of the research priorities in the Roadmap?", "did the G7 spell out what's in
    # its Toolkit?" (a fourth batch of probes)
    r"|\bis there (?:a|any) (?:list|rundown|summary|breakdown)\b[^?]{0,20}?\bof\b"
    r"|\bspell(?:s|ed)? out what\b"
    # "what's inside the memorandum?", "the gist of the roadmap", "what is the action plan about?"
    # (paraphrases of the shapes above, stop 51)
    r"|\bwhat(?:['’]s| is) inside\b|\bgist of\b"
    r"|\bwhat(?:['’]s| is| was) (?:the|that|this|its|their)\b[^?]{0,60}?\babout\s*\?"
    # "what questions are actually on the questionnaire?" (fresh users dev, stop 54)
    r"|\bwhat (?:questions|items|points|topics|sections|fields)\b(?: [a-z]+)?\s+(?:are|is|go|goes)\b"
    r"[^?]{0,15}?\b(?:on|in)\b",
    re.I,
)
# Nouns that name a text. The first one the question names is the text asked about.
_TEXT_NOUNS = (
    r"white paper|work plan|action plan|road ?map|tool-?kit|plan|report|paper|decision|memorandum|agenda"
    r"|template|questionnaire|checklist"
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
    # "the AI Office should develop a template": to be made, not described (fresh users dev, stop 54)
    r"|(?:to|should|shall|will|would) (?:develop|prepare|draw up|deliver)|will be captured in"
    r"|commend|applaud|appreciat(?:e|es|ed|ing)|reaffirm|recall(?:s|ed|ing)?|celebrat(?:e|es|ed|ing)"
    # "…and 'Work Plan to advance Hiroshima AI Process' were formulated": made, not described
    r"|(?:was|were|has been|have been) (?:formulated|adopted|released|published|issued|compiled|drafted"
    r"|announced|developed|approved))\b",
    re.I,
)
# …unless it goes on to say what the text does: "the OECD report showing that…", "a toolkit that can help…".
# Looked for after the text's name only: "…notably the Framework and the Work Plan to advance…" lists it.
# What it is for is not what it holds: "the G7 Toolkit for AI in the Public Sector, that can help governments
# to deliver better services" does not say what is in the toolkit (the probes' dev half, pg9-020, and its
# Japanese twin pja-022).
_DESCRIBES = re.compile(
    r"\b(?:show(?:s|ing|ed)?|find(?:s|ing)?|found|including|notably|namely|calls on|sets? out|lays? out)\b"
    r"|\b(?:which|that)\b(?!\s+(?:(?:can|could|will|would|may|might|should|shall|is to|are to)\s+)?"
    r"(?:help|support|promote|enable|assist|aim|contribute|serve)\b)",
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


# "What was the declaration from the UK's AI Safety Summit called?", 「採択された宣言って、何ていう名前?」
# ("… declaration name?"): a text's name, which a sentence gives as a capitalised name holding the noun
# ("the Bletchley Declaration"). "We look forward to the UK's AI Safety Summit" names none (the probes' dev
# half, pg9-021, and ja dev ja-569).
_TITLE_ASKED = re.compile(
    rf"\b(?:{_TEXT_NOUNS})s?\b[^?]{{0,80}}?\b(?:called|named)\b"
    # "What's the exact title of the interim report…?" (pg8-021)
    rf"|\b(?:name|title) of (?:the|that|this|its|their) (?:[\w'’-]+ ){{0,3}}?(?:{_TEXT_NOUNS})s?\b",
    re.I,
)
# translated, the noun stands just before "name": not "What United Nations resolution ITU platform name?"
# (the platform's name, ja dev ja-054)
_TITLE_TRANSLATED = re.compile(rf"\b(?:{_TEXT_NOUNS})s?\s+name\b", re.I)


def title_missing(
    question: str, top_sentences: Sequence[str], titles: Sequence[str] = (), translated: bool = False
) -> str:
    """The kind of text whose name the question asks for ("declaration") when none of the passages is
    one and none of the top three sentences names one beyond the question's own words; "" otherwise."""
    asked_for = (_TITLE_TRANSLATED if translated else _TITLE_ASKED).search(question)
    text = _TEXT.search(asked_for.group(0) if translated and asked_for else question)
    if not asked_for or text is None or not top_sentences:
        return ""
    noun = text.group(1).lower()
    if any(re.search(rf"\b{re.escape(noun)}s?\b", t, re.I) for t in titles):
        return ""
    # a capitalised name that holds the noun, capitalised too: "the Bletchley Declaration"
    named = re.compile(
        rf"\b(?:[A-Z][\w'’.-]*\s+){{0,6}}{re.escape(noun.title())}s?\b(?:\s+(?:on|of|for)\s+[A-Z]\w*)?"
    )
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    for sentence in top_sentences[:3]:
        for m in named.finditer(sentence):
            words = {w.lower() for w in re.findall(r"[\w'’-]+", m.group(0))} - {noun, noun + "s"}
            if words - asked - {"the", "a", "an"}:
                return ""
    return noun
