"""`policyqa eval`: run the real chain (and optionally the naive baseline) over the question set.

One process, one `Services`: both systems share the embedding model and the Chroma client, so the
comparison differs only in the pipeline. Each question's answer and scores are kept; a question that
raises is recorded with its error and left out of the means (the error count is in the summary).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from evals.calibration import confusion_by_perturbation
from evals.dataset import (
    QUESTION_SETS,
    SUPPORT_PAIRS_PATH,
    EvalQuestion,
    load_question_set,
    load_support_pairs,
)
from evals.judge import LLMJudge, checker_judge
from evals.metrics import Judge, agreement_stats
from evals.report import BASELINE, OURS, print_summary, write_report
from evals.scoring import retrieval_miss_detail, score_answer
from evals.summary import build_summary
from rag.citations.verification import with_header
from rag.core.models import Answer
from rag.core.settings import Settings

log = logging.getLogger(__name__)

REPORTS_DIR = Path(__file__).resolve().parent / "reports"
WARM_UP_QUESTION = "Which documents in the corpus discuss artificial intelligence?"


def ensure_index(services) -> None:  # type: ignore[no-untyped-def]
    """Ingest the shipped corpus when the store is empty, so `policyqa eval` works on a fresh checkout."""
    if services.index.count() > 0:
        return
    from ingest.pipeline import ingest

    settings = services.settings
    log.info("index is empty; ingesting %s", settings.corpus_dir)
    report = ingest([str(settings.corpus_dir)], settings, services.index)
    if report.failed:
        log.warning("ingest: %d file(s) failed: %s", len(report.failed), [f.source for f in report.failed])
    # The searcher may already hold an empty table from before the ingest.
    if "searcher" in services.__dict__:
        services.searcher.refresh(force=True)


def answer_questions(
    questions: Sequence[EvalQuestion],
    ask: Callable[[EvalQuestion], Answer],
    *,
    system: str,
    k: int,
    judge: Judge,
    second_judge: Judge | None = None,
) -> list[dict[str, Any]]:
    """One record per question: the answer, every score and the timings (or the error)."""
    records = []
    t0 = time.perf_counter()
    for i, q in enumerate(questions, start=1):
        record: dict[str, Any] = {
            "system": system,
            "id": q.id,
            "split": q.split,
            "kind": q.kind,
            "question": q.question,
            "answerable": q.answerable,
            "error": "",
        }
        try:
            answer = ask(q)
            record["scores"] = score_answer(q, answer, k, judge, second_judge)
            record["timings_ms"] = answer.timings_ms
            record["answer"] = answer.model_dump()
        except Exception as exc:
            log.exception("%s failed on %s", system, q.id)
            record.update(scores={}, timings_ms={}, answer=None, error=f"{type(exc).__name__}: {exc}")
        records.append(record)
        if i % 10 == 0 or i == len(questions):
            log.info("%s: %d/%d questions (%.0fs)", system, i, len(questions), time.perf_counter() - t0)
    return records


def calibrate(judges: dict[str, Judge], split: str, path: Path = SUPPORT_PAIRS_PATH) -> dict[str, Any]:
    """Each judge's confusion matrix on the labelled pairs of `split`, per perturbation type; and how far
    the judges agree with each other. The pairs are split like the questions: tune on dev, report test."""
    if not path.exists():
        log.warning("%s not found; skipping judge calibration", path)
        return {}
    pairs = [p for p in load_support_pairs(path) if split == "all" or p.split == split]
    out: dict[str, Any] = {"pairs": path.name, "split": split, "n": len(pairs)}
    for name, judge in judges.items():
        table = confusion_by_perturbation(judge, pairs)
        out[name] = {group: c.summary() for group, c in sorted(table.items())}
    if "checker" in judges and "llm" in judges:
        verdicts = {
            name: [judges[name](p.sentence, [with_header(p.passage, p.title)]) for p in pairs]
            for name in ("checker", "llm")
        }
        out["inter_judge"] = agreement_stats(verdicts["checker"], verdicts["llm"])
    return out


def _run_dir(root: Path, split: str) -> Path:
    base = root / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{split}"
    path, i = base, 1
    while path.exists():
        path, i = base.with_name(f"{base.name}-{i}"), i + 1
    return path


def run_eval(
    settings: Settings,
    *,
    split: str = "test",
    mode: str | None = None,
    k: int = 5,
    baseline: bool = False,
    limit: int | None = None,
    services=None,  # type: ignore[no-untyped-def]
    questions_paths: Sequence[Path] = QUESTION_SETS["v1"],
    english_twins: bool = False,
    report_root: Path | None = REPORTS_DIR,
    console: Console | None = None,
    cross_fitted: bool = False,
) -> dict[str, Any]:
    """Run the eval and write a report under `report_root` (None: no files); returns the summary dict.
    `cross_fitted`: each dev question gets the query adapter and the reader fitted without its document's
    questions (evals/cross_fit.py)."""
    from rag.chain import AskRequest
    from rag.container import Services

    mode = mode or settings.mode
    services = services or Services(settings)
    ensure_index(services)
    questions = load_question_set(questions_paths, split, limit)  # type: ignore[arg-type]
    if english_twins:  # the same questions asked in English: what translation costs
        questions = [q.model_copy(update={"question": q.english}) if q.english else q for q in questions]
    log.info("eval: %d %s questions, mode %s, k=%d, baseline=%s", len(questions), split, mode, k, baseline)

    judge = checker_judge(services.checker)
    llm = LLMJudge.from_env()
    chain = services.chain
    # The first call pays one-off costs (BM25 load, model warm-up) that are not latency. Not an eval
    # question: its embedding would be cached and make that question look fast.
    chain.invoke(AskRequest(question=WARM_UP_QUESTION, mode=mode, top_k=k))

    models_for = None
    shipped_adapter, reader = services.searcher.adapter, services.reader
    shipped_reader = reader.model if reader is not None else None
    if cross_fitted:
        from evals.cross_fit import cross_fitted as fold_models

        models_for = fold_models(settings, k)

    def ask_ours(q: EvalQuestion) -> Answer:
        fold = models_for(q) if models_for is not None else None
        if shipped_adapter is not None:
            services.searcher.adapter = (fold.adapter if fold else None) or shipped_adapter
        if reader is not None:
            reader.model = (fold.reader if fold else None) or shipped_reader
        return chain.invoke(AskRequest(question=q.question, history=q.history, mode=mode, top_k=k))

    records = answer_questions(questions, ask_ours, system=OURS, k=k, judge=judge, second_judge=llm)
    services.searcher.adapter = shipped_adapter
    if reader is not None:
        reader.model = shipped_reader
    systems = [OURS]
    if baseline:
        from evals.baseline import NaiveRAG

        naive = NaiveRAG(services, mode=mode)  # type: ignore[arg-type]
        naive.invoke(WARM_UP_QUESTION, k=k)

        def ask_naive(q: EvalQuestion) -> Answer:
            return naive.invoke(q.question, q.history, k=k)

        records += answer_questions(questions, ask_naive, system=BASELINE, k=k, judge=judge, second_judge=llm)
        systems.append(BASELINE)

    judges: dict[str, Judge] = {"checker": judge}
    if llm is not None:
        judges["llm"] = llm
    calibration = calibrate(judges, split)
    if llm is not None:
        calibration["llm_calls"], calibration["llm_errors"] = llm.calls, llm.errors

    by_id = {q.id: q for q in questions}
    misses = [
        retrieval_miss_detail(by_id[r["id"]], Answer.model_validate(r["answer"]), k)
        for r in records
        if r["system"] == OURS and r["scores"].get("hit_at_k") == 0.0
    ]
    summary = build_summary(
        records, split=split, mode=mode, k=k, systems=systems, calibration=calibration, misses=misses
    )
    if report_root is not None:
        run_dir = _run_dir(report_root, split)
        summary["report_dir"] = str(run_dir)
        write_report(run_dir, records, summary)
        (run_dir / "retrieval_misses.txt").write_text(format_misses(misses), encoding="utf-8")
    print_summary(summary, console)
    return summary


def format_misses(misses: Sequence[dict[str, Any]]) -> str:
    """Plain-text listing of retrieval misses: the question, the gold evidence and what came back instead."""
    lines: list[str] = []
    for m in misses:
        lines.append(f"{m['id']} [{m['kind']}] {m['question']}")
        if m["standalone"] != m["question"]:
            lines.append(f"  standalone: {m['standalone']}")
        lines.append(f"  gold docs: {', '.join(m['gold_docs'])}   abstained: {m['abstained']}")
        for e in m["evidence"]:
            lines.append(f"  gold: {e['doc_id']}: {e['quote']!r}")
        for r in m["retrieved"]:
            lines.append(
                f"  got {r['n']}: {r['doc_id']} › {r['section']} (score {r['score']}): {r['text'][:100]!r}"
            )
        lines.append("")
    return "\n".join(lines)
