"""A learned linear map on the question's vector before it is compared with sentences: q → q + U(Vᵀq).

MiniLM is a symmetric model: a question's vector lies nearest to other questions and to headings
that echo its words, not to the statement that answers it ("can a country walk away from the
treaty?" against "Any Party may, at any time, denounce this Convention"). A low-rank map, trained on
the dev questions' gold sentences against the other retrieved sentences (evals/train_adapter.py),
moves question vectors towards answers. The corpus's sentence vectors are left as they are, so
nothing is re-embedded. This is the "embedding adapter" of Chroma's technical report (2024), kept
low-rank so that 150 questions cannot memorise 147k parameters. Hand-written because neither
sentence-transformers nor LangChain has a query-only adapter for a frozen store.

The file (rag/data/query_adapter.json) is JSON for the reasons rag/reader/model.py gives.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, PrivateAttr

ADAPTER_PATH = Path(__file__).resolve().parents[1] / "data" / "query_adapter.json"


class QueryAdapterMissingError(RuntimeError):
    """The adapter file is missing or does not fit the embedding model."""


class QueryAdapter(BaseModel):
    version: int = 1
    data_sha256: str = Field(description="Hash of the training vectors and labels.")
    trained_on: str
    settings: dict[str, float] = Field(default_factory=dict, description="rank, L2, temperature, steps")
    cv: dict[str, float] = Field(default_factory=dict, description="Held-out scores on dev.")
    u: list[list[float]]  # dim × rank
    v: list[list[float]]  # dim × rank
    _u: np.ndarray = PrivateAttr()
    _v: np.ndarray = PrivateAttr()

    def model_post_init(self, _: object) -> None:
        self._u = np.asarray(self.u, dtype=np.float32)
        self._v = np.asarray(self.v, dtype=np.float32)

    @property
    def dim(self) -> int:
        return int(self._u.shape[0])

    def apply(self, qvec: np.ndarray) -> np.ndarray:
        """The adapted, L2-normalised question vector."""
        out = qvec + self._u @ (self._v.T @ qvec)
        norm = float(np.linalg.norm(out))
        return (out / norm).astype(np.float32) if norm else qvec


@lru_cache(maxsize=4)
def load_query_adapter(path: Path = ADAPTER_PATH, dim: int | None = None) -> QueryAdapter:
    if not path.exists():
        raise QueryAdapterMissingError(
            f"{path} is missing; train it with `policyqa train-reader` (make train), "
            "or set POLICYQA_QUERY_ADAPTER=false"
        )
    adapter = QueryAdapter.model_validate_json(path.read_text(encoding="utf-8"))
    if dim is not None and adapter.dim != dim:
        raise QueryAdapterMissingError(
            f"{path} was trained for {adapter.dim}-d vectors, the embedding model gives {dim}; "
            "retrain with `policyqa train-reader`"
        )
    return adapter
