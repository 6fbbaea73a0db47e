"""Calibration of the support checker against hand-labelled (sentence, passage, label) pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel

from evals.dataset import SupportPair
from rag.citations.verification import with_header


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
