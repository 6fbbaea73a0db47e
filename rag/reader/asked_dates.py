"""Dates asked for and not given: "what date…", "by what month…", "when did…", "what's the deadline…".

A near miss often asks the day of an event the corpus only mentions; its best sentence names the event
and gives no day, or a date of something else. rag/reader/answerability.py declines it with "a date".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.citations.facts import extract_facts
from rag.reader.subject import about, asked_words, on_subject, subject_names
from rag.references.document_date import states_date
from rag.text.months import MONTH_NAMES, month_number
from rag.text.tokenize import tokenize

# "what date / which day / the exact dates / is there a set date": a calendar day is asked for, not a year
# or a period ("when" is answered by "within 270 days" or "upon entry into force" as often as by a date).
_ASKED_DAY = re.compile(
    r"\b(?:what|which|exact|precise|set|specific)\s+(?:dates?|day)\b|\bdate (?:was|did|were|will)\b"
    # "what were the dates of…", "when does DICAS first meet, exactly?" (probes written blind, 2026-12-06)
    r"|\bthe dates? of\b|\bwhen\b[^?]*\bexact(?:ly)?\b"
    r"|\b(?:publication|release|launch|signing|opening|adoption|meeting|start) date\b"
    # "give me the date the Copyright Office is supposed to publish its study" (a third batch of probes)
    r"|\b(?:give|tell|get) me the (?:exact )?date\b"
    # "do you have the date?", "have they set a date for…": a noun asked for, not a
    # "when" that a condition answers (probes' dev halves, 2026-12-06)
    r"|\b(?:have|know|got) the (?:exact )?date\b|\bset (?:a|the) date\b",
    re.I,
)
# "what month / by what month / give me the month": a month is asked for, so "2020" in "the National AI
# Initiative Act of 2020" does not answer it, while "April 2023" does.
_ASKED_MONTH = re.compile(r"\b(?:what|which|the|by what)\s+month\b", re.I)


# "when was it signed / when did they meet": a past event has a date, if only a year; "when do the rules
# apply" may be answered by a condition, so it is not asked here. A translated question keeps only its
# "When", not its tense (rag/translate/translator.py).
_WHEN_PAST = re.compile(r"\bwhen (?:was|were|did)\b", re.I)
_WHEN_DEPTH = 5  # any date will do, so look further: the date may come in a later quote


# "what's the deadline / by when / due by / the timeline": a date or a period ("within 270 days", "by the end
# of this year", "fiscal year 2024"), given in a top-three sentence about what the question asks of. "We
# ask our Labor Ministers to develop the action plan" sets no deadline, and a meeting "on December 1, 2023"
# in the third sentence is not one (users dev u-nm-965).
# "when is the G7 supposed to roll out the brand?", "when will Japan publish the next version?": a date to
# come (probes written blind, 2026-12-06)
_ASKED_TO_COME = re.compile(
    r"\bwhen (?:is|are|will|does|do)\b[^?]{0,80}?\b(?:supposed to|going to|expected to|due|scheduled|set to"
    r"|planned|meant to|coming out)\b|^\W*when will\b",
    re.I,
)
_ASKED_DEADLINE = re.compile(
    rf"\b(?:deadlines?|due (?:date|by)|by when|by what (?:date|month|year)|timeline|timetable)\b"
    rf"|{_ASKED_TO_COME.pattern}",
    re.I,
)
_PERIOD = re.compile(
    r"\bwithin [\w-]+ (?:days|weeks|months|years)\b|\bby the end of\b|\bend of (?:the|this|that) year\b"
    r"|\bfiscal year\b|\b(?:no|not) later than\b"
    # "how fast do we have to report it?": a time limit counted from an event, "15 days after … becomes
    # aware", "immediately after" (fresh users dev, stop 55)
    r"|\b[\w-]+ (?:days|weeks|months|years) (?:after|from|following)\b|\bimmediately after\b",
    re.I,
)
_DEADLINE_WORDS = frozenset(tokenize("deadline deadlines due date timeline timetable when"))


def deadline_missing(question: str, top_sentences: Sequence[str]) -> bool:
    """A deadline question whose top three sentences give no date or period: in the best one, or in one
    about the question's subject (rag/reader/subject.py, `on_subject`) that gives it as a time limit."""
    if not _ASKED_DEADLINE.search(question) or not top_sentences:
        return False
    asked, names = asked_words(question, _DEADLINE_WORDS), subject_names(question, top_sentences[0])
    for i, sentence in enumerate(top_sentences[:3]):
        if i == 0:
            # any date of the best sentence, but one of what was done ("issued on…"); asked when a thing is
            # to come, not a date in a sentence that speaks only of the past: "Japan took the initiative … in
            # December 2023" does not say when the Guidelines' next version comes out (users dev u-nm-328).
            # Asked "by when?" of the past, the Hiroshima Summit's days may lead to its deadline (u-para-339).
            given = any(
                f.kind == "date" for f in extract_facts(_NAMED_YEAR.sub("", _DONE_ON.sub("", sentence)))
            )
            limit = _PERIOD.search(sentence) or _LIMIT_DATE.search(sentence)
            dated = limit or (given and (_TO_COME.search(sentence) or not _ASKED_TO_COME.search(question)))
        else:
            # after the best sentence, a date must be a time limit ("by 2 August 2026"), not a meeting's day:
            # "the Ministers' Meeting on December 1, 2023" sets no deadline for the labour ministers' action
            # plan (users dev u-nm-965)
            dated = _PERIOD.search(sentence) or _LIMIT_DATE.search(sentence)
        if dated and (i == 0 or on_subject(sentence, asked, names)):
            return False
    return True


# The day something was done is no deadline for what is still to come: "its interim report issued on 21
# December 2023, and looking forward to its final report" sets no date for the final one (the probes' dev
# half, pg1-027).
_DONE_ON = re.compile(
    r"\b(?<!be )(?:issued|adopted|published|released|signed|launched|presented|announced|held)\s+(?:on|in)\s+"
    r"[^,;.]{1,25}",
    re.I,
)
# Nor is a year in a text's name: "the National AI Initiative Act of 2020" (fresh users dev, stop 54).
_NAMED_YEAR = re.compile(
    r"\b(?:Act|Agenda|Order|Strategy|Plan|Vision|Programme|Program|Report|Declaration)\s+(?:of\s+)?(?:19|20)\d\d\b"
)
_TO_COME = re.compile(
    r"\b(?:will|shall|should|must|plans?|planned|expected|scheduled|to be|due|deadline|until|next|upcoming"
    r"|intends?|aims?|envisag\w*|foreseen|later|thereafter|following)\b",
    re.I,
)
_LIMIT_DATE = re.compile(
    r"\b(?:by|before|until|from|due|no later than)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|20\d\d)\b",
    re.I,
)


def date_missing(
    question: str,
    top_sentences: Sequence[str],
    translated: bool = False,
    titles: Sequence[str] = (),
    dates: Sequence[str] = (),
) -> bool:
    """A what-date (or what-month) question whose top three sentences give no day (or month) beyond the
    question's own, or a when-did question whose top five give no date at all beyond the question's own,
    or a deadline question whose top three give none about its subject."""
    day = bool(_ASKED_DAY.search(question))
    month = not day and bool(_ASKED_MONTH.search(question))
    when = bool(_WHEN_PAST.search(question)) or (translated and question.startswith("When"))
    if not (day or month or when) and not translated:
        return deadline_missing(question, top_sentences)
    if (
        not when
        and not translated
        and _ASKED_DEADLINE.search(question)
        and deadline_missing(question, top_sentences)
    ):
        # "by what date are the labour ministers supposed to deliver it?" asks a deadline too: a meeting's
        # day in the third sentence is none (fresh users dev, stop 53)
        return True
    if not (day or month or when) or not top_sentences:
        return False
    asked = {f.display for f in extract_facts(question) if f.kind == "date"}
    # A day is asked of what the question names: "the exact dates of the 2025 AI Action Summit" are not
    # the Hiroshima Summit's "May 19-21, 2023" (rag/reader/subject.py).
    names = subject_names(question, top_sentences[0], titles) if day and not translated else set()
    # After the best sentence, the date must be given in one that shares two of the question's words.
    # A translated question's names are lost with its word order ("What date … 2025 AI action holding?" is
    # not answered by the communiqué's own date; Japanese probes written blind, 2026-12-06). An English
    # one's names may be its text's, which every passage of that text is about: "the 2025 review of WSIS
    # progress" is not dated by a resolution of "25 July 2023" recalled beside it, so the texts' own title
    # words do not count (probes' dev halves, 2026-12-06).
    if translated:
        words = asked_words(question)
    elif day or month:
        words = asked_words(question, _DATE_WORDS) - {t for title in titles for t in tokenize(title)}
    else:
        words = set()
    precise = _is_day if day else _has_month if month else None
    for i, sentence in enumerate(top_sentences[: 3 if day or month else _WHEN_DEPTH]):
        # A text's statement of its own date (`dates`: the passages' texts' dates) is about that text, which
        # the question names by the title words left out above: "What date does the AI Act itself carry?"
        # is answered by its heading's "of 13 June 2024" (dev q081).
        off = (
            words
            and i
            and not on_subject(sentence, words, set())
            and not any(states_date(sentence, iso) for iso in dates)
        )
        if not about(sentence, names, every=True) or off:
            continue
        for fact in extract_facts(sentence):
            if (
                fact.kind == "date"
                and fact.display not in asked
                and (precise is None or precise(fact.display))
            ):
                return False
    return True


_DATE_WORDS = frozenset(tokenize("date dates day days month exact exactly precise specific set when"))


def _has_month(display: str) -> bool:
    """ "April 2023", "21 March 2024" or "2024-06-13", not "2020"."""
    return _is_day(display) or any(m.lower() in display.lower() for m in MONTH_NAMES)


def _is_day(display: str) -> bool:
    """ "21 March 2024", "September 7" or "2024-06-13", not "2025" or "October 2023"."""
    digits = re.findall(r"\d+", display)
    return any(len(d) <= 2 for d in digits) or "-" in display


# "Did the AI Office actually get the code finished by the May 2025 deadline?", "has it met yet?": whether
# something came about, by a date.
_DID_IT_HAPPEN = re.compile(
    r"\b(?:did|has|have|had|was|were)\b[^?]*?\b(?:actually|really|end(?:ed)? up|manage[sd]?|finish\w*"
    r"|complet\w*|done|met|meet|happen\w*|succeed\w*)\b",
    re.I,
)


def happened_after(question: str, source_dates: Sequence[str]) -> str:
    """The date a did-it-happen question asks by (as written), when it falls after the month of every
    passage's text (`source_dates`, ISO "2024-06-13" or "2024-04"): a text cannot say whether its own
    deadline was met (probes' dev halves, 2026-12-06: the AI Act's 2 May 2025 for codes of practice).
    "" otherwise. A year alone is taken at its January, so "by 2024" is never after a 2024 text."""
    if not source_dates or not _DID_IT_HAPPEN.search(question):
        return ""
    written = [_month_of_iso(d) for d in source_dates]
    if None in written:  # an undated text may be newer than anything asked
        return ""
    newest = max(written)
    for fact in extract_facts(question):
        asked = _month_of(fact.display) if fact.kind == "date" else None
        if asked is not None and asked > newest:
            return fact.display
    return ""


def _month_of(display: str) -> tuple[int, int] | None:
    """(year, month) of "2 May 2025", "May 2025" or "2025" (January)."""
    year = re.search(r"\b(19|20)\d\d\b", display)
    if year is None:
        return None
    month = next((month_number(w) for w in re.findall(r"[A-Za-z]+", display) if month_number(w)), 1)
    return int(year.group(0)), month


def _month_of_iso(date: str) -> tuple[int, int] | None:
    found = re.match(r"(\d{4})(?:-(\d{2}))?", date or "")
    return (int(found.group(1)), int(found.group(2) or 12)) if found else None
