"""Extractive answers: no LLM, deterministic, built from verbatim quotes with [n] citations.

It picks the evidence sentences that answer the question's type — a date for "when", a number for
"how many", the list items for "which/what are" — and composes a short direct answer from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rag.answerers.clause_labels import clause_levels, find_labelled
from rag.answerers.neighbours import MAX_LIST_ITEMS, antecedent, continuation, lead_in, list_items
from rag.core.models import ChatTurn, Source
from rag.evidence import Evidence, ScoredSentence, has_date, has_quantity, query_terms
from rag.reader.features import quotable
from rag.reader.question import ENUMERATION, question_type
from rag.references.definitions import defines, entry_definition
from rag.references.document_date import own_dated_sentence
from rag.references.own_statements import StatementAsked, own_statements
from rag.references.penalties import PENALTY_ASKED, mention_of, sets_penalty
from rag.references.pinpoint import pinpoint
from rag.references.unit_titles import with_unit_title
from rag.text.clauses import PATH_SEPARATOR
from rag.text.headings import is_heading
from rag.text.sentences import sentence_spans
from rag.text.tokenize import tokenize

# Up to CORE_SENTENCES quotes join at READER_EXTRA_SHARE; a fourth and fifth only at LATE_SHARE of the
# best probability. Swept on dev (stop 34; users accuracy, quotes an answer, gold citation precision): at
# most 3: 0.604, 3.04, 0.520; 5 at LATE_SHARE 0.5: 0.615, 3.21, 0.522; 0.3: 0.630, 3.52, 0.511; at most 4
# at 0.1: 0.638, 3.66, 0.510; 5 at 0.1: 0.661, 4.23, 0.488. More quotes find more answers and dilute the
# answer; 0.3 keeps the quotes the reader ranks near the best, at half a quote more an answer.
MAX_SENTENCES = 5
CORE_SENTENCES = 3
LATE_SHARE = 0.3
# A further sentence joins the answer when it scores this share of the best one.
RULES_EXTRA_SHARE = 0.8
# The reader's probabilities are spread wider than the rule scores: swept 0 / 0.1 / 0.2 / 0.35 / 0.5 / 0.7 on
# dev, accuracy (v1, user-style) 0.731, 0.348 / 0.712, 0.348 / 0.712, 0.355 / 0.692, 0.297 / 0.654, 0.268 /
# 0.654, 0.261. With the query adapter's features (2026-12-03, cross-fitted dev) 0.1 / 0.2 / 0.3 answered
# 74 / 71 / 68 of 138 (users) and 40 / 39 / 38 of 52 (v1), for 2.9 / 2.7 quotes an answer at 0.1 / 0.2.
READER_EXTRA_SHARE = 0.1
# The reader's further sentences need no word of the question: its probability already weighs coverage,
# and requiring a shared word too kept out a plain-language question's answer ("opt out of the parts" →
# "No other reservation may be made"). Dev 2026-12-05: users 0.571 → 0.592 for 2.78 → 3.02 quotes.
# A quote that brings the question's other words from another passage (see _complement): how deep in the
# reader's ranking it may come from, and the least share of the best probability it needs. Swept on dev
# (2026-12-03): depth 5/8/15 → users accuracy 0.399/0.413/0.420 for 2.75/2.86/2.93 quotes an answer.
COMPLEMENT_DEPTH = 8
COMPLEMENT_SHARE = 0.1
# Quotes from each document a comparison names, its reader's best there first. Users dev (stop 42): one
# each, multi-hop 0.385; two each, 0.431 (3 gained, none lost anywhere), for 0.1 more quotes an answer
# (0.5 on multi-hop) and the same gold citation precision (0.503 / 0.502). The second quote is most often
# the governing one ("…marked in a machine-readable format" beside the EU's recital).
PER_DOCUMENT = 2


@dataclass
class Quote:
    text: str
    source_n: int
    start: int
    end: int


@dataclass
class ExtractiveResult:
    text: str
    quotes: list[Quote]


def _sentence_score(s: ScoredSentence, qtype: str, rank: int) -> float:
    score = s.coverage + 0.08 / rank  # earlier sources are more relevant
    if is_heading(s.text) and not (qtype == "date" and has_date(s.text)):
        return -1.0  # a heading answers nothing, except a dated title for "when was it adopted"
    if qtype == "date" and has_date(s.text):
        score += 0.35
    elif qtype == "number" and has_quantity(s.text):
        score += 0.25
    if len(s.text.split()) < 5:  # headings and stray labels answer nothing
        score -= 0.5
    return score


def _label(source: Source) -> str:
    # Split on the bare mark, so the spacing around it does not matter.
    parts = [p.strip() for p in source.section.split(PATH_SEPARATOR.strip()) if p.strip()]
    return PATH_SEPARATOR.join(parts) if parts else source.title


def _clause_sentences(evidence: Evidence, ref: str) -> list[ScoredSentence]:
    """The sentences of the clause-matched passage (source 1) that state the named unit."""
    sents = evidence.sentences.get(1, [])
    levels = clause_levels(ref)
    target = find_labelled(sents, levels) or (find_labelled(sents, levels[-1:]) if len(levels) > 1 else None)
    nist = re.match(r"^(govern|map|measure|manage)\s+([\d.]+)$", ref)
    if nist:
        pat = re.compile(rf"^\W*{nist.group(1)}\s+{re.escape(nist.group(2))}(?![\d.])", re.I)
        target = next((s for s in sents if pat.match(s.text)), None)
    if target is None:
        body = [s for s in sents if not is_heading(s.text) and len(s.text.split()) >= 5]
        if not body:
            return []
        target = body[0] if not levels else max(body, key=lambda s: s.coverage)
    picked = [target]
    lead = lead_in(target, evidence)
    if lead is not None:
        picked.insert(0, lead)
    if target.text.rstrip().endswith(":"):
        picked += list_items(target, evidence)
    return picked


def compose(
    question: str,
    evidence: Evidence,
    refs: tuple[str, ...] = (),
    ranked: list[tuple[float, ScoredSentence]] | None = None,
    named_docs: tuple[str, ...] = (),
    document_date: bool = False,
    defined_term: str = "",
    parts: Sequence[ScoredSentence] = (),
    dated: Sequence[ScoredSentence] = (),
    statement: StatementAsked | None = None,
) -> ExtractiveResult:
    """`ranked`: the reader's (probability, sentence) pairs, best first; None scores by hand-set rules.
    `named_docs`: documents the question names; with two or more, each gets its best quote.
    `document_date`: it asks when the named document came about (rag/references/document_date.py).
    `defined_term`: it asks what this term means (rag/references/definitions.py).
    `parts`: each part's best sentence, for a question in parts (rag/question_parts.py): each is quoted.
    `dated`: the dated statements of the texts quoted for a date question (rag/document_dates.py).
    `statement`: what it asks the named texts say of themselves (rag/references/own_statements.py)."""
    qtype = question_type(question)
    by_n = {src.n: src for src in evidence.sources}
    if evidence.clause_match and refs and evidence.sources:
        picked = _clause_sentences(evidence, refs[0])
        if picked:
            quotes = [_quote(s) for s in picked + _new_dated(dated, picked, by_n)]
            return ExtractiveResult(text=_render(quotes, by_n, evidence), quotes=quotes)

    by_reader = ranked is not None
    if ranked is None:
        ranked = [
            (_sentence_score(s, qtype, src.n), s)
            for src in evidence.sources
            for s in evidence.sentences.get(src.n, [])
        ]
        ranked.sort(key=lambda x: (-x[0], x[1].source_n, x[1].position))
    else:  # a heading, a stray label or a citation (probability 0, see answer_mask) is no answer, except
        # a heading that dates the text for a date question ("## Resolution adopted … on 21 March 2024")
        ranked = [(p, s) for p, s in ranked if quotable(p, s.text, qtype)]
    pinned = _pinned_statement(evidence, document_date, defined_term)
    if pinned:
        quotes = [_quote(s) for s in pinned]
        return ExtractiveResult(text=_render(quotes, by_n, evidence), quotes=quotes)
    if not ranked:
        return ExtractiveResult(text="", quotes=[])
    if qtype == "list" and by_reader:
        ranked = _lists_first(ranked)
    best_score, best = ranked[0]
    if best_score <= 0:
        return ExtractiveResult(text="", quotes=[])
    best = _penalty_clause(question, refs, evidence) or best
    stated = own_statements(evidence, named_docs, statement)
    best = stated[0] if stated else best

    picked = [best]
    # a text's statement of itself stands alone ("• Recommendations … are not legally binding." needs no
    # "They are presented in five categories:")
    lead = None if stated else lead_in(best, evidence) or antecedent(best, evidence)
    if lead is not None:
        picked.insert(0, lead)
    items = list_items(best, evidence) if qtype == "list" or best.text.rstrip().endswith(":") else []
    picked += items
    if not items and (qtype in ("fact", "list") or stated):
        # a date, a figure or a statement goes on in the sentence after it, and so does a list given in
        # prose ("…for discussions on generative AI. These discussions could include topics such as…")
        picked += continuation(best, evidence)
    picked += [s for s in stated[1:] if not _overlaps(s, picked, by_n)]
    picked += _more_quotes(ranked, picked, by_n, qtype, by_reader)
    picked += _one_per_document(ranked, picked, by_n, named_docs)
    for s in parts:
        if not _overlaps(s, picked, by_n):
            picked.append(s)
    if by_reader and not parts:
        picked += _complement(ranked, picked, evidence.query_terms, by_n)
    picked += _new_dated(dated, picked, by_n)

    # A text's own date follows the lead quote it dates, not the answer's last line.
    dates = {id(s) for s in dated}
    picked.sort(key=lambda s: (0, 2) if id(s) in dates else _answer_order(s, best, lead))
    quotes = [_quote(s) for s in picked]
    return ExtractiveResult(text=_render(quotes, by_n, evidence), quotes=quotes)


def _new_dated(
    dated: Sequence[ScoredSentence], picked: list[ScoredSentence], by_n: dict[int, Source]
) -> list[ScoredSentence]:
    """The dated lines not quoted yet; a clause asked by name gets them too ("when does Article 50
    apply?": the clause, then the line of the law's staging that covers it)."""
    return [s for s in dated if not _overlaps(s, picked, by_n) and not _repeats(s, picked)]


def _more_quotes(
    ranked: list[tuple[float, ScoredSentence]],
    picked: list[ScoredSentence],
    by_n: dict[int, Source],
    qtype: str,
    by_reader: bool,
) -> list[ScoredSentence]:
    """The further sentences that score near enough to the best one, up to the answer's length."""
    share = READER_EXTRA_SHARE if by_reader else RULES_EXTRA_SHARE
    best_score = ranked[0][0]
    limit = MAX_LIST_ITEMS if qtype == "list" else MAX_SENTENCES if by_reader else CORE_SENTENCES
    more: list[ScoredSentence] = []
    for score, s in ranked[1:]:
        if len(picked) + len(more) >= limit:
            break
        need = share if len(picked) + len(more) < CORE_SENTENCES or qtype == "list" else LATE_SHARE
        if (
            score >= need * best_score
            and (by_reader or s.coverage > 0)  # see READER_EXTRA_SHARE
            and not _overlaps(s, [*picked, *more], by_n)
            and not _repeats(s, [*picked, *more])
            and not is_heading(s.text)
        ):
            more.append(s)
    return more


def _pinned_statement(evidence: Evidence, document_date: bool, defined_term: str) -> list[ScoredSentence]:
    """What the pinned source 1 was pinned for: the document's own dated statement (unless it dates an
    amendment), or the definition of the term with its items. Empty when neither applies or is found."""
    if not (evidence.clause_match and evidence.sources and (document_date or defined_term)):
        return []
    src = evidence.sources[0]
    sents = evidence.sentences.get(src.n, [])
    if document_date:
        own = own_dated_sentence(sents, src.date)
        return [own] if own is not None else []
    found = next((s for s in sents if defines(s.text, defined_term)), None)
    if found is None:
        return [sents[i] for i in entry_definition([s.text for s in sents], defined_term)]
    return [found, *(list_items(found, evidence) if found.text.rstrip().endswith(":") else [])]


def _penalty_clause(question: str, refs: tuple[str, ...], evidence: Evidence) -> ScoredSentence | None:
    """For "the fine for breaching Article 50?", the penalty provision's sentence citing it ("(g) … pursuant
    to Article 50", led in by 99(4)'s fine), not the reader's pick of another paragraph (99(3))."""
    mention = mention_of(refs[0]) if refs and PENALTY_ASKED.search(question) else None
    if mention is None:
        return None
    for src in evidence.sources:
        if sets_penalty(src.text):
            found = next((s for s in evidence.sentences.get(src.n, []) if mention.search(s.text)), None)
            if found is not None:
                return found
    return None


def _answer_order(s: ScoredSentence, best: ScoredSentence, lead: ScoredSentence | None) -> tuple:
    """The best sentence leads (after the sentence that introduces it), then what follows it in its
    passage (its list items, its continuation), then the rest by passage and position: an answer whose
    point came third, after two sentences of context, read as a wrong answer."""
    if s is lead:
        return (0, 0)
    if s is best:
        return (0, 1)
    if s.source_n == best.source_n and s.position > best.position:
        return (1, s.position)
    return (2, s.source_n != best.source_n, s.source_n, s.position)


def _lists_first(ranked: list[tuple[float, ScoredSentence]]) -> list[tuple[float, ScoredSentence]]:
    """A "which/what are…" question is answered by the sentence that lists the items: among the reader's
    top three, the first that enumerates or introduces a list leads ("…four functions: GOVERN, MAP…"
    rather than "It describes four specific functions")."""
    for i, (_, s) in enumerate(ranked[:3]):
        if ENUMERATION.search(s.text) or s.text.rstrip().endswith(":"):
            return [ranked[i], *ranked[:i], *ranked[i + 1 :]] if i else ranked
    return ranked


def _one_per_document(
    ranked: list[tuple[float, ScoredSentence]],
    picked: list[ScoredSentence],
    by_n: dict[int, Source],
    named_docs: tuple[str, ...],
) -> list[ScoredSentence]:
    """A comparison ("does the EU force me…, or is that just the G7 code?") is answered by PER_DOCUMENT
    quotes from each document it names, not three from whichever document ranked first."""
    if len(named_docs) < 2:
        return []
    extra: list[ScoredSentence] = []
    for doc_id in named_docs:
        have = sum(by_n[s.source_n].doc_id == doc_id for s in picked)
        for _, s in ranked:
            if have >= PER_DOCUMENT:
                break
            if by_n[s.source_n].doc_id == doc_id and not _overlaps(s, [*picked, *extra], by_n):
                extra.append(s)
                have += 1
    return extra


def _complement(
    ranked: list[tuple[float, ScoredSentence]],
    picked: list[ScoredSentence],
    terms: Sequence[str],
    by_n: dict[int, Source],
) -> list[ScoredSentence]:
    """The other half of a two-part question: among the reader's next few sentences from passages not yet
    quoted, the one naming most of the question's words that no picked quote names ("…high-risk providers,
    and the general-purpose model makers?" gets Article 73's 15 days and Article 55's "without undue
    delay"). On dev (2026-12-03) it lifted accuracy from 0.377 to 0.413 (users) and 0.731 to 0.750 (v1)
    for 0.2 more quotes an answer; a second retrieval for the unnamed words found the missing passage
    for only 12 of 80 missing facts, so the reader's own ranking is searched instead."""
    missing = set(terms).difference(*(s.tokens for s in picked))
    if not missing or not ranked:
        return []
    floor = COMPLEMENT_SHARE * ranked[0][0]
    quoted = {s.source_n for s in picked}
    best, best_new = None, 0
    for p, s in ranked[1:COMPLEMENT_DEPTH]:
        if p < floor or s.source_n in quoted or _overlaps(s, picked, by_n):
            continue
        new = len(missing & s.tokens)
        if new > best_new:
            best, best_new = s, new
    return [best] if best is not None else []


def _quote(s: ScoredSentence) -> Quote:
    """A verbatim span; markdown heading marks are left out by moving the start, not by rewriting."""
    stripped = s.text.lstrip("#").lstrip()
    return Quote(stripped, s.source_n, s.start + (len(s.text) - len(stripped)), s.end)


def _overlaps(s: ScoredSentence, picked: list[ScoredSentence], by_n: dict[int, Source]) -> bool:
    """It shares characters with a picked sentence (passages overlap). Offsets count within a document, so
    another document's sentence at the same offsets is no overlap: it used to be, and was dropped."""
    doc = by_n[s.source_n].doc_id
    return any(by_n[p.source_n].doc_id == doc and s.start < p.end and p.start < s.end for p in picked)


_WORDS = re.compile(r"\w+")


def _repeats(s: ScoredSentence, picked: list[ScoredSentence]) -> bool:
    """It says word for word what a picked sentence says: the G7 guiding principles and code of conduct
    share whole sentences, and an answer quoted the same sentence from each, in place of a third point."""
    words = _WORDS.findall(s.text.lower())
    return any(_WORDS.findall(p.text.lower()) == words for p in picked)


def _render(quotes: list[Quote], by_n: dict[int, Source], evidence: Evidence) -> str:
    """One line a quote; a quote from another source or another point than the line above is labelled."""
    lines: list[str] = []
    last = None
    for q in quotes:
        quote = q.text.strip()
        label = _point_label(q, by_n[q.source_n], evidence)
        if (q.source_n, label) != last:
            lines.append(f"{label}: “{quote}” [{q.source_n}]")
        else:
            lines.append(f"“{quote}” [{q.source_n}]")
        last = (q.source_n, label)
    return "\n".join(lines)


def _point_label(quote: Quote, source: Source, evidence: Evidence) -> str:
    """The source's label narrowed to the point that holds the quote ("Article 2(10)", not "8–12")."""
    before = [s.text for s in evidence.sentences.get(quote.source_n, []) if s.end <= quote.start]
    narrowed = pinpoint(source.section, before, quote.text) if source.section else ""
    label = _label(source.model_copy(update={"section": narrowed})) if narrowed else _label(source)
    return with_unit_title(label, source.titled_section)


class ExtractiveAnswerer:
    """The Answerer contract for callers that have only sources (no scored evidence)."""

    name = "extractive"

    def stream(
        self, question: str, sources: Sequence[Source], history: Sequence[ChatTurn] = ()
    ) -> Iterator[str]:
        terms = query_terms(question)
        total = len(terms) or 1
        evidence = Evidence(sources=list(sources), query_terms=terms)
        for src in sources:
            spans = sentence_spans(src.text)
            evidence.sentences[src.n] = [
                ScoredSentence(
                    src.text[a:b],
                    src.start + a,
                    src.start + b,
                    src.n,
                    len(set(terms) & set(tokenize(src.text[a:b]))) / total,
                    i,
                )
                for i, (a, b) in enumerate(spans)
            ]
        yield compose(question, evidence).text

    def condense(self, question: str, history: Sequence[ChatTurn]) -> str:
        from rag.condense import rewrite_followup

        return rewrite_followup(question, history)
