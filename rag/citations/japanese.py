"""A Japanese sentence of a generated answer, checked against the English passages it cites.

A Japanese question in `local`/`openai` mode is answered in Japanese (rag/prompting.py), but the sources
stay English, and no bilingual encoder ships here to compare the two. So the checker reads the sentence
the way a Japanese question is read (rag/translate/): its dates, durations, amounts and clause references
in the corpus's forms (2026年8月2日 → 2 August 2026), its names, and its words through the policy glossary
and JMdict. Facts are the same hard gate as in English, since a wrong year is what a reader cannot spot:
every date and number must occur in the cited passage, every name too. The wording is judged by the
share of its translated terms the passage holds, and a denial ("…ではありません", 禁止) needs a denying
source sentence, and the reverse. It is looser than the English check (no modality or scope analysis), and
says so in its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rag.citations.analysis import Doc, analyse
from rag.citations.markers import sentence_ranges
from rag.citations.names import content_stems
from rag.citations.support import SupportVerdict, missing_fact, token_found
from rag.translate.language import detect_language
from rag.translate.numbers import normalise_japanese

# Share of the sentence's words (any of a word's senses counts) that the cited passage must hold. On the
# hand-labelled pairs of tests/rag/test_japanese_answers.py the supported sentences hold 0.67–1.0 and the
# sentences about something else 0.4–0.5; 14 pairs are a sanity check, not a calibration.
MIN_TERM_SHARE = 0.6
# A glossary phrase written with capitals ("Hiroshima AI Process", "AI Office") names something, and a
# name must be found word for word; these words name nothing by themselves.
_NOT_NAME_WORDS = frozenset({"AI", "The", "A", "An", "Of", "And", "For", "On", "In", "To"})
_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")
_ENGLISH_DENIAL = re.compile(
    r"\b(?:not|no|never|neither|nor|without|cannot|none|prohibit\w*|ban|banned|forbid\w*)\b|n['’]t\b", re.I
)
REASON = "Japanese: its facts, names and translated terms are in the source"


class JapaneseChecker:
    """What SupportChecker asks of a Japanese sentence, from the question translator's dictionaries."""

    def __init__(self, translator: Any) -> None:  # rag.translate.translator.JapaneseTranslator
        self.translator = translator
        # One sentence is read for its verdict, its citations' best quotes and the completeness checks.
        self._translate = lru_cache(maxsize=256)(translator.translate)

    @staticmethod
    def applies(sentence: str) -> bool:
        return detect_language(sentence) == "ja"

    def english(self, sentence: str) -> str:
        """The sentence's terms in English, for choosing the source sentence it restates."""
        return " ".join(t.english for t in self._translate(sentence).terms if t.english)

    def verdict(self, sentence: str, evidence: Doc) -> SupportVerdict:
        translation = self._translate(sentence)
        facts = analyse(normalise_japanese(sentence))
        problem = missing_fact(facts, evidence) or _missing_name(translation.terms, evidence)
        if problem:
            return SupportVerdict(False, 0.0, problem)
        # A word is found when any of its senses is ("提供者" → provider, providers).
        senses: dict[str, set[str]] = {}
        for t in translation.terms:
            if t.via != "number" and t.english:
                senses.setdefault(t.japanese, set()).update(content_stems(t.english))
        words = [stems for stems in senses.values() if stems]
        if not words:
            return SupportVerdict(False, 0.0, "no term of the sentence could be read")
        share = sum(bool(stems & evidence.stems) for stems in words) / len(words)
        if share < MIN_TERM_SHARE:
            return SupportVerdict(False, share, f"low overlap ({share:.2f}) of its translated terms")
        if self.translator.denies(sentence) != _denied(words, evidence):
            return SupportVerdict(False, share, "negation does not match source")
        return SupportVerdict(True, share, REASON)


def _missing_name(terms: Sequence[Any], evidence: Doc) -> str:
    for term in terms:
        if term.via not in ("ascii", "glossary"):
            continue
        for word in _CAPITALISED.findall(term.english):
            if word not in _NOT_NAME_WORDS and not token_found(word, evidence):
                return f"name {term.english} not in source"
    return ""


def _denied(stems: Sequence[set[str]], evidence: Doc) -> bool:
    """Whether the source sentence that holds most of the terms denies or prohibits something."""
    wanted = set().union(*stems)
    best, best_found = "", 0
    for a, b in sentence_ranges(evidence.norm):
        text = evidence.norm[a:b]
        found = len(wanted & content_stems(text))
        if found > best_found:
            best, best_found = text, found
    return bool(_ENGLISH_DENIAL.search(best))
