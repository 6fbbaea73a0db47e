"""One question request, validated once, for every surface: the CLI, the HTTP API and the Gradio UI.

The checks that depend on the settings (question length, history turns, top_k ceiling, the modes a
surface offers) live here, with one message per problem. Each surface only decides how to show a
`QuestionError`: the CLI as one line and exit code 2, the API as a 422, Gradio as a notice or gr.Error.

Light on purpose (pydantic only): `policyqa ask` imports it before any model loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

EMPTY = "question must not be empty"


class QuestionError(ValueError):
    """A question the settings do not admit. `code` says which check failed (empty, too_long, history,
    mode, top_k); `str()` is the one readable message that every surface shows."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def require_text(value: str) -> str:
    """At least one non-space character (the check the API schema applies too)."""
    if not value.strip():
        raise QuestionError("empty", EMPTY)
    return value


# A question string as every request model declares it.
QuestionText = Annotated[str, AfterValidator(require_text)]


class QuestionLimits(BaseModel):
    """What one surface admits. `modes=None` leaves the mode to the caller (the API's schema)."""

    model_config = ConfigDict(frozen=True)

    max_question_chars: int
    max_history_turns: int
    max_top_k: int
    modes: tuple[str, ...] | None = None
    top_k_name: str = "top_k"  # how the surface spells the option in messages ("--top-k" in the CLI)

    @classmethod
    def of(cls, settings: Any, modes: Sequence[str] | None = None, top_k_name: str = "top_k") -> Self:
        return cls(
            max_question_chars=settings.max_question_chars,
            max_history_turns=settings.max_history_turns,
            max_top_k=settings.max_top_k,
            modes=tuple(modes) if modes is not None else None,
            top_k_name=top_k_name,
        )


class QuestionRequest(BaseModel):
    """The question and the options every surface shares; `checked` validates it against limits."""

    question: QuestionText
    history_turns: int = Field(0, ge=0)
    mode: str | None = None
    top_k: int | None = None

    @model_validator(mode="after")
    def _within_limits(self, info: ValidationInfo) -> Self:
        limits: QuestionLimits | None = (info.context or {}).get("limits")
        if limits is None:
            return self
        n, limit = len(self.question), limits.max_question_chars
        if n > limit:
            raise QuestionError(
                "too_long", f"question is too long ({n} characters; longer than the limit of {limit})"
            )
        if self.history_turns > limits.max_history_turns:
            raise QuestionError(
                "history",
                f"too many history turns ({self.history_turns}; the limit is {limits.max_history_turns})",
            )
        if self.mode and limits.modes is not None and self.mode not in limits.modes:
            raise QuestionError("mode", f"unknown mode {self.mode!r}; available: {', '.join(limits.modes)}")
        if self.top_k is not None and not 1 <= self.top_k <= limits.max_top_k:
            raise QuestionError("top_k", f"{limits.top_k_name} must be between 1 and {limits.max_top_k}")
        return self

    @classmethod
    def checked(cls, limits: QuestionLimits, **fields: Any) -> QuestionRequest:
        """The validated request, or a `QuestionError` carrying the first problem."""
        try:
            return cls.model_validate(fields, context={"limits": limits})
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            error = first.get("ctx", {}).get("error")
            if isinstance(error, QuestionError):
                raise error from None
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise QuestionError("invalid", f"{where}: {first.get('msg', 'invalid value')}") from None


def sentence(message: str) -> str:
    """A message as a sentence for a notice in the chat ("question is …" → "Question is ….")."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
