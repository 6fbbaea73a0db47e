"""The names a question mentions ("China's Interim Measures", "SB 1047", "July 2023"), and which of
them no passage found holds: a signal for abstention (rag/reader/answerability.py) and a warning to the
reader ("the corpus does not mention Replika")."""

from __future__ import annotations

import re
from functools import lru_cache

from rag.core.models import Source
from rag.evidence import Evidence
from rag.text.acronyms import spelled_out_initials
from rag.text.tokenize import tokenize

# When none of the retrieved passages mentions a name the question asks about, the corpus is silent on
# it however similar the rest of the passage is: a strong abstention signal that a bi-encoder score alone
# misses.
_NUM = r"\d[\d,/\-]*(?:\.\d+)*"
_ENTITY = re.compile(
    rf"(?:(?<=\s)|^)((?:[A-Z][\w’'\-]*|{_NUM})(?:\s+(?:of|and|for|on|de|the)?\s*(?:[A-Z][\w’'\-]*|{_NUM}))*)"
)
_NOT_ENTITY = set(
    "what which when where who whom whose why how does do did is are was were can could should will would "
    "must shall has have had "
    "according in on under the a an and or of for to by from with as at ai given if since after before "
    "besides apart beyond so also please "
    # Capitalised only by opening the sentence: "Say a country ratifies…", "Anything else…?"
    "say suppose imagine assume tell explain describe anything anyone something someone everything "
    "nothing okay ok hey hi hello just honestly basically really actually maybe wait sorry thanks".split()
)


# What may close a sentence or clause before the next opens with a capital: "I run an HR software
# company. Are CV-screening tools high-risk…?" is asked by "Are", which names nothing.
_OPENS_AFTER = re.compile(r"(?:^|[.?!:;—–(\"“]|\s-)\s*$")


def question_entities(question: str) -> list[str]:
    out = []
    words = question.strip()
    for m in _ENTITY.finditer(words):
        phrase = m.group(1).strip(" ,.?")
        if _OPENS_AFTER.search(words[: m.start(1)]):  # drop an opening question word, keep the rest
            first, _, rest = phrase.partition(" ")
            if first.lower() in _NOT_ENTITY:
                phrase = rest
        if _AI_COMPOUND.fullmatch(phrase):  # "AI-made", "AI-generated": capitalised by "AI", not a name
            continue
        toks = [t for t in tokenize(phrase) if t not in _NOT_ENTITY]
        if not toks:
            continue
        # "METI and MIC" names two bodies, each of which a passage may mention on its own ("MIC and METI");
        # "Standards and Technology" inside a longer name is not split, as its sides are not acronyms.
        pair = _ACRONYM_PAIR.fullmatch(phrase)
        out.extend(pair.groups() if pair else [phrase])
    return out


_ACRONYM_PAIR = re.compile(r"([A-Z][A-Z0-9]{1,7})\s+(?:and|&|or)\s+([A-Z][A-Z0-9]{1,7})")


_AI_COMPOUND = re.compile(r"AI-[a-z][\w\-]*")


def unmatched_entities(
    question: str,
    sources: list[Source],
    ignore: set[str],
    vocab: set[str] | frozenset[str] = frozenset(),
    evidence: Evidence | None = None,
) -> list[str]:
    """Names of the question that no single retrieved passage (with its heading path) mentions.

    Only multi-word names ("China's Interim Measures") and names the corpus never uses count: on the
    dev split, single common names (a minister, a city) missing from the top passages were as often
    paraphrase as silence, and abstaining on them cost more false abstentions than it saved.
    `evidence`: its sentences' tokens stand in for the passages' (tokenising five passages again
    for every question cost ~4 ms of the request).
    """
    source_tokens = [_passage_tokens(s, evidence) for s in sources]
    missing = []
    for phrase in question_entities(question):
        toks = _name_tokens(phrase, ignore)
        if not toks or any(toks <= st for st in source_tokens):
            continue
        toks -= spelled_out_initials(phrase, [s.text for s in sources])
        if not toks:
            continue
        if len(toks) >= 2 or (vocab and not toks <= vocab):
            missing.append(phrase)
    return missing


def missing_names_warnings(missing: list[str], vocab: set[str] | frozenset[str]) -> list[str]:
    """What to tell the reader about the names no passage found mentions. "The corpus does not mention"
    only when a word of the name is in no chunk at all: "Council of Europe" or "March 2024" missing from
    the passages found is no claim about the corpus."""
    absent = [n for n in missing if vocab and not _name_tokens(n, set()) <= vocab]
    unfound = [n for n in missing if n not in absent]
    rest = "the answer is on the rest of the question"
    return [
        *([f"the corpus does not mention {', '.join(absent)}; {rest}"] if absent else []),
        *([f"the passages found do not mention {', '.join(unfound)}; {rest}"] if unfound else []),
    ]


def _name_tokens(phrase: str, ignore: set[str]) -> set[str]:
    return {
        t
        for t in tokenize(phrase)
        if t not in ignore and t not in _NOT_ENTITY and "_" not in t and len(t) > 2
    }


def _passage_tokens(src: Source, evidence: Evidence | None) -> set[str]:
    sents = evidence.sentences.get(src.n, []) if evidence is not None else []
    if not sents or not any(s.tokens for s in sents):
        return set(tokenize(f"{src.title} {src.section} {src.date} {src.text}"))
    return set().union(*(s.tokens for s in sents)) | _header_tokens(f"{src.title} {src.section} {src.date}")


@lru_cache(maxsize=8192)
def _header_tokens(header: str) -> frozenset[str]:
    return frozenset(tokenize(header))
