"""Who signed, where a party stood, how it reacted: acts that the texts, final and agreed, record only
by naming the party (rag/reader/answerability.py turns a missing one into a declined near miss)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.question import COMPARES_DATES
from rag.reader.subject import about, asked_words, on_subject

# "Has OpenAI or Google signed up to the code?", 「日本はもう署名した?」 ("Does Japan … signature signed?"):
# whether a named party signed, ratified, joined or endorsed a text. The corpus keeps no list of
# signatories, so the best sentences must at least name the party. Asked as a yes/no question only: "When
# did Biden sign…" is a date question, and "before or after" compares dates (COMPARES_DATES).
_SIGNED_ASKED = re.compile(
    r"(?:^|[.?!,;:]\s+)(?i:so\s+|and\s+|but\s+)?(?i:has|have|had|did|does|do|is|are|was|were)\s+"
    r"(?P<who>[A-Z][\w.&'’-]*(?:\s+(?:or|and)\s+[A-Z][\w.&'’-]*)?)\s+(?:[\w-]+\s+){0,3}?"
    r"(?i:sign(?:ed|s)?|ratif(?:y|ied)|join(?:ed|s)?|acceded?|endorsed?|adhered?)\b"
)
# A translated question keeps its question word and its terms, not their order.
_SIGNED_TRANSLATED = re.compile(
    r"^(?:Does|Has|Did|Is)\s+(?P<who>[A-Z][\w.&'’-]*)\b.*\b(?:sign|signature|signed|ratif\w*)\b"
)

_NOT_PARTIES = frozenset({"i", "we", "you", "it", "they", "ai"})  # "Do I have to sign…?" names no party


def signatory_missing(question: str, top_sentences: Sequence[str], translated: bool = False) -> str:
    """The party a has-X-signed question asks about, when none of the top three sentences names it."""
    found = (_SIGNED_TRANSLATED if translated else _SIGNED_ASKED).search(question)
    if found is None or COMPARES_DATES.search(question):
        return ""
    return _unnamed_party(found.group("who"), top_sentences)


# "Which countries actually signed the treaty in Vilnius?", "which AI companies have committed to the
# code?": the list of signatories, which the texts, written before, do not keep. A sentence that opens a
# text for signature or calls on firms to commit names who may, not who did; the best sentences must
# record the act done (users dev u-nm-927, u-nm-466).
_SIGNERS_ASKED = re.compile(
    r"\b(?:which|what|list|name)(?: the)? (?:[\w-]+\s+){0,2}?(?:countries|states|nations|companies|firms|labs"
    r"|organi[sz]ations|governments|parties|signatories)\b[^?]{0,60}?\b(?:signed|sign|put their names"
    r"|joined|endorsed|committed|ratified|adhered)\b"
    # "Has any country ratified the convention so far?" (the dev half of a third batch of probes)
    r"|\b(?:has|have|did)\s+(?:any|anyone|anybody)\b(?:\s+[\w-]+){0,2}?\s+(?:signed|ratified|joined|endorsed"
    r"|committed|adhered|acceded)\b",
    re.I,
)
_ACT_DONE = re.compile(
    r"\b(?:signed|ratified|endorsed|joined|adhered|acceded|committed|signatories (?:are|include|were))\b",
    re.I,
)
_SIGNING_WORDS = frozenset(
    "signed sign signing signature joined join endorsed endorse committed commit ratified ratify adhered"
    " actually names countries companies firms labs support approval declaration organizations".split()
)
# Who did it, named: "endorsed by Microsoft and NVIDIA"
_NAMED_DOER = re.compile(r"\bby\s+(?:the\s+)?[A-Z]")
# Who did it, unnamed: a treaty's closing formula, or "we welcome those who have endorsed…"
_UNNAMED_DOER = re.compile(r"\b(?:undersigned|those who)\b", re.I)


# A translated one keeps its terms: 「署名した国って、どこ」 "Who … signature signed countries?",
# 「賛同を表明した企業名」 "… companies … approval declaration?" (no question word).
_SIGNERS_TRANSLATED = re.compile(r"\b(?:countries|companies)\b")
_SIGNING_TRANSLATED = re.compile(r"\b(?:sign\w*|support\w*|endors\w*|approv\w*|ratif\w*)", re.I)
_OTHER_ASKS = ("Does", "Did", "Is", "Has", "When", "What date", "How", "Where", "Why")


def signers_missing(question: str, top_sentences: Sequence[str], translated: bool = False) -> bool:
    """A which-countries-signed question whose top three sentences record no signing or joining done by
    a party they name."""
    if translated:
        # "Which companies" (どの企業) is the name rule's: it wants the companies named (asked_names.py)
        asked = (
            not question.startswith((*_OTHER_ASKS, "Which companies"))
            and _SIGNERS_TRANSLATED.search(question)
            and _SIGNING_TRANSLATED.search(question)
        )
    else:
        asked = _SIGNERS_ASKED.search(question)
    if not asked or not top_sentences:
        return False
    # about the asked text ("an electronically signed EU declaration of conformity" is no signatory)
    subject = asked_words(question, _SIGNING_WORDS)
    return not any(
        _ACT_DONE.search(s)
        and not _UNNAMED_DOER.search(s)
        and (on_subject(s, subject, set()) or _NAMED_DOER.search(s))
        for s in top_sentences[:3]
    )


# "Was Germany for or against the rules on foundation models?", "Did France oppose…?": a party's position
# in a dispute, which the texts, final and agreed, do not record; the best sentences must at least name the
# party. Not "did Japan support the OECD principles?" (a member adheres: on probes it declined an answerable
# question), nor a possessive ("does Biden's order back that?" asks what a text says).
_POSITION_ASKED = re.compile(
    r"(?:^|[.?!,;:]\s+)(?i:so\s+|and\s+|but\s+)?(?i:was|were|is|are|did|does|do|has|have)\s+(?:the\s+)?"
    r"(?P<who>[A-Z][\w.&-]*(?:\s+(?:or|and)\s+[A-Z][\w.&-]*)?)\s+(?:[\w-]+\s+){0,3}?"
    # "Did China or Russia object or say anything…?" (a fourth batch of probes written blind, 2026-12-06)
    r"(?i:for or against|oppos(?:e|ed|es|ing)|push(?:ed)? back|object(?:ed|s)?(?:\s+to)?)\b"
)


# "Did any country object to / push back on the update?": whether anyone dissented. The texts record what
# was adopted, not who objected; the best sentences must at least speak of a stance (users dev u-nm-038 and
# a fresh dev question, 2026-12-06).
# Also "did the big AI labs push back…", "did any other parties criticize…" (probes written blind, 2026-12-06)
_GROUPS = (
    r"(?:countr(?:y|ies)|members?|states?|governments?|nations?|delegations?|parties|labs?|companies|firms"
    r"|industry|groups?|critics)"
)
_ANY_OBJECTED = re.compile(
    rf"\b(?:did|has|have|had|were there)\s+(?:any\s*(?:one|body|{_GROUPS})?"
    rf"|(?:the|other|any other)\s+(?:[\w-]+\s+){{0,2}}?{_GROUPS})\s+(?:[\w-]+\s+){{0,3}}?"
    r"(?:object(?:ed)?|oppos(?:e|ed)|push(?:ed)? back|vot(?:e|ed) against|reject(?:ed)?|dissent(?:ed)?"
    r"|abstain(?:ed)?|critici[sz]e[sd]?|complain(?:ed)?|protest(?:ed)?|condemn(?:ed)?"
    # "did any G7 member voice reservations…" (a probe written blind, stop 44)
    r"|(?:voice|express|raise|state|enter)(?:d|s)? (?:any )?(?:reservations|objections|concerns))\b",
    re.I,
)
_STANCE_WORDS = frozenset(
    "was were is are did does do has have for against oppose opposed push pushed back object objected say"
    " said anything".split()
)
_STANCE = re.compile(
    r"\b(?:object|oppos|against|reject|dissent|abstain|reservation|without a vote|critici|complain|protest"
    r"|condemn)",
    re.I,
)


# "How did Beijing react to the joint statement?": a party's reaction, which a text records only by naming the
# party beside a word of reaction (probes written blind, 2026-12-06). Not a text's author, who speaks as "we".
_REACTION_ASKED = re.compile(
    r"\b(?i:how did)\s+(?:the\s+)?(?P<who>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*)?)\s+(?:react|respond|reply)\b"
    # what a person or party said: "What did Pope Francis tell the G7 leaders about AI?" (a probe, stop 44)
    r"|\b(?i:what did)\s+(?:the\s+)?(?P<speaker>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*)?)"
    r"\s+(?:say|tell|think)\b"
)
_REACTION = re.compile(
    r"\b(?:react|respon|repl|welcom|critici|condemn|oppos|support|reject|protest|object|said|says|stated|told"
    r"|urged|stressed|warned|argued|emphasi[sz]ed|remarked|declared|speech|remarks|address|posted)",
    re.I,
)
# What a person said is reported by a verb of speaking: "We continue to support … President Zelenskyy's
# Peace Formula" is the G7's support, not what he told them (fresh users dev u-nm-292).
_SPOKE = re.compile(
    r"\b(?:said|says|stated|told|tells|urged|stressed|warned|argued|emphasi[sz]ed|remarked|declared|speech"
    r"|remarks|address(?:ed)?|called for|noted|asked)\b",
    re.I,
)


# A translated question keeps the stance's noun: 反対 / 棄権 / 留保 → "opposition", "abstain", "reservations"
# (Japanese probes written blind, stop 44: "… 21 May 2024 decision opposition abstain?")
_OBJECTED_TRANSLATED = re.compile(
    r"\b(?:opposition|objections?|reservations?|abstain|abstention|dissent|critici\w*)\b", re.I
)


def position_missing(
    question: str, top_sentences: Sequence[str], titles: Sequence[str] = (), translated: bool = False
) -> str:
    """The party whose stance the question asks about, when none of the top three sentences names it."""
    objected = (_OBJECTED_TRANSLATED if translated else _ANY_OBJECTED).search(question)
    if objected and top_sentences:
        return "" if any(_STANCE.search(s) for s in top_sentences[:3]) else "anyone"
    reaction = _REACTION_ASKED.search(question)
    if reaction and top_sentences:
        who = reaction.group("who") or reaction.group("speaker")
        if any(about(t, {who.lower()}) for t in titles):
            return ""  # a text's author ("How did the G7 respond…?") answers as "we"
        said = _SPOKE if reaction.group("speaker") else _REACTION
        named = [s for s in top_sentences[:3] if about(s, {who.lower()}) and said.search(s)]
        return "" if named else who
    found = _POSITION_ASKED.search(question)
    if found is None:
        return ""
    # The party named of something else takes no stance on the asked text: The Diplomat's "given China's
    # investment" says nothing of China's vote on the UN resolution (the probes' dev half, pg8-023).
    return _unnamed_party(found.group("who"), top_sentences, asked_words(question, _STANCE_WORDS))


def _unnamed_party(who: str, top_sentences: Sequence[str], subject: set[str] | None = None) -> str:
    """`subject`: the question's words, of which a sentence naming the party must share two, or speak of
    a stance."""
    names = {n for n in re.split(r"\s+(?:or|and)\s+", who) if n.lower() not in _NOT_PARTIES}
    if not names or not top_sentences:
        return ""
    if any(
        about(s, names) and (subject is None or on_subject(s, subject, set()) or _STANCE.search(s))
        for s in top_sentences[:3]
    ):
        return ""
    return sorted(names)[0]
