"""The generative modes' side of an answer: what the LLM reads, and what the user sees while it writes.

On two CPU cores a small model spends most of an answer reading its prompt (about 250 tokens/s), so the
prompt is cut to the sentences that matter: the reader's best sentences of the top sources, each with a
neighbour either side. Verification still checks every sentence against the whole passage it cites.

While it streams, the first sentence is checked as soon as it is complete; if its source does not back
it, the stream says so at once rather than letting a user read it as fact until the final answer lands.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from rag.citations.markers import parse_answer
from rag.citations.support import SupportChecker
from rag.citations.verification import verify
from rag.core.models import Source
from rag.evidence import Evidence, ScoredSentence

_BEST_PER_SOURCE = 2
_GAP = " … "
UNVERIFIED_NOTICE = " ⚠ (not supported by its cited source: it will be left out of the final answer)"


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
                    yield UNVERIFIED_NOTICE
    if not checked and parse_answer(text) and not _kept(text, sources, checker):
        yield UNVERIFIED_NOTICE


def _kept(first_sentence: str, sources: Sequence[Source], checker: SupportChecker) -> bool:
    """The same verdict the final answer will get: verify() with its citation repair and abstentions."""
    return verify(first_sentence, sources, checker).dropped == 0
