"""The one contract every answerer implements, and the errors the chain turns into a fallback."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from rag.core.models import ChatTurn, Source


@runtime_checkable
class Answerer(Protocol):
    name: str  # its mode: one of rag.answerers.registry.MODE_NAMES

    def stream(
        self, question: str, sources: Sequence[Source], history: Sequence[ChatTurn] = ()
    ) -> Iterator[str]:
        """Text deltas of the answer. May raise AnswererError, also after some deltas were yielded."""
        ...

    def condense(self, question: str, history: Sequence[ChatTurn]) -> str:
        """`question` rewritten to stand alone given `history`."""
        ...


class AnswererError(RuntimeError):
    """The backend is down, timed out or produced nothing usable; the chain falls back to extractive."""


class ModelMissingError(AnswererError):
    """The local model file is not there; the message names the package to install or the bad path."""
