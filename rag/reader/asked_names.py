"""Who-questions and which-name questions: the role, the leader or the name a question asks for, and
whether its best sentences give one (rag/reader/answerability.py turns a missing one into a declined
near miss: "who's in charge of Japan's AI Safety Institute?" when no text names its head)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.reader.subject import asked_words, on_subject, subject_names
from rag.text.tokenize import STOP_WORDS, tokenize

GENERIC_NAME_WORDS = frozenset({"ai", "and", "the", "for", "with", "from"})


# "who chairs / chaired / heads / leads / was appointed / directs / is the chief": a role; its stem must be
# in the text. "chief" from a fresh ja dev question (誰 … トップ（所長）, "Who … top chief?"), 2026-12-04.
# The role's nouns too: "who's the director / leader / president / chairman of…" (probe questions written
# blind, 2026-12-06).
_ROLE = re.compile(
    # "Name the person heading Japan's AI Safety Institute." (a third batch of probes, 2026-12-06)
    # "what's the name of the chair?" (paraphrases of the shape, stop 51)
    r"\b(?:who|name of the|(?:name|identify) the (?:person|official|people|individual))\b[^?]*?"
    r"\b(chair|head|lead|appoint|direct|presid|chief)"
    r"(?:s|ed|ing|e|es|man|woman|person|er|ers|or|ors|ent|ents)?\b",
    re.I,
)
# The role's own words are not the subject: "the Chairman of the Council of Economic Advisers" shares
# "chairman" and "council" with "Who … AI Strategy Council chairman?" (座長, a Japanese probe), but is
# about another council.
_ROLE_WORDS = frozenset(
    "who chair chairman chairmen chairwoman chairperson head headed lead leader led director president"
    " chief".split()
)
# Not "who's in charge of / who runs …": a body answers those as well as a person, unless what is run is a
# body itself (leader_missing).


def role_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """A who-holds-this-role question whose top sentences never name the role ("chaired by…")."""
    found = _ROLE.search(question)
    if found is None or not top_sentences:
        return False
    role = found.group(1).lower()
    # The role of what the question names: "the heads of other relevant agencies" in an order's sentence
    # is no head of Japan's AI Safety Institute (users dev u-nm-547), nor is NIST's Director, in a sentence
    # on "AI safety", the director of Japan's institute (rag/reader/subject.py, `on_subject`).
    names = subject_names(question, top_sentences[0])
    asked = asked_words(question, _ROLE_WORDS)
    return not any(
        re.search(rf"\b{role}", s, re.I) and on_subject(s, asked, names) for s in top_sentences[:3]
    )


# "who's in charge of / runs / is running the AI Safety Institute?": who leads a body. A body cannot answer
# that for itself, so its best sentences must name a person or an office that leads it ("chaired by the
# Assistant to the President", "the Director of OSTP"). "who runs it" names no body and is left alone.
_BODY = (
    r"(?:institute|office|lab|laboratory|agency|board|panel|council|committee|centre|center|secretariat"
    r"|unit|forum|group)s?"
)
_LEADER_ASKED = re.compile(
    rf"\bwho\b[^?]{{0,40}}?\b(?:in charge of|running|runs|run|at the helm of)\s+"
    rf"(?:[\w'’.-]+\s+){{0,5}}?{_BODY}\b",
    re.I,
)
# A translated question keeps its "Who" and its terms: 誰がトップ → "Who … AI Office … top"
_LEADER_TRANSLATED = re.compile(rf"^Who\b(?=.*\b{_BODY}\b)(?=.*\b(?:top|head|leader|boss)\b)", re.I)
_LEADER_GIVEN = re.compile(
    r"\b(?:chair(?:ed|s|s?person|man|woman)?|head(?:ed|s)?\s+(?:by|of)|led by|director|chief|president"
    r"|minister|secretary|administrator|commissioner|executive director)\b",
    re.I,
)


def leader_missing(question: str, top_sentences: Sequence[str], translated: bool = False) -> bool:
    """A who-leads-this-body question whose top three sentences name no person and no leading office."""
    asked = (_LEADER_TRANSLATED if translated else _LEADER_ASKED).search(question)
    if asked is None or not top_sentences:
        return False
    from rag.text.pos import entities

    for sentence in top_sentences[:3]:
        if _LEADER_GIVEN.search(sentence) or any(label == "PERSON" for _, label in entities(sentence)):
            return False
    return True


# The kind of name a question asks for, by the words it asks with, and the recogniser's labels that answer it.
# "Which people / which companies must…" asks for a category ("providers", "natural persons"), not names:
# an obligation or eligibility word turns the rule off (_CATEGORY).
# not "what executive order"; not "which ministry". Astronauts, lecturers: probes written blind (2026-12-06).
_PERSON_WORDS = (
    r"ceos?|chief executives?|executives|astronauts?|lecturers?|professors?|scientists?"
    r"|spokes(?:person|man|woman)"
)
# Not "which minister / official": the office answers those as well as a name ("the Assistant to the President
# … shall serve as Chair", users dev u-fu-373), and on the probes held out such a rule lost as many as it won.
_COMPANY_WORDS = r"compan(?:y|ies)|firms?|labs?|corporations?"
_COUNTRY_WORDS = r"countr(?:y|ies)|nations?"
_PRODUCT_WORDS = r"tools?|products?|apps?|chatbots?"
_ASKED_NAME = [
    # "which countries…", and asked as an order: "list the countries that signed…", "name the companies"
    # (probes written blind, stop 44)
    (
        re.compile(
            # "does the order name the companies whose commitments…?" (the probes' dev half, pg5-016)
            rf"(?:\b(?:which|what)|^\W*(?:list|name)(?:\s+(?:the|all|all the))?|\bname (?:the|any|all the))"
            # "which newspapers or tech companies" (fresh users dev, stop 54): two kinds asked at once
            rf"\s+(?:[\w-]+\s+){{0,2}}?(?:(?:or|and)\s+(?:[\w-]+\s+)?)?"
            rf"(?:{words})\b{tail}",
            re.I,
        ),
        kind,
    )
    for words, kind, tail in (
        (_PERSON_WORDS, "person", ""),
        (_COMPANY_WORDS, "company", ""),
        (_COUNTRY_WORDS, "country", ""),
        (_PRODUCT_WORDS, "product", r"\s+did\b"),  # "which AI tool did they use"
    )
] + [
    (re.compile(r"\bname of (?:the|that|this) (?:person|individual|official)\b", re.I), "person"),
    # "what's that person's actual name?", "name a few of the experts who sat on it" (probes, 2026-12-06)
    (re.compile(r"\b(?:person|individual|official)['’]s (?:actual |full |real )?name\b", re.I), "person"),
    (
        re.compile(r"\bname (?:a few|some|any|one) (?:of )?(?:the )?(?:experts|members|people)\b", re.I),
        "person",
    ),
    # Who wrote the article, who drafted the principles, "individual author names": the corpus's texts
    # name none of their authors, and a name beside them (Kishida in The Diplomat's article) wrote nothing
    # of it, so the name must be given as the author's (_AUTHORSHIP; probes' dev halves, 2026-12-06).
    (
        re.compile(
            r"\bwho (?:actually |really )?(?:wrote|authored|drafted|penned)\b|\bauthor(?:s|ed)?\b"
            r"|\b(?:officials|experts|staff|people|person|journalist|writer)\b[^?]{0,20}?\b(?:wrote|authored"
            r"|drafted|penned)\b"
            # 誰が書いた記事 ("Who … written … article?", ja dev ja-567)
            r"|^who\b(?=[^?]*\bwritten\b)(?=[^?]*\b(?:article|piece|report|paper)\b)",
            re.I,
        ),
        "author",
    ),
    # Who gave the lecture: a person's name (new users dev, 2026-12-05); "who was teaching it?" (users dev
    # u-nm-958)
    (
        re.compile(
            r"\bwho (?:actually )?(?:gave|delivered|taught|lectured)\b"
            r"|\bwho (?:was|were|is) (?:teaching|giving|delivering|lecturing)\b",
            re.I,
        ),
        "person",
    ),
    # Who sits on the panel / who were its members: names, or what it is composed of
    (
        re.compile(
            r"\bwho(?:['’]s| is| are| was| were)?\s+(?:actually\s+|currently\s+)?"
            # …or on a body a name owns: "who sat on METI's study group" (fresh users dev, stop 54)
            r"(?:sits?\s+|serves?\s+|sat\s+|served\s+)?on\s+(?:the|that|this|its|their|[A-Z][\w.&-]*['’]s)(?!\w)"
            r"|\bwho (?:were|are) the (?:experts|members)\b",
            re.I,
        ),
        "member",
    ),
    (re.compile(rf"\bnames of (?:the |any )?(?:[\w-]+ )?(?:{_COMPANY_WORDS})\b", re.I), "company"),
    (re.compile(rf"\b(?:{_COMPANY_WORDS})\b[^?]*\bname any\b", re.I), "company"),
    # "what's the brand for?" asks what it is for, not its name (fresh users dev, stop 55)
    (
        re.compile(
            r"\bbrand (?:name|called)\b"
            r"|\bwhat(?:['’]s| is) the brand\b(?!\s+(?:for|about|meant|supposed|used))",
            re.I,
        ),
        "product",
    ),
    # "what's the name of the brand the G7 is creating?" (fresh users dev, stop 54)
    (
        re.compile(r"\bname of (?:the|that|this|its|their) (?:[\w-]+ )?(?:brand|logo|badge|seal)\b", re.I),
        "product",
    ),
    # "is there a logo name yet?": a logo's name. Not a label's: "what's the conformity label called?" is
    # answered by ‘CE marking’, which the best sentences may not quote (an answerable probe, 2026-12-06)
    (
        re.compile(r"\b(?:logo|badge|seal|brand)s?\b[^?]{0,40}?\b(?:called|named|name)\b", re.I),
        "product",
    ),
]
_CATEGORY = re.compile(
    r"\b(?:must|have to|has to|need to|needs to|required|obliged|should|can|could|may|allowed|count|counts"
    r"|qualify|qualifies|fall|falls|covered|apply|applies)\b",
    re.I,
)
_NAME_LABELS = {
    "person": {"PERSON"},
    "author": {"PERSON", "ORG"},
    "member": {"PERSON"},
    "company": {"ORG"},
    "country": {"GPE", "NORP"},
    "product": {"PRODUCT", "WORK_OF_ART"},
}
# An ORG that is a public body, a meeting or a text, not a company: the recogniser labels them all ORG.
_PUBLIC_BODY_WORDS = frozenset(
    """g7 g-7 g20 oecd gpai un nations council commission ministry ministers ministerial department secretary
    office agency institute government assembly parliament union committee board summit process framework
    principles code partnership partnerships university center centre program programme association group
    fund forum house chair network networks cabinet nist nsf state states member initiative declaration
    statement meeting plan force party coalition alliance ai intelligence digital act acts affairs security
    standards roadmap policy strategy science technology technologies energy commerce defense defence labor
    labour treasury justice homeland management budget personnel administration bureau ostp omb dhs doe dod
    opm uspto ftc fcc hhs cisa gsa usda map measure manage govern""".split()
)
# Laws, agencies and programmes ("the National AI Initiative Act", "OSTP", "Clean Energy …", NIST's MAP and
# MANAGE functions) are labelled ORG too: none of them names a company (fresh users dev, 2026-12-06: 2
# near misses answered with them). A city is no country: "Paris" in a UNESCO footnote named no sponsor.
_CITIES = frozenset(
    """paris hiroshima tokyo kyoto osaka brussels strasbourg vilnius washington apulia borgo egnazia
    ise-shima ise shima geneva new york london seoul bletchley""".split()
)
# Nor is a group of countries, which the recogniser labels as one: "beyond the G7, as demonstrated by its
# Friends Group" names no member of the Friends Group (the probes' dev half, pg7-032).
_COUNTRY_GROUPS = frozenset(
    {"g7", "g-7", "g20", "g-20", "group of seven", "group of twenty", "eu", "european union", "un",
     "united nations", "oecd", "brics"}
)  # fmt: skip
_NOT_COUNTRIES = _CITIES | _COUNTRY_GROUPS
# A name given as a text's author: "written by", "drafted by", "the authors".
_AUTHORSHIP = re.compile(
    r"\b(?:written|authored|drafted|penned|prepared|compiled|edited) by\b|\bauthors?\b", re.I
)
# What a body is made of answers who sits on it.
_COMPOSITION = re.compile(
    r"\b(?:composed of|comprising|comprises|consists? of|consisting of|members? (?:from|of)"
    r"|representatives? (?:of|from)|representative per)\b",
    re.I,
)
# A product's name: in quotes (up to four words), or camel-cased ("ChatGPT", "HondaJet"), which the
# recogniser does not know.
_QUOTED_NAME = re.compile(r"[“\"‘]([A-Z][^”\"’]{0,40}?)[”\"’]")
_CAMEL_CASE = re.compile(r"\b[A-Z][a-z]+[A-Z]\w*\b")


def asked_name(question: str) -> str | None:
    """ "person", "author", "company", "country" or "product" when the question asks for a name of that
    kind. An author is asked for whatever else the question says ("I need to credit whoever drafted them")."""
    category = _CATEGORY.search(question)
    for pattern, kind in _ASKED_NAME:
        if pattern.search(question) and (kind == "author" or not category):
            return kind
    return None


def name_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """A which-company / which-person / which-country question whose top sentences name none (see above)."""
    kind = asked_name(question)
    if kind is None or not top_sentences:
        return False
    from rag.text.pos import entities  # spaCy loads only for a question that asks for a name

    asked = set(tokenize(question))
    group = _asked_group(question)
    # A name given after the best sentence must be given of what the question asks about: a G7 member named
    # in the third sentence is no member of the Friends Group (probes written blind, 2026-12-06).
    subject, names = asked_words(question, _KIND_WORDS), subject_names(question, top_sentences[0])
    for i, sentence in enumerate(top_sentences[:3]):
        if i and not on_subject(sentence, subject, names):
            continue
        if group and group.search(sentence):
            continue  # "…NVIDIA, Microsoft and a consortium of Japanese companies": the asked ones unnamed
        if kind == "author" and not _AUTHORSHIP.search(sentence):
            continue
        if kind == "member" and _COMPOSITION.search(sentence):
            return False  # "composed of one representative per Member State" answers who sits on it
        found = [span for span, label in entities(sentence) if label in _NAME_LABELS[kind]]
        if kind == "product":
            found += [m.group(1) for m in _QUOTED_NAME.finditer(sentence) if len(m.group(1).split()) <= 4]
            found += _CAMEL_CASE.findall(sentence)
        for span in found:
            if kind == "company" and any(w in _PUBLIC_BODY_WORDS for w in span.lower().split()):
                continue
            if kind == "country" and span.lower().removeprefix("the ") in _NOT_COUNTRIES:
                continue
            if beyond(span, asked):
                return False
    return True


_KIND_WORDS = frozenset(
    tokenize(
        "which what name names company companies firm firms lab labs corporation corporations country"
        " countries nation nations ceo ceos executive executives astronaut astronauts lecturer professor"
        " scientist tool tools product products app apps chatbot chatbots brand logo person individual people"
        " member members expert experts author authors authored wrote written drafted journalist writer"
    )
)
_GROUP = re.compile(
    rf"\b(?:which|what)\s+((?:[A-Za-z][\w-]*\s+){{1,2}}?)({_COMPANY_WORDS}|{_COUNTRY_WORDS})\b", re.I
)


def _asked_group(question: str) -> re.Pattern[str] | None:
    """ "which Japanese companies" asks for members of a group the text may only mention as a whole ("a
    consortium of Japanese companies"): a sentence that does names others, not them."""
    found = _GROUP.search(question)
    if found is None or found.group(1).strip().lower() in STOP_WORDS:
        return None
    return re.compile(rf"\b{re.escape(found.group(1).strip())}\s+{re.escape(found.group(2))}\b", re.I)


def beyond(span: str, asked: set[str]) -> bool:
    """A recognised name that the question does not give itself (the recogniser calls "AI" a country)."""
    words = set(tokenize(span)) - GENERIC_NAME_WORDS
    return bool(words) and not words <= asked
