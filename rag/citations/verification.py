"""Verification of an answer: keep the supported sentences, repair their citations, quote the sources.

Each sentence is checked against the sources it cites; one that cites nothing valid is re-assigned to
the source that supports it best, or dropped. The rebuilt answer carries normalised `[n]` markers and
keeps the answerer's paragraph breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.citations.abstention import ABSTENTION_REASON, is_abstention_statement
from rag.citations.analysis import analyse
from rag.citations.markers import ParsedSentence, parse_answer, sentence_ranges
from rag.citations.names import WORD_RE, content_stems
from rag.citations.support import SupportChecker, SupportVerdict, clip
from rag.core.models import Citation, Sentence, Source

_TERMINAL_RE = re.compile(r"[.!?]$")


@dataclass
class VerifiedAnswer:
    """What survives verification; `answer` is what the user sees, the rest explains it."""

    # Supported sentences (and abstention statements among them), markers normalised to "[1][2]";
    # "" when no cited sentence is left, so the caller falls back (or abstains, see `abstained`).
    answer: str
    sentences: list[Sentence]  # every sentence, dropped ones with verified=False and a reason
    citations: list[Citation]  # one per distinct source actually cited, with the best quote
    warnings: list[str] = field(default_factory=list)
    dropped: int = 0

    @property
    def abstained(self) -> bool:
        """The answerer only abstained: every kept sentence is an abstention statement."""
        kept = [s for s in self.sentences if s.verified]
        return bool(kept) and all(s.reason == ABSTENTION_REASON for s in kept)


@dataclass
class _Kept:
    parsed: ParsedSentence
    cited: list[int]


def _evidence_text(source: Source) -> str:
    """Passage text plus its heading and metadata: "Article 5" or the year often live only there."""
    return with_header(source.text, source.title, source.section, source.publisher, source.date)


def with_header(text: str, *metadata: str) -> str:
    """`text` under a " · "-joined header of the non-empty `metadata`, as the checker should see it."""
    header = " · ".join(x for x in metadata if x)
    # A blank line keeps the header out of the first sentence of the passage.
    return f"{header}\n\n{text}" if header else text


def verify(answer_text: str, sources: Sequence[Source], checker: SupportChecker) -> VerifiedAnswer:
    """Keep only the sentences that the sources support, each with valid citations."""
    by_number = {s.n: s for s in sources}
    evidence = {s.n: _evidence_text(s) for s in sources}
    sentences: list[Sentence] = []
    kept: list[_Kept] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for parsed in parse_answer(answer_text):
        sentence, keep = _judge(parsed, by_number, evidence, checker, seen, warnings)
        sentences.append(sentence)
        if keep is not None:
            kept.append(keep)
    dropped = sum(not s.verified for s in sentences)
    if dropped:
        warnings.append(f"dropped {dropped} unsupported sentence(s)")
    if not any(k.cited for k in kept):
        if kept:
            warnings.append("only abstention statements are left")
        elif sentences:
            warnings.append("no supported sentence left")
    citations = _citations(kept, by_number, checker)
    answer = _rebuild(answer_text, kept) if any(k.cited for k in kept) else ""
    return VerifiedAnswer(answer, sentences, citations, warnings, dropped)


def _judge(
    parsed: ParsedSentence,
    by_number: dict[int, Source],
    evidence: dict[int, str],
    checker: SupportChecker,
    seen: set[str],
    warnings: list[str],
) -> tuple[Sentence, _Kept | None]:
    """The verdict on one sentence, and what to keep of it (None: dropped)."""
    text = parsed.text
    valid = [n for n in parsed.cited if n in by_number]
    invalid = [n for n in parsed.cited if n not in by_number]
    key = " ".join(WORD_RE.findall(text.lower()))
    if key in seen:  # small models loop; a repeat adds nothing even when it is true
        return Sentence(text=text, citations=valid, verified=False, reason="repeated sentence"), None
    seen.add(key)
    if is_abstention_statement(text):
        return Sentence(text=text, citations=[], verified=True, reason=ABSTENTION_REASON), _Kept(parsed, [])
    if invalid:
        warnings.append(f"removed citation(s) {_markers(invalid)} from {clip(text)!r}: no such source")
    if valid:
        verdict = checker.check(text, [evidence[n] for n in valid])
        if not verdict.supported:
            return Sentence(text=text, citations=valid, verified=False, reason=verdict.reason), None
        used = _contributing(checker.as_english(text), valid, evidence) or valid
        return Sentence(text=text, citations=used, verified=True, reason=verdict.reason), _Kept(parsed, used)
    best = _best_source(text, evidence, checker)
    if best is None:
        reason = (
            "no valid citation and no source supports it"
            if invalid
            else "no citation and no source supports it"
        )
        return Sentence(text=text, citations=[], verified=False, reason=reason), None
    n, verdict = best
    warnings.append(f"re-assigned {clip(text)!r} to [{n}]")
    return (
        Sentence(text=text, citations=[n], verified=True, reason=f"citation re-assigned; {verdict.reason}"),
        _Kept(parsed, [n]),
    )


def _best_source(
    text: str, evidence: dict[int, str], checker: SupportChecker
) -> tuple[int, SupportVerdict] | None:
    best: tuple[int, SupportVerdict] | None = None
    for n, passage in evidence.items():
        verdict = checker.check(text, [passage])
        if verdict.supported and (best is None or verdict.score > best[1].score):
            best = (n, verdict)
    return best


def _contributing(text: str, cited: list[int], evidence: dict[int, str]) -> list[int]:
    """Cited sources that share content or a fact with the sentence; a bystander citation is pruned."""
    sent = analyse(text)
    needed = {key for fact in sent.facts for alts in fact.needs for key in alts}
    out = []
    for n in cited:
        doc = analyse(evidence[n])
        if sent.stems & doc.stems or needed & doc.keys:
            out.append(n)
    return out


def _markers(numbers: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def _with_markers(text: str, cited: list[int]) -> str:
    if not cited:
        return text
    if _TERMINAL_RE.search(text):
        return f"{text[:-1].rstrip()} {_markers(cited)}{text[-1]}"
    return f"{text} {_markers(cited)}"


def _rebuild(raw: str, kept: Sequence[_Kept]) -> str:
    """Join kept sentences, keeping the paragraph and line breaks the answerer used."""
    if not kept:
        return ""
    parts: list[str] = []
    previous_end: int | None = None
    for k in kept:
        if previous_end is not None:
            gap = raw[previous_end : k.parsed.start]
            parts.append("\n\n" if "\n\n" in gap else "\n" if "\n" in gap else " ")
        parts.append(_with_markers(k.parsed.text, k.cited))
        previous_end = k.parsed.end
    return "".join(parts).strip()


def _citations(
    kept: Sequence[_Kept], by_number: dict[int, Source], checker: SupportChecker
) -> list[Citation]:
    citing: dict[int, list[str]] = {}
    for k in kept:
        for n in k.cited:
            citing.setdefault(n, []).append(checker.as_english(k.parsed.text))
    out = []
    for n, texts in citing.items():
        source = by_number[n]
        span = _best_quote_span(source.text, texts, checker)
        if span is None:
            out.append(Citation(**source.model_dump()))
            continue
        a, b = span
        out.append(
            Citation(
                **source.model_dump(),
                quote=source.text[a:b],
                quote_start=source.start + a,
                quote_end=source.start + b,
            )
        )
    return out


def _best_quote_span(text: str, citing: Sequence[str], checker: SupportChecker) -> tuple[int, int] | None:
    """The source sentence that best matches the sentences citing it, as offsets into `text`."""
    spans = [_trim(text, a, b) for a, b in sentence_ranges(text)]
    spans = [(a, b) for a, b in spans if b > a]
    if not spans:
        return None
    wanted = [analyse(c).stems for c in citing]
    span_stems = [content_stems(text[a:b]) for a, b in spans]
    scores = np.array(
        [max((len(w & stems) / len(w) if w else 0.0) for w in wanted) for stems in span_stems],
        dtype=np.float64,
    )
    if checker.embed is not None and len(spans) > 1:
        vectors = checker._vectors([*citing, *(text[a:b] for a, b in spans)])
        sims = vectors[len(citing) :] @ vectors[: len(citing)].T
        scores = scores + np.max(sims, axis=1)
    return spans[int(np.argmax(scores))]  # argmax takes the first of equals: the earlier sentence


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
