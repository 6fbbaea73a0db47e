"""Does the answer answer? A "when" question needs a date, "how much/many" an amount or a count, "who" or
"which body" a named body or person, "which are" at least two items.

A generated sentence can be verified, every word backed by its source, and still miss the point: "The
institute is dedicated to AI safety [1]" is true, and no answer to "when was it set up?".
"""

from __future__ import annotations

from rag.citations.facts import AMOUNT_KINDS, extract_facts
from rag.citations.markers import parse_answer
from rag.citations.names import extract_names, is_acronym
from rag.core.models import Check, Sentence
from rag.reader.question import ENUMERATION, LIST_ITEM, asks_who, question_type
from rag.text.tokenize import STOP_WORDS

_NEEDS = {
    "date": "a date",
    "number": "an amount or a count",
    "who": "a named body or person",
    "list": "at least two items",
}


def expected_answer_type(question: str) -> str | None:
    """date, number, who or list; None for a question whose answer has no checkable shape."""
    kind = question_type(question)
    if kind == "fact":
        return "who" if asks_who(question) else None
    return kind


def completeness(question: str, answer: str) -> Check | None:
    """The completeness check of `answer` against what `question` asks for; None when nothing is checkable."""
    kind = expected_answer_type(question)
    if kind is None:
        return None
    passed = _has(kind, answer)
    detail = (
        f"gives {_NEEDS[kind]}" if passed else f"the question asks for {_NEEDS[kind]}; the answer gives none"
    )
    return Check(name=f"completeness:{kind}", passed=passed, detail=detail)


def _has(kind: str, answer: str) -> bool:
    # Facts of the sentences without their [n] markers: "[1]" is not an amount.
    facts = [f for sentence in parse_answer(answer) for f in extract_facts(sentence.text)]
    if kind == "date":
        return any(f.kind == "date" for f in facts)
    if kind == "number":
        return any(f.kind in AMOUNT_KINDS for f in facts)
    if kind == "who":
        # A leading "The"/"It" starts a sentence; any other capitalised word there is a name ("Japan leads").
        words = [w.strip(".,;:()[]\"'") for w in answer.split()]
        first = words[0] if words else ""
        named_first = first[:1].isupper() and first.lower() not in STOP_WORDS
        return bool(extract_names(answer)) or named_first or any(is_acronym(w) for w in words)
    lines = [line for line in answer.splitlines() if LIST_ITEM.match(line)]
    return len(lines) >= 2 or bool(ENUMERATION.search(answer)) or answer.count("[") >= 2


def answer_checks(question: str, answer: str, sentences: list[Sentence]) -> list[Check]:
    """Every check an answer went through: support of its sentences, then completeness where it applies."""
    claims = [s for s in sentences if s.citations or not s.verified]
    verified = sum(s.verified for s in claims)
    checks = [
        Check(
            name="support",
            passed=bool(claims) and verified == len(claims),
            detail=f"{verified} of {len(claims)} sentence(s) supported by their cited source",
        )
    ]
    complete = completeness(question, answer)
    if complete is not None:
        checks.append(complete)
    return checks
