"""The evaluation records: questions with gold evidence, and labelled (sentence, passage) support pairs.

Both files are JSON Lines under evals/data/. Loading is strict (a malformed line names its line number)
because a silently skipped question would quietly change every number in the report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from rag.core.models import ChatTurn

DATA_DIR = Path(__file__).resolve().parent / "data"
QUESTIONS_PATH = DATA_DIR / "questions.jsonl"
# Written the way people type (plain words, scenarios, yes/no, two documents, near misses, follow-ups,
# false premises, outside names); split by a hash of the id, see `hash_split`.
USER_QUESTIONS_PATH = DATA_DIR / "user_questions.jsonl"
# Japanese questions over the English corpus, each with an `english` twin to compare against.
JA_QUESTIONS_PATH = DATA_DIR / "ja_questions.jsonl"
# Probes for the answerability rules: near misses by the shape of what they ask (a sum, a date, a person, what
# came of an event, what a text holds…) and answerable twins of the same shapes, written blind by helper
# sessions. "test" is the held-out half (batch 1's Japanese probes are all "dev"). Not part of "all": adding
# the English dev half to the reader's training data did not pay (README, stop 48).
PROBE_QUESTIONS_PATH = DATA_DIR / "probe_questions.jsonl"
QUESTION_SETS: dict[str, tuple[Path, ...]] = {
    "v1": (QUESTIONS_PATH,),
    "users": (USER_QUESTIONS_PATH,),
    "ja": (JA_QUESTIONS_PATH,),
    "probes": (PROBE_QUESTIONS_PATH,),
    "all": (QUESTIONS_PATH, USER_QUESTIONS_PATH),
}
SUPPORT_LABELS_PATH = DATA_DIR / "support_labels.jsonl"
# The checker's labelled set, built by evals/support_pairs.py from the file above and three more sources.
SUPPORT_PAIRS_PATH = DATA_DIR / "support_pairs.jsonl"

Split = Literal["dev", "test", "all"]


class DatasetError(ValueError):
    """A dataset file is missing or has a record that does not validate."""


class EvidenceQuote(BaseModel):
    doc_id: str = ""
    quote: str = Field(min_length=1)


class EvalQuestion(BaseModel):
    id: str
    split: Literal["dev", "test"]
    kind: str = "other"
    question: str = Field(min_length=1)
    history: list[ChatTurn] = Field(default_factory=list)
    answer: str = ""
    # Each inner list is one required fact; any of its alternatives satisfies it.
    must_include: list[list[str]] = Field(default_factory=list)
    gold_docs: list[str] = Field(default_factory=list)
    evidence: list[EvidenceQuote] = Field(default_factory=list)
    answerable: bool = True
    english: str = ""  # for a question in another language: the same question in English

    @field_validator("must_include", mode="before")
    @classmethod
    def _groups(cls, value: object) -> object:
        # A bare string is one group with one alternative: tolerate the shorthand rather than fail.
        if isinstance(value, list):
            return [[v] if isinstance(v, str) else v for v in value]
        return value

    @field_validator("history", mode="before")
    @classmethod
    def _turns(cls, value: object) -> object:
        # Pairs like ["user", "text"] are a common hand-written shorthand for a turn.
        if isinstance(value, list):
            return [
                {"role": v[0], "content": v[1]} if isinstance(v, (list, tuple)) and len(v) == 2 else v
                for v in value
            ]
        return value


class SupportPair(BaseModel):
    id: str = ""
    sentence: str
    passage: str
    doc_id: str = ""
    title: str = ""  # the document's title, put above the passage as verify() does
    label: bool = Field(description="True when the passage supports the sentence.")
    perturbation: str = "none"
    origin: Literal["perturbed", "handwritten", "generated", "labelled"] = "labelled"
    split: Literal["dev", "test"] = "dev"

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, value: object) -> object:
        if isinstance(value, str):
            v = value.strip().lower()
            if v in {"supported", "support", "supports", "yes", "true", "1", "entailed", "entailment"}:
                return True
            if v in {
                "unsupported",
                "not_supported",
                "not supported",
                "no",
                "false",
                "0",
                "contradicted",
                "contradiction",
                "neutral",
            }:
                return False
        return value

    @field_validator("perturbation", mode="before")
    @classmethod
    def _perturbation(cls, value: object) -> object:
        return value or "none"


def _read_jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    if not path.exists():
        raise DatasetError(f"{path}: not found")
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc


def load_questions(
    path: Path = QUESTIONS_PATH, split: Split = "all", limit: int | None = None
) -> list[EvalQuestion]:
    """Questions of one split (or all), in file order; `limit` keeps the first N after filtering."""
    out: list[EvalQuestion] = []
    seen: set[str] = set()
    for lineno, raw in _read_jsonl(Path(path)):
        try:
            q = EvalQuestion.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise DatasetError(f"{path}:{lineno}: {loc}: {first['msg']}") from exc
        if q.id in seen:
            raise DatasetError(f"{path}:{lineno}: duplicate id {q.id!r}")
        seen.add(q.id)
        if split == "all" or q.split == split:
            out.append(q)
    return out[:limit] if limit else out


def hash_split(question_id: str) -> Literal["dev", "test"]:
    """dev or test from the id alone: no one picks which questions land in the held-out half."""
    return "dev" if hashlib.sha256(question_id.encode()).digest()[0] % 2 == 0 else "test"


def load_question_set(
    paths: Sequence[Path], split: Split = "all", limit: int | None = None
) -> list[EvalQuestion]:
    """The questions of several files, in order; ids must be unique across them."""
    out: list[EvalQuestion] = []
    for path in paths:
        out += load_questions(path, split)
    ids = [q.id for q in out]
    if len(ids) != len(set(ids)):
        raise DatasetError(f"question ids repeat across {', '.join(str(p) for p in paths)}")
    return out[:limit] if limit else out


def load_support_pairs(path: Path = SUPPORT_LABELS_PATH) -> list[SupportPair]:
    out: list[SupportPair] = []
    for lineno, raw in _read_jsonl(Path(path)):
        try:
            out.append(SupportPair.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise DatasetError(f"{path}:{lineno}: {loc}: {first['msg']}") from exc
    return out
