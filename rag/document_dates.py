"""A date question answered by a text that is itself the event: the answer quotes that text's own date.

"When did the G7 leaders first back the Institutional Arrangement for Partnership?" is answered by the
Hiroshima communiqué's "we endorse … the establishment of the Institutional Arrangement for Partnership",
a sentence with no date: the date is the communiqué's own, in its title line ("G7 Hiroshima Leaders'
Communiqué (20 May 2023)"), which no search for the question ranks. Likewise "how old was NIST's
framework at that point?" is answered by the framework's own date. So when a "when" question's best
quotes from such a text do not state its date, the text's dated statement is found as "When was <its name>
issued?" finds it (rag/references/document_date.py) and quoted beside them.

Only texts dated by their own event (a statement, a communiqué, a resolution, a fact sheet, an executive
order), or any text when the question compares dates ("before or after", "how old", "how long after"):
"When does the AI Act's ban apply?" is not answered by the day the Act was signed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.evidence import Evidence, EvidenceSelector, ScoredSentence, has_date
from rag.reader.features import quotable
from rag.reader.question import COMPARES_DATES, question_type
from rag.references.application import with_application_line
from rag.references.document_date import own_dated_sentence, states_date
from rag.text.months import MONTH_PATTERN, month_number

if TYPE_CHECKING:
    from rag.core.models import Filters
    from rag.reader.reader import Reader, Reading
    from rag.references.documents import DocAlias
    from rag.retrieval import Searcher

_EVENT_TEXT = re.compile(
    r"\b(?:statement|communiqu[eé]|resolution|fact sheet|declaration|executive order)\b", re.I
)
# The reader's best quotable sentences whose documents are looked at: the answer leads with them. A
# question comparing two texts' dates looks further: the two best may both come from one of them ("how old
# was NIST's framework when Biden signed his order?" led with two quotes of the order).
TOP_QUOTES = 2
TOP_QUOTES_COMPARED = 4
MAX_DATED = 2


def dated_quotes(
    question: str,
    evidence: Evidence,
    reading: Reading | None,
    parts: Sequence[ScoredSentence],
    searcher: Searcher,
    selector: EvidenceSelector,
    reader: Reader | None,
    filters: Filters | None = None,
) -> tuple[Evidence, Reading | None, list[ScoredSentence]]:
    """The evidence with the dated statements added, the reading, and those statements (at most
    MAX_DATED); for a when-does-it-apply question also the line of the law's staging that covers the
    provision quoted (rag/references/application.py), which may lift the reader's "no date given"."""
    if reading is None or reader is None:
        return evidence, reading, []
    evidence, found = _texts_dates(question, evidence, reading, parts, searcher, selector)
    return with_application_line(question, evidence, reading, found, searcher, selector, reader, filters)


def _texts_dates(
    question: str, evidence: Evidence, reading: Reading, parts: Sequence[ScoredSentence], searcher: Searcher,
    selector: EvidenceSelector,
) -> tuple[Evidence, list[ScoredSentence]]:  # fmt: skip
    """The evidence with the texts' own dated statements added, and those statements."""
    if evidence.clause_match:
        return evidence, []
    if question_type(question) != "date":
        return _premise_dates(question, evidence, reading, searcher, selector)
    compares = bool(COMPARES_DATES.search(question))
    doc_of = {src.n: src.doc_id for src in evidence.sources}
    top = [s for p, s in reading.ranked if quotable(p, s.text, "date")]
    top = top[: TOP_QUOTES_COMPARED if compares else TOP_QUOTES]
    quoted = [*top, *parts]
    docs = list(dict.fromkeys(doc_of[s.source_n] for s in quoted))
    if compares:  # each text the question names is dated, also one the reader's best quotes leave out
        docs = list(dict.fromkeys([*searcher.parse(question).doc_ids, *docs]))
    aliases = {a.doc_id: a for a in searcher.aliases}
    found: list[ScoredSentence] = []
    for doc in docs:
        alias = aliases.get(doc)
        if alias is None or not alias.date or not (compares or _EVENT_TEXT.search(alias.names[0])):
            continue
        own = [s for s in quoted if doc_of[s.source_n] == doc]
        # Its best quote dates something else ("the interim report of 21 December 2023") when it gives a
        # date: that is the answer, and the text's own date would be noise beside it.
        dated_quote = bool(own) and not compares and has_date(own[0].text)
        stating = next((s for s in own if states_date(s.text, alias.date)), None)
        if stating is not None and compares and stating not in top[:1]:
            # one of its best quotes states it, but the answer may not quote that one (its fourth best): a
            # comparison needs each text's date in the answer ("how old was NIST's framework when Biden
            # signed his order?" lost the order's date when a refit reader ranked its dated line fourth)
            found.append(stating)
        if dated_quote or stating is not None:
            if len(found) >= MAX_DATED:
                break
            continue
        evidence = _add_own_dated_statement(alias, evidence, found, searcher, selector)
        if len(found) >= MAX_DATED:
            break
    return evidence, found


def _premise_dates(
    question: str, evidence: Evidence, reading: Reading, searcher: Searcher, selector: EvidenceSelector
) -> tuple[Evidence, list[ScoredSentence]]:
    """A question that is not about a date but places its texts in time ("the code of conduct adopted at
    the Hiroshima summit in May 2023", "Biden's 2023 order"): each text the answer leads with whose date
    the question's dates miss, and that no quote dates, gets its own dated statement beside the answer,
    which then shows when it was issued (October 2023) instead of leaving the premise standing."""
    stated = stated_months(question)
    if not stated:
        return evidence, []
    doc_of = {src.n: src.doc_id for src in evidence.sources}
    top = [s for p, s in reading.ranked if quotable(p, s.text, "")][:TOP_QUOTES]
    aliases = {a.doc_id: a for a in searcher.aliases}
    found: list[ScoredSentence] = []
    for doc in dict.fromkeys(doc_of[s.source_n] for s in top):
        alias = aliases.get(doc)
        if alias is None or not alias.date or _dates_agree(stated, alias.date):
            continue
        if any(states_date(s.text, alias.date) for s in top if doc_of[s.source_n] == doc):
            continue
        evidence = _add_own_dated_statement(alias, evidence, found, searcher, selector)
        if len(found) >= MAX_DATED:
            break
    return evidence, found


_MONTH_YEAR = re.compile(rf"\b(?:({MONTH_PATTERN})\s+(?:\d{{1,2}},?\s+)?)?((?:19|20)\d\d)\b", re.I)


def stated_months(question: str) -> list[tuple[int, int]]:
    """The (year, month) the question states, month 0 for a bare year: "May 2023", "in 2024"."""
    return [(int(m[2]), month_number(m[1]) if m[1] else 0) for m in _MONTH_YEAR.finditer(question)]


def _dates_agree(stated: list[tuple[int, int]], iso: str) -> bool:
    """One of the question's dates is the text's own (its year, or its month of that year)."""
    parts = iso.split("-")
    year, month = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    return any(y == year and m in (0, month) for y, m in stated)


def _add_own_dated_statement(
    alias: DocAlias, evidence: Evidence, found: list[ScoredSentence], searcher: Searcher,
    selector: EvidenceSelector,
) -> Evidence:  # fmt: skip
    """The evidence with the text's own dated statement added (and appended to `found`), when it has one."""
    statement = _own_dated_statement(alias, searcher, selector)
    if statement is None:
        return evidence
    other, other_n, position = statement
    evidence, n = evidence.with_source(other, other_n)
    found.append(next(s for s in evidence.sentences[n] if s.position == position))
    return evidence


def _own_dated_statement(
    alias: DocAlias, searcher: Searcher, selector: EvidenceSelector
) -> tuple[Evidence, int, int] | None:
    """(evidence, source n, sentence position) of the text's first sentence that states its own date, as
    the question "When was <name> issued?" pins it; None when the text states none, or only an
    amendment's."""
    name = alias.names[1] if len(alias.names) > 1 else alias.names[0]
    query = f"When was the {name} issued?"
    if not searcher.parse(query).document_date:
        return None
    own = selector.select(query, searcher.search(query), 1)
    if not own.sources or own.sources[0].date != alias.date:  # a companion of the same day may state it
        return None
    src = own.sources[0]
    found = own_dated_sentence(own.sentences.get(src.n, []), alias.date)
    return None if found is None else (own, src.n, found.position)
