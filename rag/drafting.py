"""The generative modes' side of an answer: what the LLM reads, and what the user sees while it writes.

On two CPU cores a small model spends most of an answer reading its prompt (about 250 tokens/s), so the
prompt is cut to the sentences that matter: the reader's best sentences of the top sources, each with a
neighbour either side. Verification still checks every sentence against the whole passage it cites.

While it streams, the first sentence is checked as soon as it is complete; if its source does not back
it, the stream says so at once rather than letting a user read it as fact until the final answer lands.

A Japanese question is put to the LLM as it was asked, with the English search beside it, and the prompt
asks for a Japanese answer (rag/prompting.py); the checker reads its sentences through the question
translator (rag/citations/japanese.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rag.abstention import abstain_text
from rag.citations.abstention import is_abstention_statement
from rag.citations.markers import parse_answer, sentence_ranges
from rag.citations.support import SupportChecker
from rag.citations.verification import verify
from rag.completeness import answer_checks
from rag.core.models import Answer, Source
from rag.evidence import Evidence, ScoredSentence
from rag.translate.language import detect_language

_BEST_PER_SOURCE = 2
_GAP = " … "
UNVERIFIED_NOTICE = " ⚠ (not supported by its cited source: it will be left out of the final answer)"
UNVERIFIED_NOTICE_JA = " ⚠（引用元の記述で裏付けられないため、最終的な回答からは除かれます）"
NOTICES = (UNVERIFIED_NOTICE, UNVERIFIED_NOTICE_JA)


def brief_sources(
    evidence: Evidence, ranked: Sequence[ScoredSentence] | None, max_sources: int, max_chars: int
) -> list[Source]:
    """The top `max_sources` sources, each cut to its best sentences and their neighbours (verbatim,
    in passage order, gaps marked " … "), at most `max_chars` characters; numbered as in `evidence`."""
    picks: dict[int, list[int]] = {}
    for sent in ranked or ():
        chosen = picks.get(sent.source_n)
        if chosen is None:
            if len(picks) == max_sources:
                continue
            chosen = picks[sent.source_n] = []
        if len(chosen) < _BEST_PER_SOURCE:
            chosen.append(sent.position)
    if not picks:  # no reader: the leading sentences of the first sources
        picks = {s.n: [0, 1] for s in evidence.sources[:max_sources]}
    out: list[Source] = []
    for source in evidence.sources:
        if source.n in picks:
            text = _window(evidence.sentences.get(source.n, []), picks[source.n], max_chars)
            out.append(source.model_copy(update={"text": text or source.text[:max_chars]}))
    return out


def _window(sentences: Sequence[ScoredSentence], positions: Iterable[int], max_chars: int) -> str:
    by_position = {s.position: s for s in sentences}
    keep = sorted({p + d for p in positions for d in (-1, 0, 1)} & by_position.keys())
    text, last = "", None
    for position in keep:
        piece = by_position[position].text.strip()
        joiner = "" if last is None else (" " if position == last + 1 else _GAP)
        if len(text) + len(joiner) + len(piece) > max_chars and text:
            break
        text, last = text + joiner + piece, position
    return text[:max_chars]


def flag_unsupported_opening(
    deltas: Iterable[str], sources: Sequence[Source], checker: SupportChecker
) -> Iterator[str]:
    """Pass the deltas through; add a notice once the first sentence is complete, if verify() drops it."""
    text = ""
    checked = False
    for delta in deltas:
        text += delta
        yield delta
        if not checked:
            sentences = parse_answer(text)
            if len(sentences) >= 2:  # a second sentence has begun: the first one and its markers are done
                checked = True
                if not _kept(text[: sentences[1].start], sources, checker):
                    yield _notice(text)
    if not checked and parse_answer(text) and not _kept(text, sources, checker):
        yield _notice(text)


def _notice(draft: str) -> str:
    """In the draft's language: a Japanese reader of a Japanese draft gets the notice in Japanese."""
    return UNVERIFIED_NOTICE_JA if detect_language(draft) == "ja" else UNVERIFIED_NOTICE


def _kept(first_sentence: str, sources: Sequence[Source], checker: SupportChecker) -> bool:
    """The same verdict the final answer will get: verify() with its citation repair and abstentions."""
    return verify(first_sentence, sources, checker).dropped == 0


def llm_question(question: str, standalone: str) -> str:
    """What the LLM is asked: the standalone question; a Japanese one as asked, with its English search."""
    if detect_language(question) != "ja":
        return standalone
    return f"{question.strip()}\n(searched in English as: {standalone})"


def checkable_text(answer: str, checker: SupportChecker) -> str:
    """The answer as the completeness checks read it: a Japanese sentence by its English terms and dates
    ("2026年8月2日" → "2 August 2026"), each keeping its [n] markers."""
    if detect_language(answer) != "ja":
        return answer
    return "\n".join(_english_line(answer[a:b], checker) for a, b in sentence_ranges(answer))


def _english_line(sentence: str, checker: SupportChecker) -> str:
    markers = "".join(re.findall(r"\[\d+\]", sentence))
    return f"{checker.as_english(sentence)}. {markers}".strip()


def verified_generation(
    text: str, evidence: Evidence, checker: SupportChecker, warnings: list[str], base: dict[str, Any]
) -> Answer | None:
    """The generated answer with its unsupported sentences dropped, checked for completeness; None when
    the extractive answer is to be shown instead (nothing supported, or beside the point)."""
    verified = verify(text, evidence.sources, checker)
    warnings.extend(verified.warnings)
    if not verified.answer.strip():
        if text.strip() and is_abstention_statement(text):
            return Answer(
                answer=abstain_text(base.get("question_language")),
                abstained=True,
                sentences=verified.sentences,
                warnings=warnings,
                **base,
            )
        warnings.append(
            "no sentence of the generated answer was supported by its sources; showing the extractive answer"
        )
        return None
    shown = checkable_text(verified.answer, checker)
    checks = answer_checks(base["standalone_question"], shown, verified.sentences)
    incomplete = [c for c in checks if c.name.startswith("completeness") and not c.passed]
    if incomplete:
        # Verified but beside the point ("dedicated to AI safety" for "when was it set up?").
        warnings.append(
            f"the generated answer is incomplete ({incomplete[0].detail}); showing the extractive answer"
        )
        base["checks"] = [c.model_copy(update={"name": f"generated {c.name}"}) for c in checks]
        return None
    if verified.dropped:
        warnings.append(f"{verified.dropped} unsupported sentence(s) removed from the generated answer")
    return Answer(
        answer=verified.answer,
        citations=verified.citations,
        sentences=verified.sentences,
        warnings=warnings,
        checks=checks,
        **base,
    )
