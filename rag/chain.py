"""The chain: condense → retrieve → select evidence → answer → verify citations → abstain or answer.

A LangChain Runnable: `invoke` returns the verified `Answer`; `stream` yields text deltas and then
the final `Answer`. Nothing here knows which answerer is running beyond the small Answerer contract.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig, RunnableSerializable
from opentelemetry import trace
from opentelemetry.trace import Tracer
from pydantic import BaseModel, ConfigDict, Field

from rag.abstention import abstain_text
from rag.answerers.extractive import compose
from rag.answerers.registry import EXTRACTIVE
from rag.completeness import answer_checks
from rag.condense import rewrite_followup
from rag.core.errors import one_line
from rag.core.models import Answer, ChatTurn, Citation, Filters, Mode, Sentence
from rag.core.settings import Settings
from rag.document_dates import dated_quotes
from rag.drafting import (
    NOTICES,
    brief_sources,
    flag_unsupported_opening,
    llm_question,
    verified_generation,
)
from rag.evidence import Evidence, EvidenceSelector, ScoredSentence
from rag.question_names import missing_names_warnings, unmatched_entities
from rag.question_parts import queries_ahead, read_parts
from rag.reader.question import is_multi_part
from rag.reader.reader import POOL_EXTRA, Reading
from rag.references import QueryRefs
from rag.references.own_statements import own_statements
from rag.retrieval import Searcher
from rag.text.words import has_words
from rag.tracing import (
    MAX_TEXT,
    TRACER_NAME,
    RequestTrace,
    abstention_attributes,
    answer_attributes,
    clip,
    evidence_attributes,
    record,
    search_attributes,
    set_attributes,
)
from rag.translate.framing import frame_answer
from rag.translate.language import detect_language, refers_back

log = logging.getLogger(__name__)


class AskRequest(BaseModel):
    question: str
    history: list[ChatTurn] = Field(default_factory=list)
    mode: Mode | None = None
    top_k: int | None = None
    filters: Filters | None = None


@dataclass
class Gathered:
    evidence: Evidence
    parsed: QueryRefs
    missing: list[str]  # names of the question that no retrieved passage mentions
    reading: Reading | None  # None without a reader model: the strength threshold and vetoes decide
    parts: list[ScoredSentence] = field(default_factory=list)  # each part's best (rag/question_parts.py)
    dated: list[ScoredSentence] = field(default_factory=list)  # texts' own dates (rag/document_dates.py)


class PolicyQAChain(RunnableSerializable[AskRequest, Answer]):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings
    searcher: Searcher
    selector: EvidenceSelector
    checker: Any  # rag.citations.SupportChecker
    answerer_for: Any = None  # mode → Answerer | None, built lazily by the container
    glossary: Any = None  # rag.retrieval.glossary.Glossary: lay words → the corpus's terms
    reader: Any = None  # rag.reader.Reader: trained sentence ranker and answerability model
    translator: Any = None  # rag.translate.JapaneseTranslator: Japanese questions → English searches
    cache: Any = None  # rag.answer_cache.AnswerCache: repeated extractive questions
    tracer: Any = None  # opentelemetry Tracer (rag/tracing.py); None: the global one, a no-op unless set up

    # -- Runnable ---------------------------------------------------------------------------------
    def invoke(self, input: AskRequest | dict, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        result = None
        for item in self.stream(input, config, **kwargs):
            if isinstance(item, Answer):
                result = item
        assert result is not None
        return result

    def stream(  # type: ignore[override]
        self, input: AskRequest | dict, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[str | Answer]:
        req = input if isinstance(input, AskRequest) else AskRequest.model_validate(input)
        mode = req.mode or self.settings.mode
        rt = RequestTrace(self._tracer(), req.question, mode)
        answer: Answer | None = None
        try:
            for item in self._cached(req, mode, rt):
                if isinstance(item, Answer):
                    answer = item
                yield item
        finally:  # also when the client goes away mid-stream
            rt.end(answer)

    def _tracer(self) -> Tracer:
        return self.tracer if self.tracer is not None else trace.get_tracer(TRACER_NAME)

    def _cached(self, req: AskRequest, mode: str, rt: RequestTrace) -> Iterator[str | Answer]:
        """`_run`, or the stored Answer of the same extractive request over the same corpus."""
        t0 = time.perf_counter()
        if self.cache is None or mode != EXTRACTIVE:
            yield from self._run(req, rt)
            return
        key = self.cache.key(req, mode, req.top_k or self.settings.top_k, self.searcher.corpus_version())
        stored = self.cache.get(key)
        if stored is not None:
            set_attributes(rt.root, cache="hit")
            answer = stored.model_copy(deep=True, update={"timings_ms": {"cache": _ms(t0), "total": _ms(t0)}})
            yield answer.answer
            yield answer
            return
        for item in self._run(req, rt):
            if isinstance(item, Answer):
                self.cache.put(key, item.model_copy(deep=True))
            yield item

    # -- the pipeline -------------------------------------------------------------------------------
    def _run(self, req: AskRequest, rt: RequestTrace) -> Iterator[str | Answer]:
        timings: dict[str, float] = {}
        warnings: list[str] = []
        mode = req.mode or self.settings.mode
        k = req.top_k or self.settings.top_k
        t_all = t = time.perf_counter()

        language = detect_language(req.question) if self.translator is not None else "en"
        # What every Answer of this request carries, whatever becomes of it.
        base: dict[str, Any] = dict(
            mode=mode, question=req.question, question_language=language, standalone_question=""
        )
        base["corpus_version"] = self.searcher.corpus_version()
        if not has_words(req.question):
            warnings.append("the question has no words to search for")
            yield from _abstention(base, warnings, timings, t_all)
            return

        with rt.stage("condense", language=language, turns=len(req.history)) as span:
            alternatives: list[str] = []
            terms: list[str] = []
            if language == "ja":
                standalone, alternatives, terms = self._translate(req)
            else:
                standalone = self.condense(req, mode, warnings)
            set_attributes(span, standalone=standalone, alternatives=alternatives)
        timings["condense"] = _ms(t)
        with rt.stage("gather"):
            got = self.gather(standalone, req.filters, k, timings, alternatives, terms)
        base.update(standalone_question=standalone, sources=got.evidence.sources)
        if got.reading is not None:
            base["confidence"] = round(got.reading.top_prob, 4)
        with rt.stage("abstain") as span:
            abstain = self._should_abstain(got)
            record(span, abstention_attributes, got.evidence, got.reading, got.missing, abstain=abstain)
        if abstain:
            warnings += got.reading.abstention_warnings(language) if got.reading is not None else []
            yield from _abstention(base, warnings, timings, t_all)
            return
        if got.missing:
            warnings += missing_names_warnings(got.missing, self.searcher.vocab)

        t = time.perf_counter()
        generated, streamed = yield from self._generated(req, mode, standalone, got, warnings, base, rt)
        if mode != EXTRACTIVE:
            timings["generate"] = _ms(t)
        if generated is not None:
            generated.timings_ms = {**timings, "total": _ms(t_all)}
            yield generated
            return
        span = rt.open("compose")
        try:
            composed = self._extractive(standalone, got, warnings, base)
            # its text streams as soon as its quotes are checked, before the Answer is annotated; after a
            # streamed draft, clients replace the draft with the final Answer's text instead
            text = next(composed)
            if not streamed:
                yield text
            answer = _returned(composed)
            record(span, answer_attributes, answer)
        finally:
            span.end()
        timings.setdefault("generate", _ms(t))
        answer.timings_ms = {**timings, "total": _ms(t_all)}
        yield answer

    def _generated(
        self,
        req: AskRequest,
        mode: str,
        standalone: str,
        got: Gathered,
        warnings: list[str],
        base: dict[str, Any],
        rt: RequestTrace,
    ) -> Generator[str, None, tuple[Answer | None, bool]]:
        """An LLM mode's answer, its deltas streamed as they come, verified at the end; None when the
        extractive answer is to be shown instead (extractive mode, no backend, nothing supported); and
        whether a draft was streamed."""
        if mode == EXTRACTIVE:
            return None, False
        answerer = self._answerer(mode, warnings)
        if answerer is None:
            warnings.append(f"{mode} mode is not configured; showing the extractive answer")
            return None, False
        streamed = False
        text_parts: list[str] = []
        ranked = [sent for _, sent in got.reading.ranked] if got.reading is not None else None
        brief = brief_sources(got.evidence, ranked, self.settings.llm_sources, self.settings.llm_source_chars)
        span = rt.open("generate", mode=mode, sources=[src.chunk_id for src in brief])
        try:
            deltas = answerer.stream(llm_question(req.question, standalone), brief, req.history)
            for delta in flag_unsupported_opening(deltas, got.evidence.sources, self.checker):
                if delta not in NOTICES:  # the notice is for the reader, not verification
                    text_parts.append(delta)
                streamed = True
                yield delta
        except Exception as exc:  # AnswererError and anything the backend throws
            log.warning("%s answerer failed: %s", mode, exc)
            warnings.append(f"{mode} backend failed ({one_line(exc)}); showing the extractive answer")
            set_attributes(span, error=one_line(exc))
            text_parts = []
        finally:
            set_attributes(span, draft=clip("".join(text_parts), MAX_TEXT))
            span.end()
        if not text_parts:
            return None, streamed
        with rt.stage("verify") as vspan:
            answer = verified_generation("".join(text_parts), got.evidence, self.checker, warnings, base)
            record(vspan, answer_attributes, answer, kept=answer is not None)
        return answer, streamed

    def condense(self, req: AskRequest, mode: str, warnings: list[str]) -> str:
        """The question as a standalone one: a follow-up rewritten with its history."""
        question = req.question.strip()
        if not req.history:
            return question
        answerer = self._answerer(mode, []) if mode != EXTRACTIVE else None
        if answerer is not None:
            try:
                rewritten = answerer.condense(question, req.history).strip()
                # Small models often echo the question; then the deterministic rewrite does better.
                if rewritten and rewritten.lower() != question.lower():
                    return rewritten
            except Exception as exc:
                warnings.append(f"could not rewrite the follow-up with the LLM ({one_line(exc)})")
        return rewrite_followup(question, req.history)

    def _translate(self, req: AskRequest) -> tuple[str, list[str], list[str]]:
        """A Japanese question as an English search, the other senses of its terms, and the terms one by
        one; a follow-up that points back ("それは…") also carries the terms of the previous question."""
        translation = self.translator.translate(req.question)
        english = translation.english
        last = next((t.content for t in reversed(req.history) if t.role == "user"), "")
        if last and refers_back(req.question):
            previous = self.translator.topic(last) if detect_language(last) == "ja" else last
            english = f"{english.rstrip('?')} {previous.rstrip('?')}?"
        return english, translation.alternatives, [t.english for t in translation.terms if t.english]

    def _answerer(self, mode: str, warnings: list[str]) -> Any:
        if self.answerer_for is None:
            return None
        try:
            return self.answerer_for(mode)
        except Exception as exc:  # a missing model is reported, and the extractive answer still comes
            warnings.append(f"{mode} mode unavailable: {one_line(exc)}")
            return None

    def gather(
        self,
        standalone: str,
        filters: Filters | None,
        k: int,
        timings: dict[str, float] | None = None,
        alternatives: Sequence[str] = (),
        translated_terms: Sequence[str] = (),
    ) -> Gathered:
        """Retrieve, select the evidence and read it: everything an answer is decided from.
        `alternatives` join the glossary's expansion (a translated question's other senses).
        `translated_terms`: a translated question's English terms one by one. Its search string runs them
        together ("White House AI Council Article 12 chair"), which would read as one long name that no
        passage mentions; names are looked for term by term instead, and the reader's English-phrasing
        rules ("how many <counted noun>") are not applied to it."""
        timings = {} if timings is None else timings
        tracer = self._tracer()
        t = time.perf_counter()
        if self.reader and self.reader.words is not None:
            self.reader.words.ahead(standalone)
        if self.reader and not translated_terms:
            for query in queries_ahead(standalone, self.searcher):
                self.searcher.encode_ahead(query)
        with tracer.start_as_current_span("retrieve") as span:
            expanded = self.glossary.expansions(standalone) if self.glossary is not None else []
            expansion = "; ".join(dict.fromkeys([*expanded, *alternatives]))
            hits = self.searcher.search(
                standalone, filters=filters, expansion=expansion, tracer=tracer, adapt=not translated_terms
            )
            record(span, search_attributes, standalone, expansion, hits)
        timings["retrieve"] = _ms(t)

        t = time.perf_counter()
        with tracer.start_as_current_span("evidence") as span:
            parsed = self.searcher.parse(standalone)
            doc_name_tokens = self.searcher.name_tokens(parsed.doc_ids, parsed.cued_doc_ids)
            pool = k + (POOL_EXTRA if self.reader else 0)
            evidence = self.selector.select(
                standalone, hits, pool, doc_name_tokens=doc_name_tokens, expansion=expansion
            )
            if self.reader:
                side_by_side = parsed.doc_ids if len(parsed.doc_ids) > 1 else ()
                stated = own_statements(evidence, parsed.doc_ids, parsed.statement)
                keep = [s.source_n for s in stated]
                evidence = self.reader.choose_sources(standalone, evidence, k, cover=side_by_side, keep=keep)
            parts: list[ScoredSentence] = []
            if not translated_terms:
                evidence, parts = read_parts(
                    standalone, evidence, searcher=self.searcher, selector=self.selector, reader=self.reader,
                    glossary=self.glossary, filters=filters,
                )  # fmt: skip
            vocab = self.searcher.vocab
            names_in = "; ".join(translated_terms) if translated_terms else standalone
            missing = unmatched_entities(names_in, evidence.sources, doc_name_tokens, vocab, evidence)
            translated = bool(translated_terms)
            reading = self.reader.read(standalone, evidence, missing, translated) if self.reader else None
            evidence, reading, dated = dated_quotes(
                standalone, evidence, reading, parts, self.searcher, self.selector, self.reader, filters
            )
            set_attributes(
                span,
                refs=list(parsed.refs),
                named_docs=list(parsed.doc_ids),
                cued_docs=list(parsed.cued_doc_ids),
                parts=[clip(s.text, 160) for s in parts],
            )
            record(span, evidence_attributes, evidence, reading)
        timings["evidence"] = _ms(t)
        return Gathered(evidence, parsed, missing, reading, parts, dated)

    def _should_abstain(self, got: Gathered) -> bool:
        evidence = got.evidence
        if not evidence.sources:
            return True
        if evidence.clause_match:
            return False
        if got.reading is not None:  # the reader's thresholds (rag/reader/answerability.py) decide
            return not got.reading.answers
        if got.missing:
            return True
        return evidence.strength < self.settings.abstain_threshold

    def _extractive(
        self, question: str, got: Gathered, warnings: list[str], base: dict
    ) -> Generator[str, None, Answer]:
        """The extractive answer's text, yielded once it is final, then (returned) the Answer. The checks
        that only annotate it (completeness, about 2 ms) come after: the first streamed delta waited on
        them."""
        evidence = got.evidence
        ranked, p = (got.reading.ranked if got.reading is not None else None), got.parsed
        named = p.doc_ids
        if len(named) < 2 and is_multi_part(question):
            named = tuple(dict.fromkeys(src.doc_id for src in evidence.sources))[:2]
        result = compose(
            question, evidence, p.refs, ranked, named, p.document_date, p.defined_term, got.parts, got.dated,
            statement=p.statement,
        )  # fmt: skip
        by_n = {s.n: s for s in evidence.sources}
        sentences: list[Sentence] = []
        citations: dict[int, Citation] = {}
        for q in result.quotes:
            src = by_n[q.source_n]
            if src.holds(q.text, q.start, q.end):
                # A quote that is its source's own characters at its offsets needs no reading: the checker
                # would say "verbatim quote" after analysing the whole passage (most of an answer's time).
                supported, reason = True, "verbatim quote"
            else:
                verdict = self.checker.check(q.text, [src.section + "\n" + src.text])
                supported, reason = verdict.supported, verdict.reason
            sentences.append(Sentence(text=q.text, citations=[q.source_n], verified=supported, reason=reason))
            citations.setdefault(
                q.source_n,
                Citation(**src.model_dump(), quote=q.text, quote_start=q.start, quote_end=q.end),
            )
        if not result.quotes:
            text = abstain_text(base.get("question_language"))
            yield text
            return Answer(answer=text, abstained=True, warnings=warnings, **base)
        cited = sorted(citations.values(), key=lambda c: c.n)
        japanese = base.get("question_language") == "ja"
        text = frame_answer(result.text, cited) if japanese else result.text
        yield text
        checks = [*base.pop("checks", []), *answer_checks(question, result.text, sentences)]
        if not checks[-1].passed and checks[-1].name.startswith("completeness"):
            warnings.append(f"{checks[-1].detail}: read the sources")
        return Answer(
            answer=text,
            citations=cited,
            sentences=sentences,
            warnings=warnings,
            checks=checks,
            **base,
        )


def _abstention(
    base: dict[str, Any], warnings: list[str], timings: dict[str, float], t_all: float
) -> Iterator[str | Answer]:
    """The abstention text as the one streamed delta, then the abstained Answer."""
    timings["total"] = _ms(t_all)
    text = abstain_text(base.get("question_language"))
    yield text
    yield Answer(answer=text, abstained=True, warnings=warnings, timings_ms=timings, **base)


def _returned(gen: Generator[Any, None, Answer]) -> Answer:
    """What a generator that has nothing more to yield returns."""
    try:
        next(gen)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the extractive composer yields its text once")


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)
