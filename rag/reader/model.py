"""The reader's model, kept as JSON in the repository: a logistic sentence scorer and the abstention rule.

JSON and a dot product rather than a pickled scikit-learn estimator: the file is reviewable in a diff
(the learned weights are the documentation), loading it runs no code, and answering does not import
scikit-learn. Training (evals/train_reader.py) writes it; `rag/data/reader.json` is the shipped one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from rag.reader.answerability import AbstentionRule

READER_PATH = Path(__file__).resolve().parents[1] / "data" / "reader.json"


class LogisticModel(BaseModel):
    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        if not len(rows):
            return np.zeros(0)
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))

    def columns(self, names: tuple[str, ...]) -> list[int]:
        """Where this model's features sit among `names` (the full feature row)."""
        return [names.index(f) for f in self.features]


class ReaderFile(BaseModel):
    """The models and where they came from: same training data → byte-identical file."""

    version: int = 1
    data_sha256: str = Field(description="Hash of the training rows: the questions, features and labels.")
    trained_on: str = Field(description="Which questions: sets and split.")
    sentence: LogisticModel
    # The same kind of scorer without the query adapter's similarities: its best probability decides
    # answerability. The adapter makes a near miss's answer-shaped sentences look likely (on dev,
    # abstention recall 0.38 -> 0.30 at the false-abstention budget), while it ranks better (top-1 0.45 ->
    # 0.53), so each job gets the model that does it best. None: the sentence model decides.
    confidence: LogisticModel | None = None
    abstention: AbstentionRule
    cv: dict[str, float] = Field(default_factory=dict, description="Cross-validated scores on dev.")


class ReaderMissingError(RuntimeError):
    """The reader's model file is missing or does not match the code's features."""


@lru_cache(maxsize=4)
def load_reader(path: Path = READER_PATH) -> ReaderFile:
    if not path.exists():
        raise ReaderMissingError(f"{path} is missing; train it with `policyqa train-reader` (make train)")
    model = ReaderFile.model_validate_json(path.read_text(encoding="utf-8"))
    from rag.reader.features import FEATURES

    confidence = model.confidence.features if model.confidence else []
    if model.sentence.features != list(FEATURES) or not set(confidence) <= set(FEATURES):
        raise ReaderMissingError(
            f"{path} was trained on other features; retrain with `policyqa train-reader`"
        )
    return model
