"""What a question names, and whether a sentence that gives the asked detail is about it.

The detail rules (rag/reader/answerability.py) look for a figure or a day in the best few sentences; a
near miss is often answered by one about something else that ranked third. When the best sentence names
what the question names ("Microsoft's $2.9B investment", "the 2025 AI Action Summit"), the sentence
that gives the detail must name it too: not FUJIFILM's "160 new jobs", not the Hiroshima Summit's "May
19-21, 2023". When the best sentence names none of it, nothing is required: "The text was adopted with
523 votes" answers for a text the best sentence missed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.text.months import MONTH_NAMES
from rag.text.tokenize import STOP_WORDS, tokenize

# A capitalised word after the question's first, with a lower-case letter or all in capitals: "Microsoft",
# "Action", "ASPIRE"; not "G7" (one capital), nor "AI", which every passage here names, nor a month.
_NAME_WORD = re.compile(r"(?<=[\s(“\"'])([A-Z][\w-]*[a-z][\w-]*|[A-Z]{2,}[\w-]*)")
_NOT_NAMES = frozenset({"ai", "i", *(m.lower() for m in MONTH_NAMES)})


def subject_names(question: str, best: str, titles: Sequence[str] = ()) -> set[str]:
    """The question's names (lower case) that its best sentence also names, but not those of the texts
    (`titles`: the passages' titles and headings): a text's sentences do not repeat its name ("This
    Regulation shall enter into force…" answers "what day did the EU AI Act enter into force?")."""
    names = {w.lower() for w in _NAME_WORD.findall(question)} - _NOT_NAMES
    return {n for n in names if _names(best, n) and not any(_names(t, n) for t in titles)}


def about(sentence: str, names: set[str], every: bool = False) -> bool:
    """The sentence names one of `names` (`every`: all of them); True when there are none."""
    if not names:
        return True
    found = (_names(sentence, n) for n in names)
    return all(found) if every else any(found)


def _names(text: str, name: str) -> bool:
    """The whole word, or its plural or possessive ("Summits", "Microsoft's"): "Act" is not "Action"."""
    return re.search(rf"\b{re.escape(name)}(?:s|['’]s)?\b", text, re.I) is not None


def asked_words(question: str, leave_out: frozenset[str] = frozenset()) -> set[str]:
    """The question's content tokens, less `leave_out` (the words that ask: "deadline", "chair") and "ai"."""
    return {t for t in tokenize(question) if t not in STOP_WORDS and t not in leave_out and t != "ai"}


def on_subject(sentence: str, asked: set[str], names: set[str]) -> bool:
    """A sentence about what the question asks of: it shares two of the question's content words
    (`asked_words`), or names every one of two or more names that the best sentence shares with the
    question (`subject_names`). A detail in a sentence that shares one word is often about something else:
    NIST's Director, in a sentence on "AI safety", heads no Japanese institute; the White House AI
    Council's Chair chairs no "Council" of Japan's."""
    shared = len(asked & set(tokenize(sentence))) >= min(2, len(asked))
    return shared or (len(names) >= 2 and about(sentence, names, every=True))


def most_about(sentences: Sequence[str], asked: set[str]) -> tuple[int, int]:
    """Of the top three sentences, the index of the best ranked one that shares the most of the `asked`
    words, and how many it shares: the sentence that speaks of the asked event or subject."""
    shared = [len(asked & set(tokenize(s))) for s in sentences[:3]]
    best = shared.index(max(shared))
    return best, shared[best]
