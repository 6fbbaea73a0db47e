""" "How does the OECD define an AI system?", "What is a deployer under the AI Act?": a question asking what a
term means, and a sentence that defines it.

The documents define their terms in a few fixed shapes: "(4) ‘deployer’ means …" (the EU AI Act),
"“artificial intelligence system” means …" (the Council of Europe convention), "AI system: An AI system
is …" (the OECD Recommendation), "The AI RMF refers to an AI system as …" (NIST). The reader ranks
sentences by what they share with the question, and a sentence that talks about defining ("it is difficult
to strictly define artificial intelligence") outranked the definition itself; the definition, when one is
among the retrieved passages, is quoted first instead, as a named clause would be.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.sentences import asked_part

_ARTICLE = r"(?:an?\s+|the\s+)?"
_TERM = r"[‘'\"“]?(?P<term>[A-Za-z][\w\s-]{1,60}?)[’'\"”]?"
_SCOPE = r"(?:\s+(?:under|in|according to|for|by|as used in)\b.*)?"
# The shapes a definition question takes; the term is what is left once the scope ("under the AI Act") is cut.
_END = rf"{_SCOPE}\s*\??\s*$"
_QUESTIONS = (
    re.compile(rf"^\s*how\s+(?:does|do|did)\s+.+?\s+define\s+{_ARTICLE}{_TERM}{_END}", re.I),
    re.compile(rf"^\s*(?:what\s+is\s+)?the\s+(?:definition|meaning)\s+of\s+{_ARTICLE}{_TERM}{_END}", re.I),
    re.compile(rf"^\s*(?:definition|meaning)\s+of\s+{_ARTICLE}{_TERM}{_END}", re.I),
    re.compile(rf"^\s*(?:what\s+)?(?:does|do)\s+{_ARTICLE}{_TERM}\s+mean{_END}", re.I),
    re.compile(rf"^\s*what\s+is\s+meant\s+by\s+{_ARTICLE}{_TERM}{_END}", re.I),
    re.compile(rf"^\s*(?:what|who)(?:\s+\w+ly)?\s+counts\s+as\s+{_ARTICLE}{_TERM}{_END}", re.I),
    re.compile(rf"^\s*(?:what\s+is|what's|who\s+is|who\s+are)\s+{_ARTICLE}{_TERM}{_END}", re.I),
    re.compile(rf"^\s*how\s+is\s+{_ARTICLE}{_TERM}\s+defined{_END}", re.I),
    re.compile(
        rf"^\s*{_ARTICLE}{_TERM}\s*(?:[-–—:]\s*how\s+is\s+it\s+defined|definition|meaning){_END}", re.I
    ),
    re.compile(rf"^\s*define\s+{_ARTICLE}{_TERM}{_END}", re.I),
    re.compile(rf"^.*?\bwhat\s+(?:do|does|did)\s+.+?\s+mean\s+by\s+{_ARTICLE}{_TERM}{_END}", re.I),
)
# A term in quotes in a question about meaning ("in NIST's framework, what do they mean by 'resilient'?").
_QUOTED = re.compile(r"(?:^|(?<=\s))[‘'\"“](?P<term>[A-Za-z][\w\s-]{1,60}?)[’'\"”]")
_ABOUT_MEANING = re.compile(
    r"\b(?:mean|means|meant|meaning|defin\w*|counts?\s+as)\b|\b(?:what\s+is|what's|who\s+is|who\s+are)\s+"
    r"(?:an?\s+|the\s+)?[‘'\"“]",
    re.I,
)
# "What is the purpose of …", "what is it": no term to define.
_VAGUE_HEADS = frozenset(
    "it this that they purpose aim point goal role status scope difference relationship".split()
)


# "When did the OECD change how it defines an 'AI system'?" asks a date, not the definition.
_OTHER_ASK = re.compile(
    r"^\s*(?:when|how (?:many|much|long)|since when|by when|in what year|what (?:date|year))\b", re.I
)


# "…its definition of an 'AI system' is borrowed from the OECD's. Has the OECD changed that definition
# since then?" asks about a revision, which the definition itself does not answer (fresh dev u-mh-924).
_CHANGE = re.compile(r"\b(?:chang|revis|updat|amend|replac|broaden|narrow)\w*", re.I)


def defined_term(question: str, doc_names: list[str]) -> str:
    """The term a definition question asks about ("deployer", "AI system"), or "" for another question.
    `doc_names`: the named document's names, cut from the end of a term ("AI system in the OECD text")."""
    if _OTHER_ASK.match(question) or _CHANGE.search(asked_part(question)):
        return ""
    quoted = _QUOTED.search(question)
    matches = [quoted] if quoted and _ABOUT_MEANING.search(question) else []
    for m in matches + [p.match(question) for p in _QUESTIONS]:
        if m is None:
            continue
        term = " ".join(m.group("term").split())
        for name in sorted(doc_names, key=len, reverse=True):
            term = re.sub(rf"\s+(?:of\s+)?(?:the\s+)?{re.escape(name)}$", "", term, flags=re.I)
            term = re.sub(rf"^(?:the\s+)?{re.escape(name)}(?:'s|’s)?\s+", "", term, flags=re.I)
        head = re.sub(r"^the\s+", "", term.lower()).split()[0]
        if head in _VAGUE_HEADS or len(term.split()) > 5:
            return ""
        return term
    return ""


@lru_cache(maxsize=256)  # one term is matched against each of ~40 candidates
def definition_pattern(term: str) -> re.Pattern[str]:
    """A sentence that defines `term`: quoted or labelled, then "means", "shall mean", ":" or "refers to …
    as"; a plural or a capital does not matter."""
    # "AI system" is also "artificial intelligence system", as the Council of Europe convention writes it.
    words = r"[\s-]+".join(
        r"(?:AI|artificial\s+intelligence)" if w.lower() == "ai" else re.escape(w) for w in term.split()
    )
    quoted = rf"[‘'\"“]{words}s?[’'\"”]"
    return re.compile(
        rf"{quoted}\s+(?:shall\s+)?means?\b"
        # Japan's AI Guidelines list their terms as "##" / "- AI developer" / the definition's paragraph
        rf"|(?:^|\n)#{{1,6}}[ \t]*\n{_term_line(words)}(?:\n|$)"
        rf"|(?:^|[\s‒–-]){words}s?:\s+(?:(?:an?|the)\s+)?{words}\b"
        rf"|\brefers?\s+to\s+(?:an?\s+|the\s+)?{words}s?\s+as\b"
        # "In the context of the AI RMF, risk refers to the composite measure…" (NIST)
        rf"|(?:^|[,;:]\s+){words}\s+refers\s+to\b",
        re.I,
    )


# The characters that re.IGNORECASE folds onto ASCII letters ("ſ" onto "s"): a text holding one is left
# to the pattern, since a lower-cased substring test could miss the term in it.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


@lru_cache(maxsize=256)
def _needle(term: str) -> str:
    """The term's longest ASCII word, lower-cased, other than "AI" (which the pattern also spells out)."""
    words = [w.lower() for w in term.split() if w.isascii() and w.lower() != "ai"]
    return max(words, key=len, default="")


def defines(text: str, term: str) -> bool:
    if not term:
        return False
    # Every shape of the pattern names the term, so a text without its longest word defines nothing: the
    # substring test spares the pattern's search over whole passages (~0.1 ms each, for up to ~60
    # candidates a definition question: 7 ms of its answer).
    needle = _needle(term)
    if needle and needle not in text.lower() and (text.isascii() or not _FOLDS_TO_ASCII.search(text)):
        return False
    return bool(definition_pattern(term).search(text))


ENTRY_SENTENCES = 2  # "Business operators who develop AI systems (…). They develop AI models as well as…"


def _term_line(words: str) -> str:
    """A bullet line that holds only the term, perhaps with its short form: "- AI model (ML model)"."""
    return rf"[ \t]*[-•][ \t]*{words}s?(?:[ \t]*\([^)\n]{{1,40}}\))?[ \t]*"


@lru_cache(maxsize=256)
def _entry_pattern(term: str) -> re.Pattern[str]:
    words = r"[\s-]+".join(re.escape(w) for w in term.split())
    return re.compile(rf"^{_term_line(words)}$", re.I)


def entry_definition(sentences: list[str], term: str) -> list[int]:
    """In a glossary laid out as "##" / "- TERM" / its paragraph, the indexes of the term's first two
    definition sentences (the term line names it, the sentences after it define it); [] when absent."""
    for i, text in enumerate(sentences[1:-1], start=1):
        if sentences[i - 1].strip().strip("#") == "" and _entry_pattern(term).match(text.strip()):
            after: list[int] = []
            for j in range(i + 1, min(i + 1 + ENTRY_SENTENCES, len(sentences))):
                if sentences[j].lstrip().startswith(("#", "- ", "• ")):  # the next entry
                    break
                after.append(j)
            return after
    return []
