"""Whether the retrieved passages answer the question: three signals, thresholds chosen on dev.

Nine question-level signals (reader confidence, evidence strength, best coverage and similarity,
unknown terms, names and years the passages lack, answer-type presence, yes/no form) were tried as
features of a logistic answerability model. On the dev split every one of them alone scored an AUC
between 0.40 and 0.57, the model learned question style (corpus wording → answerable) and, out of
fold, declined 23% of the first question set's answerable questions. Two signals did pay:
- the reader's best sentence probability: below a floor, no sentence answers;
- the share of the question's terms inside names that no retrieved passage mentions: the subject of
  "what did the Bletchley Declaration commit to?" is missing, while "an image generator like
  Midjourney" only mentions one in passing, so a small share no longer sinks the question.
`policyqa train-reader` picks both thresholds (evals/train_reader.py) and plots the curve.

A third signal is a fixed rule, not a threshold: the detail asked for is not in the best sentences.
- A "how many / how much" question is unanswered when the best sentence gives no amount beyond the
  question's own, or when what is counted ("jobs", "chips", "funding") stands beside a figure in none
  of the top three sentences ("the right to vote" counts no votes). On dev it caught 8 of 37
  unanswerable questions and declined 2 of 190 answerable ones (one of them answered right before); the
  figure beside the counted word (2026-12-04) caught one more and declined none. Asked for a sum ("how
  much money / funding", or "how much … chip in / putting into": 2026-12-06, one more), only a sum of money
  in the top three answers (2026-12-05: one more, none declined),
  also in a yes/no question ("did the summit come with a dollar pledge?": one more, none declined).
  When the best sentence names what the question names ("Microsoft's $2.9B investment"), the counted
  figure must come from a sentence that names it too (rag/reader/subject.py), not FUJIFILM's "160 new
  jobs", and a sum from one that names it beyond the texts' titles: not the subsea cables' "joint
  funding" for ASPIRE's budget (2026-12-06: one more each, English and Japanese, none declined).
- A "who chairs / heads / was appointed" question is unanswered when none of the top three sentences
  names that role: the corpus mentions the working party, not its chair. "Who's in charge of / runs" a
  body (an institute, an office, a board) needs a person or a leading office named (2026-12-06: 2
  English and 1 Japanese dev near misses, nothing else declined; rag/reader/asked_names.py).
- A question that asks for a name ("which companies…", "which tech CEOs…", "the name of the person who…",
  "which country…", "what's the brand called") is unanswered when none of the top three sentences names
  one of that kind that the question does not name itself: the corpus says "a consortium of Japanese
  companies" or "develop a brand", not which. Names come from spaCy's recogniser (rag/text/pos.py),
  loaded only when such a question comes. On dev (2026-12-05) no answerable question asks this way; the
  rule caught 8 of 48 user-style near misses and declined nothing else. A sentence that names the asked
  group only as a whole ("…Microsoft, and a consortium of Japanese companies" for "which Japanese
  companies…") names others, not them (2026-12-06: 2 more).
- A "what date / which day / exact dates / set date" question is unanswered when none of the top three
  sentences gives a day of a month beyond the question's own date: "the AI Action Summit in 2025" is no
  date for the summit. On dev (2026-12-05) it caught 2 more near misses and declined nothing else. The
  day must be given in a sentence that names what the best sentence and the question both name
  (rag/reader/subject.py), less the texts' own names: not the Hiroshima Summit's "May 19-21, 2023" for
  the 2025 AI Action Summit (2026-12-06: one more near miss, nothing else declined).
- A "what did the pilot find / what changed" question is unanswered when the best sentence about the
  event speaks of it only as to come ("will convene", "look forward to"): on dev (2026-12-05, night) 2
  more near misses, nothing else declined.
- A question about a version of a text ("version 1.1 of NIST's AI RMF", 「Ver2.0」) is unanswered when
  none of the top five sentences gives that version: the corpus holds the Guidelines' Ver1.0 and the AI
  RMF 1.0, and a later version's contents or date is a detail it cannot give (2026-12-06: 4 dev near
  misses, 2 of them Japanese; the one answerable question that names a version, "version 1.0", kept).
- A yes/no question whether a named party signed, ratified, joined or endorsed a text ("Has OpenAI or
  Google signed up to the code?", 「日本はもう署名した?」) is unanswered when none of the top three sentences
  names the party: the corpus keeps no list of signatories (2026-12-06: 1 English and 2 Japanese dev near
  misses, nothing else declined).
  So is "was Germany for or against…?" (a stance in a dispute; 2026-12-06: 1 more). Each rule of
  2026-12-06 rests on one or two dev questions; answerable probes took back a penalty rule that declined
  "are there penalties for not following the NIST AI RMF?" (how the rules fared held out: README.md).
Near misses ask exactly that: a detail the corpus never states about a thing it does mention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel

from rag.citations.facts import extract_facts
from rag.reader.amounts import amount_missing
from rag.reader.asked_names import (
    GENERIC_NAME_WORDS,
    asked_name,
    beyond,
    leader_missing,
    name_missing,
    role_missing,
)
from rag.reader.question import COMPARES_DATES
from rag.reader.subject import about, subject_names
from rag.text.sentences import asked_part
from rag.text.tokenize import STOP_WORDS, tokenize
from rag.text.versions import versions


class AbstentionRule(BaseModel):
    min_answer_prob: float = 0.05
    missing_subject_share: float = 0.2
    # Off-topic floor on the best candidate sentence's own similarity ("what is the capital of
    # Australia?" reaches 0.30). On dev 1 of 190 answerable questions is below 0.35, and none of the 37
    # unanswerable ones: near misses are on topic by design, so this floor only catches what is not.
    min_similarity: float = 0.35

    def answers(
        self,
        top_prob: float,
        missing_share: float,
        top_similarity: float | None = None,
        detail_missing: bool = False,
    ) -> bool:
        """`top_similarity` None: no sentence vectors (sentence index off), so that floor does not apply."""
        if top_similarity is not None and top_similarity < self.min_similarity:
            return False
        if detail_missing:
            return False
        return top_prob >= self.min_answer_prob and missing_share < self.missing_subject_share


def missing_share(question: str, terms: list[str], missing: list[str]) -> float:
    """Share of the asked part's content terms inside the multi-word names no passage mentions.

    A one-word name ("Replika", "Midjourney", "Toronto") counts for nothing: on dev, such names were
    passing mentions as often as subjects, while a missing multi-word name ("the Bletchley
    Declaration", "China's Interim Measures") was the subject the question asked about. So does a name
    in a sentence before the question itself ("Sam Altman likes to point to 'system cards'. What does
    the G7 code want…?"): that sentence sets the scene, the last one asks."""
    asked = asked_part(question)
    names = [m for m in missing if _name_words(m) >= 2 and m in asked]
    asked_tokens = set(tokenize(asked))
    terms = [t for t in terms if t in asked_tokens]
    if not terms or not names:
        return 0.0
    inside = set(tokenize(" ".join(names)))
    return sum(1 for t in terms if t in inside) / len(terms)


def _name_words(name: str) -> int:
    """Words of a name that name something: "China-style" is one word, and "AI on Meloni's" names one
    thing ("AI" and "on" name nothing by themselves), so both are passing mentions, not subjects."""
    words = [re.sub(r"['’]s$", "", w.lower()) for w in name.split()]
    return sum(1 for w in words if len(w) > 2 and w not in GENERIC_NAME_WORDS)


# "what date / which day / the exact dates / is there a set date": a calendar day is asked for, not a year
# or a period ("when" is answered by "within 270 days" or "upon entry into force" as often as by a date).
_ASKED_DAY = re.compile(
    r"\b(?:what|which|exact|precise|set|specific)\s+(?:dates?|day)\b|\bdate (?:was|did|were|will)\b", re.I
)


# "when was it signed / when did they meet": a past event has a date, if only a year; "when do the rules
# apply" may be answered by a condition, so it is not asked here. A translated question keeps only its
# "When", not its tense (rag/translate/translator.py).
_WHEN_PAST = re.compile(r"\bwhen (?:was|were|did)\b", re.I)
_WHEN_DEPTH = 5  # any date will do, so look further: the date may come in a later quote


def date_missing(
    question: str, top_sentences: Sequence[str], translated: bool = False, titles: Sequence[str] = ()
) -> bool:
    """A what-date question whose top three sentences give no day of a month beyond the question's own,
    or a when-did question whose top five give no date at all beyond the question's own."""
    day = bool(_ASKED_DAY.search(question))
    when = bool(_WHEN_PAST.search(question)) or (translated and question.startswith("When"))
    if not (day or when) or not top_sentences:
        return False
    asked = {f.display for f in extract_facts(question) if f.kind == "date"}
    # A day is asked of what the question names: "the exact dates of the 2025 AI Action Summit" are not
    # the Hiroshima Summit's "May 19-21, 2023" (rag/reader/subject.py).
    names = subject_names(question, top_sentences[0], titles) if day and not translated else set()
    for sentence in top_sentences[: 3 if day else _WHEN_DEPTH]:
        if not about(sentence, names, every=True):
            continue
        for fact in extract_facts(sentence):
            if fact.kind == "date" and fact.display not in asked and (_is_day(fact.display) or not day):
                return False
    return True


def _is_day(display: str) -> bool:
    """ "21 March 2024", "September 7" or "2024-06-13", not "2025" or "October 2023"."""
    digits = re.findall(r"\d+", display)
    return any(len(d) <= 2 for d in digits) or "-" in display


# "what did the working group decide when it first met", "what did the pilot find", "what changed in
# version 1.1": the outcome of an event. When the best sentence most about the event speaks of it only as
# to come ("will convene", "we look forward to the pilot", "is currently underway"), the corpus predates
# the outcome. "agree / commit / pledge" are left out: "what did the G7 agree?" is answered "We will…".
_ASKED_OUTCOME = re.compile(
    r"\bwhat did\b[^?]{0,80}?\b(?:find|finding|found|decide|conclude|recommend|show|reveal|learn)\b"
    r"|\bhow did\b[^?]{0,80}?\b(?:react|respond|receive)|\b(?:reactions?|responses?|reception) to\b"
    r"|\b(?:results?|outcomes?|findings?|conclusions?) (?:of|from)\b"
    r"|\bwhat came (?:out )?of\b|\bwhat changed\b",
    re.I,
)
_PROSPECTIVE = re.compile(
    r"\b(?:will|look(?:s|ing)? forward|upcoming|underway|under way"
    r"|to be (?:held|determined|decided|published)|plans? to|planned|scheduled|intends? to|expected to)\b",
    re.I,
)
_OUTCOME_WORDS = frozenset(
    "find finding found decide conclude recommend show reveal learn result outcome change react respond"
    " receive reaction response reception".split()
)


# What a report or a study found, when the text only orders it ("the Chairman of the Council of Economic
# Advisers shall prepare and submit a report…", "within 180 days"): the order is not its findings (fresh
# users dev, 2026-12-06). Not "decide" or "recommend": a rule in a legal text reads "shall" too. Nor what the
# order asks a report to show ("what did the order say the report has to show?": answerable probes).
_ASKED_FINDINGS = re.compile(
    r"\b(?:find|finding|findings|found|conclude|concluded|conclusions?|show|showed|reveal|revealed)\b", re.I
)
_ASKED_MANDATE = re.compile(
    r"\b(?:requires?|required|ask(?:s|ed)?|wants?|wanted|say|says|said|tell|told|direct(?:s|ed)?"
    r"|has to|have to|should|must|supposed to|needs? to)\b",
    re.I,
)
_ORDERED_STUDY = re.compile(
    r"\b(?:shall|must|is directed to|are directed to)\s+(?:[\w,-]+\s+){0,8}?(?:report|study|studies"
    r"|assessment|analysis|evaluation|review)\b|\bwithin \d+ days\b",
    re.I,
)


def outcome_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """An outcome question whose best sentences about the event speak of it only as to come (see above)."""
    if not _ASKED_OUTCOME.search(question) or not top_sentences:
        return False
    asked = {t for t in tokenize(question) if t not in STOP_WORDS and t not in _OUTCOME_WORDS}
    shared = [len(asked & set(tokenize(s))) for s in top_sentences[:3]]
    best = max(range(len(shared)), key=lambda i: (shared[i], -i))  # the one most about the event
    if shared[best] < 2:
        return False
    sentence = top_sentences[best]
    findings = bool(_ASKED_FINDINGS.search(question)) and not _ASKED_MANDATE.search(question)
    ordered = findings and bool(_ORDERED_STUDY.search(sentence))
    return ordered or bool(_PROSPECTIVE.search(sentence))


# "where did they meet / where is the lab going to be": a place the best sentences must name beyond the
# question's own ("Where are the companies getting their GPUs?" asks for a source, not a place).
_ASKED_PLACE = re.compile(
    r"\bwhere (?:did|was|were|is|will|are|does)\b[^?]{0,80}?\b(?:meet|met|held|hold|located|based|going to be"
    r"|take place|took place|hosted|convene|convened)\b",
    re.I,
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def place_missing(question: str, top_sentences: Sequence[str], translated: bool = False) -> bool:
    """A where-question whose top three sentences name no place beyond the question's own. A translated
    question asks for a place only by its "Where" (どこで, どの都市: rag/translate/translator.py)."""
    asked = _ASKED_PLACE.search(question) or (translated and question.startswith("Where"))
    if not asked or not top_sentences:
        return False
    from rag.text.pos import entities

    asked = set(tokenize(question))
    for sentence in top_sentences[:3]:
        if any(label in _PLACE_LABELS and beyond(span, asked) for span, label in entities(sentence)):
            return False
    return True


def version_missing(question: str, top_sentences: Sequence[str], titles: Sequence[str] = ()) -> str:
    """The version the question asks about ("1.1") when neither its top five sentences nor the passages'
    titles and headings (`titles`: "AI Guidelines for Business Ver1.0 › Ver1.0") give it; else ""."""
    asked = versions(question)
    if not asked or not top_sentences:
        return ""
    given = set().union(*(versions(s) for s in [*top_sentences[:5], *titles]))
    lacking = sorted(asked - given)
    return lacking[0] if lacking else ""


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


# "Was Germany for or against the rules on foundation models?", "Did France oppose…?": a party's position
# in a dispute, which the texts, final and agreed, do not record; the best sentences must at least name the
# party. Not "did Japan support the OECD principles?" (a member adheres: on probes it declined an answerable
# question), nor a possessive ("does Biden's order back that?" asks what a text says).
_POSITION_ASKED = re.compile(
    r"(?:^|[.?!,;:]\s+)(?i:so\s+|and\s+|but\s+)?(?i:was|were|is|are|did|does|do|has|have)\s+(?:the\s+)?"
    r"(?P<who>[A-Z][\w.&-]*(?:\s+(?:or|and)\s+[A-Z][\w.&-]*)?)\s+(?:[\w-]+\s+){0,3}?"
    r"(?i:for or against|oppos(?:e|ed|es|ing)|push(?:ed)? back|object(?:ed|s)? to)\b"
)


# "Did any country object to / push back on the update?": whether anyone dissented. The texts record what
# was adopted, not who objected; the best sentences must at least speak of a stance (users dev u-nm-038 and
# a fresh dev question, 2026-12-06).
_ANY_OBJECTED = re.compile(
    r"\b(?:did|has|have|had|were there)\s+any\s*(?:one|body|countr(?:y|ies)|members?|states?|governments?"
    r"|nations?|delegations?|parties)?\s+(?:[\w-]+\s+){0,2}?"
    r"(?:object(?:ed)?|oppos(?:e|ed)|push(?:ed)? back|vot(?:e|ed) against|reject(?:ed)?|dissent(?:ed)?"
    r"|abstain(?:ed)?)\b",
    re.I,
)
_STANCE = re.compile(r"\b(?:object|oppos|against|reject|dissent|abstain|reservation|without a vote)", re.I)


def position_missing(question: str, top_sentences: Sequence[str]) -> str:
    """The party whose stance the question asks about, when none of the top three sentences names it."""
    if _ANY_OBJECTED.search(question) and top_sentences:
        return "" if any(_STANCE.search(s) for s in top_sentences[:3]) else "anyone"
    found = _POSITION_ASKED.search(question)
    return _unnamed_party(found.group("who"), top_sentences) if found is not None else ""


def _unnamed_party(who: str, top_sentences: Sequence[str]) -> str:
    names = {n for n in re.split(r"\s+(?:or|and)\s+", who) if n.lower() not in _NOT_PARTIES}
    if not names or not top_sentences or any(about(s, names) for s in top_sentences[:3]):
        return ""
    return sorted(names)[0]


def missing_detail(
    question: str, top_sentences: Sequence[str], translated: bool = False, titles: Sequence[str] = ()
) -> str:
    """What the question asks for that its best sentences do not give (see above), worded for the user's
    warning ("a figure", "the name of a company"); empty when nothing is missing. `titles`: the passages'
    titles and headings, where a text's version is given."""
    if amount_missing(question, top_sentences, translated, titles):
        return "a figure"
    if role_missing(question, top_sentences) or leader_missing(question, top_sentences, translated):
        return "who holds the role"
    if date_missing(question, top_sentences, translated, titles):
        return "a date"
    if outcome_missing(question, top_sentences):
        return "what came of it (they speak of it only as to come)"
    if place_missing(question, top_sentences, translated):
        return "a place"
    version = version_missing(question, top_sentences, titles)
    if version:
        return f"version {version} of the text"
    party = signatory_missing(question, top_sentences, translated)
    if party:
        return f"whether {party} signed or joined it"
    party = position_missing(question, top_sentences)
    if party:
        return f"where {party} stood on it"
    # A translated question is a run of terms ("What United Nations … ITU …"): only its question word,
    # "Which companies" for どの企業 (rag/translate/translator.py), may ask for a name.
    if (not translated or question.startswith("Which companies")) and name_missing(question, top_sentences):
        kind = asked_name(question)
        return "who its members are" if kind == "member" else f"the name of a {kind}"
    return ""


def detail_missing(question: str, top_sentences: Sequence[str], translated: bool = False) -> bool:
    """The figure, the role or the name the question asks for is not in its best sentences (see above)."""
    return bool(missing_detail(question, top_sentences, translated))
