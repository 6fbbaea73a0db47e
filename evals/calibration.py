"""Calibration of the support checker against hand-labelled (sentence, passage, label) pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from evals.dataset import SupportPair
from rag.citations.support import SupportChecker
from rag.citations.verification import with_header

_TRUE_LABELS = {"supported", "support", "yes", "true", "1", "entailed", "pass"}


def agreement(checker: SupportChecker, pairs: Iterable[Any]) -> float:
    """Share of labelled (sentence, passage, label) pairs on which the checker agrees; 0.0 if none.

    A pair may be a mapping with keys sentence, passage (or passages) and label, or a tuple
    (sentence, passage, label, ...). Labels may be bools, 0/1 or words such as "supported".
    Optional mapping keys title and section are put above the passage, as verify() does.
    """
    total = agree = 0
    for pair in pairs:
        sentence, passages, label = _unpack(pair)
        total += 1
        agree += checker.check(sentence, passages).supported == label
    return agree / total if total else 0.0


class Confusion(BaseModel):
    """The checker's 'supported' verdicts against the labels: true/false positives and negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def add(self, label: bool, verdict: bool) -> None:
        if label:
            self.tp, self.fn = self.tp + verdict, self.fn + (not verdict)
        else:
            self.fp, self.tn = self.fp + verdict, self.tn + (not verdict)

    def summary(self) -> dict[str, float | int | None]:
        return {**self.model_dump(), "n": self.n, "precision": self.precision, "recall": self.recall}


def confusion_by_perturbation(
    judge: Callable[[str, Sequence[str]], bool], pairs: Iterable[SupportPair]
) -> dict[str, Confusion]:
    """A judge's confusion matrix overall ("all") and per perturbation type, the title above each passage."""
    out: dict[str, Confusion] = {"all": Confusion()}
    for pair in pairs:
        verdict = judge(pair.sentence, [with_header(pair.passage, pair.title)])
        out["all"].add(pair.label, verdict)
        out.setdefault(pair.perturbation, Confusion()).add(pair.label, verdict)
    return out


def _unpack(pair: Any) -> tuple[str, list[str], bool]:
    if isinstance(pair, dict):
        sentence = pair["sentence"]
        passage = pair.get("passages", pair.get("passage", ""))
        label = pair.get("label", pair.get("supported"))
        metadata = (str(pair.get("title") or ""), str(pair.get("section") or ""))
    else:
        sentence, passage, label = pair[0], pair[1], pair[2]
        metadata = ("", "")
    passages = [passage] if isinstance(passage, str) else list(passage)
    return sentence, [with_header(p, *metadata) for p in passages], _as_bool(label)


def _as_bool(label: Any) -> bool:
    if isinstance(label, str):
        return label.strip().lower() in _TRUE_LABELS
    return bool(label)
