"""When a provision applies: a law that applies in stages answers "when does <it> apply?" in one article.

"From when does that ban apply?" asked of Article 5 of the AI Act is answered by Article 113(a), "Chapters
I and II shall apply from 2 February 2025": a sentence that shares no word with the question beyond
"apply", about a chapter the question never names. The search finds the ban, not that line, and the
reader declined the question for want of a date (users dev u-fu-586, v1 q086). So the text's own staging
is read from its "shall apply from <date>" sentences: each names the chapters, sections and articles it
covers (and the articles it leaves out), and one ("It shall apply from 2 August 2026.") covers the rest.
The provision the answer leads with is placed in that staging by its section path (Chapter II › Article 5),
and the line that covers it is quoted beside it. A recital is no provision: it applies as nothing.

Written by hand: no retriever knows that a law's chapter structure decides which of its sentences dates a
provision; the staging is read from the text itself, so another instrument staged the same way is read too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rag.core.models import Filters

if TYPE_CHECKING:
    from rag.evidence import Evidence, EvidenceSelector, ScoredSentence
    from rag.reader.reader import Reader, Reading
    from rag.retrieval import Searcher

# "from when does that ban apply?", "when do the high-risk rules actually kick in?", "from what date is
# that enforced?", "when does Article 50 start to apply?"
ASKS_APPLICATION = re.compile(
    r"\b(?:when|from what date|what date|which date|by when|how soon)\b[^?]{0,120}?"
    r"\b(?:appl(?:y|ies)|applicable|kicks? in|enforced|enforceable|take effect|takes effect"
    r"|start(?:s|ing)? (?:to apply|applying)|become(?:s)? (?:binding|applicable)"
    r"|come into (?:effect|application))\b",
    re.I,
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = rf"\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}"
_APPLIES_FROM = re.compile(
    rf"^\W*(?:\([a-z]\)\s*)?(?P<scope>.+?)\s+shall apply from\s+(?P<date>{_DATE})"
    r"(?P<rest>[^.;]*)",
    re.I,
)
_DEFAULT_SCOPE = re.compile(r"^(?:it|this regulation|this convention)$", re.I)
_SCOPE_TOKEN = re.compile(r"Chapters?|Sections?|Articles?|\b[IVXLC]+\b|\b\d+(?:\(\d+\))?")
_SCOPE_KIND = re.compile(r"^(?:Chapter|Section|Article)s?$")
_SOURCE_CHAPTER = re.compile(r"\bChapter ([IVXLC]+)\b")
_SOURCE_SECTION = re.compile(r"\bSection (\d+)\b")
_SOURCE_ARTICLE = re.compile(r"\bArticle (\d+)(?: › (\d+))?")
_STAGE_QUERY = "shall apply from"
LEAD_QUOTES = 3
_STAGE_POOL = 8  # passages of the text read for its staging: the article and its neighbours


@dataclass(frozen=True)
class Stage:
    date: str
    default: bool = False
    chapters: frozenset[str] = frozenset()
    sections: frozenset[tuple[str, str]] = frozenset()
    articles: frozenset[str] = frozenset()  # "78", or "6(1)" for one paragraph
    except_articles: frozenset[str] = frozenset()


def parse_stage(sentence: str) -> Stage | None:
    """The stage a "<scope> shall apply from <date>" sentence sets; None for any other sentence, or a
    scope that names no chapter, section or article ("the obligations … shall apply from" a date of
    another act's)."""
    found = _APPLIES_FROM.search(sentence)
    if found is None:
        return None
    scope, date = found.group("scope").strip(), found.group("date")
    if _DEFAULT_SCOPE.match(scope):
        return Stage(date=date, default=True)
    chapters, articles = set(), set()
    sections: set[tuple[str, str]] = set()
    kind, chapter = "", ""
    for token in _SCOPE_TOKEN.findall(scope):
        if (
            token[0].isalpha() and token[0].isupper() and len(token) > 4
        ):  # Chapter(s) / Section(s) / Article(s)
            kind = token.lower().rstrip("s")
        elif kind == "chapter":
            chapter = token
            chapters.add(token)
        elif kind == "section" and chapter:
            chapters.discard(chapter)  # "Chapter III Section 4": that section only
            sections.add((chapter, token))
        elif kind == "article":
            articles.add(token)
    if not (chapters or sections or articles):
        return None
    excepted = (
        re.findall(r"\bArticles? (\d+)", found.group("rest")) if "exception" in found.group("rest") else []
    )
    return Stage(
        date=date,
        chapters=frozenset(chapters),
        sections=frozenset(sections),
        articles=frozenset(articles),
        except_articles=frozenset(excepted),
    )


def stage_for(section: str, stages: Sequence[Stage]) -> Stage | None:
    """The stage that covers the provision at this section path ("EU AI Act › Chapter II › Article 5 ›
    1(d)–(g)"): an article named by a stage first, then its section, then its chapter, else the default.
    None for what is no article (a recital, an annex: staged by what refers to them)."""
    article = _SOURCE_ARTICLE.search(section)
    if article is None:
        return None
    number, paragraph = article.group(1), article.group(2)
    chapter = (_SOURCE_CHAPTER.search(section) or [None, ""])[1]
    part = (_SOURCE_SECTION.search(section) or [None, ""])[1]
    live = [s for s in stages if number not in s.except_articles]
    # "Article 6(1) … shall apply from 2 August 2027" stages one paragraph; Article 6 as a whole is not.
    named = {number, f"{number}({paragraph})" if paragraph else number}
    for fits in (
        lambda s: bool(named & s.articles),
        lambda s: (chapter, part) in s.sections,
        lambda s: chapter in s.chapters,
        lambda s: s.default,
    ):
        found = next((s for s in live if fits(s)), None)
        if found is not None:
            return found
    return None


@dataclass
class Applies:
    """The line that dates when the answer's provision applies, in `evidence` (with its passage added)."""

    evidence: Evidence
    sentence: ScoredSentence | None = None


def application_line(
    question: str,
    evidence: Evidence,
    ranked: Sequence[ScoredSentence],
    searcher: Searcher,
    selector: EvidenceSelector,
    filters: Filters | None = None,
) -> Applies:
    """For a when-does-it-apply question, the sentence of the leading provision's text that says when that
    provision applies, added to the evidence; the evidence unchanged when the question asks otherwise, no
    quoted provision is an article, or its text is not staged."""
    if not ASKS_APPLICATION.search(question):
        return Applies(evidence)
    by_n = {src.n: src for src in evidence.sources}
    # The provision the answer leads with: an article among the best three quotes. A recital leading ("(31)
    # AI systems providing social scoring…") names no provision, and the line is not guessed for it.
    leads = [
        by_n[s.source_n] for s in ranked[:LEAD_QUOTES] if _SOURCE_ARTICLE.search(by_n[s.source_n].section)
    ]
    if not leads:
        return Applies(evidence)
    doc = leads[0].doc_id  # within the filters already: the evidence is
    within = (filters or Filters()).model_copy(update={"doc_ids": [doc]})
    own = selector.select(_STAGE_QUERY, searcher.search(_STAGE_QUERY, filters=within), _STAGE_POOL)
    lines: list[tuple[Stage, int, int]] = []  # (stage, source n in `own`, sentence position)
    for src in own.sources:
        for s in own.sentences.get(src.n, []):
            stage = parse_stage(s.text)
            if stage is not None:
                lines.append((stage, src.n, s.position))
    stages = [stage for stage, _, _ in lines]
    if not any(stage.default for stage in stages):  # a text staged only in part is not read as staged
        return Applies(evidence)
    # The staging article itself dates nothing: its "It shall apply from…" quoted first is the answer.
    staging = {src.chunk_id for src in own.sources if any(src.n == n for _, n, _ in lines)}
    lead = next((src for src in leads if src.doc_id == doc and src.chunk_id not in staging), None)
    stage = stage_for(lead.section, stages) if lead is not None else None
    if lead is None or stage is None:
        return Applies(evidence)
    _, n, position = next(line for line in lines if line[0] is stage)
    evidence, here = evidence.with_source(own, n)
    sentence = next(s for s in evidence.sentences[here] if s.position == position)
    return Applies(evidence, sentence)


def with_application_line(
    question: str,
    evidence: Evidence,
    reading: Reading,
    dated: list[ScoredSentence],
    searcher: Searcher,
    selector: EvidenceSelector,
    reader: Reader,
    filters: Filters | None = None,
) -> tuple[Evidence, Reading, list[ScoredSentence]]:
    """The chain's step: the staging line joins the dated quotes, and the date it gives is the date the
    reader found missing, so that reason to abstain is lifted."""
    ranked = [s for p, s in reading.ranked if p > 0]
    applies = application_line(question, evidence, ranked, searcher, selector, filters)
    if applies.sentence is None:
        return evidence, reading, dated
    if reading.missing_detail == "a date":
        rule = reader.model.abstention
        answers = rule.answers(reading.top_prob, reading.missing_share, reading.similarity, False)
        reading = replace(reading, answers=answers, missing_detail="")
    return applies.evidence, reading, [*dated, applies.sentence]
