"""Request and response models of the HTTP API (the answer itself is `rag.core.models.Answer`).

Limits that depend on the settings (question length, history turns, top_k ceiling) are checked by
`ui.question`, the one validation that the CLI and the chat UI use too, because a schema is static;
the descriptions name the setting.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.core.models import Mode
from ui.question import EMPTY, QuestionText

ISO_PREFIX = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
# Static upper bounds that keep a single request small whatever the settings say.
MAX_TURN_CHARS = 20_000
MAX_FILTER_IDS = 200

EXAMPLE_QUESTION = "Which AI practices are prohibited under the EU AI Act?"


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(default_factory=list, description="Where in the request the problem is.")
    msg: str
    type: str = ""


class ErrorResponse(BaseModel):
    """Every 4xx/5xx answer has this shape: one readable sentence, and field errors for 422."""

    detail: str = Field(examples=[EMPTY])
    errors: list[ErrorItem] | None = None


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=MAX_TURN_CHARS)


class FiltersIn(BaseModel):
    doc_ids: list[str] | None = Field(
        None, max_length=MAX_FILTER_IDS, description="Only these documents (ids from GET /api/documents)."
    )
    publisher: str | None = Field(
        None, max_length=200, description="Case-insensitive substring of the publisher."
    )
    date_from: str | None = Field(
        None, pattern=ISO_PREFIX, description="Inclusive: YYYY, YYYY-MM or YYYY-MM-DD."
    )
    date_to: str | None = Field(
        None, pattern=ISO_PREFIX, description="Inclusive: YYYY, YYYY-MM or YYYY-MM-DD."
    )


class AskBody(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": EXAMPLE_QUESTION},
                {
                    "question": "And which article lists them?",
                    "history": [
                        {"role": "user", "content": EXAMPLE_QUESTION},
                        {"role": "assistant", "content": "EU AI Act › Chapter II › Article 5: “…” [1]"},
                    ],
                    "top_k": 5,
                    "mode": "extractive",
                    "filters": {"doc_ids": ["eu-ai-act-regulation-2024-1689"]},
                },
            ]
        }
    )

    question: QuestionText = Field(
        description="The question; at most POLICYQA_MAX_QUESTION_CHARS characters (default 2000).",
        # Schema-only: at least one non-space character. QuestionText's validator gives the readable error.
        json_schema_extra={"pattern": r"\S"},
        examples=[EXAMPLE_QUESTION],
    )
    history: list[HistoryTurn] = Field(
        default_factory=list,
        description="Earlier turns, oldest first; at most POLICYQA_MAX_HISTORY_TURNS (default 20).",
    )
    top_k: int | None = Field(None, ge=1, description="Sources to use, 1..POLICYQA_MAX_TOP_K (default 20).")
    mode: Mode | None = Field(None, description="Answer mode; default POLICYQA_MODE.")
    filters: FiltersIn | None = None


# -- documents ---------------------------------------------------------------------------------------


class DocumentSummary(BaseModel):
    doc_id: str = Field(examples=["eu-ai-act-regulation-2024-1689"])
    title: str
    short_title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    license: str = ""
    chunks: int = Field(0, description="Number of indexed passages.")
    type: str = Field("", description="What it was loaded from: Markdown, PDF, Word, HTML, text, web page.")
    indexed_at: str = Field("", description="When it was last indexed (ISO, UTC); empty for older records.")


class DocumentDetail(DocumentSummary):
    text: str = Field(description="The cleaned document text; citation offsets point into it.")
    view_url: str = Field(description="HTML view of the document.")


class ChunkOut(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    section: str = Field("", description="Heading path of the passage.")
    text: str = Field(description="Passage text (without the heading line).")
    start: int = Field(description="Offset of the passage in the document text.")
    end: int
    view_url: str = Field(description="HTML view of the document with this span highlighted.")


class UrlUpload(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://example.org/ai-policy.html"}]})

    url: str = Field(
        min_length=1, max_length=2048, description="http(s) URL of an HTML, PDF, DOCX or text document."
    )


class IngestedDocument(BaseModel):
    doc_id: str
    title: str
    status: Literal["added", "updated", "unchanged"]
    chunks: int


class DeletedDocument(BaseModel):
    doc_id: str
    deleted_chunks: int


class IngestFile(BaseModel):
    doc_id: str = ""
    status: Literal["added", "updated", "unchanged", "failed", "removed"]
    chunks: int = 0
    embedded: int = Field(0, description="Passages embedded in this run (unchanged ones are skipped).")
    deleted: int = 0
    reason: str = Field("", description="Why the file failed, when it did.")


class IngestStatus(BaseModel):
    """One re-ingest of the corpus, started by POST /api/ingest and run in the background."""

    id: str
    state: Literal["running", "succeeded", "failed"]
    started_at: str = Field(description="ISO 8601, UTC.")
    finished_at: str | None = None
    prune: bool = False
    files: list[IngestFile] = Field(default_factory=list, description="Files processed so far.")
    repaired: int = Field(0, description="Records fixed by the crash repair that starts every ingest.")
    detail: str = ""


# -- health ------------------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    detail: str = ""
    documents: int | None = None
    chunks: int | None = None
    modes: list[str] = Field(default_factory=list)


# -- OpenAI-compatible --------------------------------------------------------------------------------


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if not self.content:
            return ""
        return "\n".join(p.text or "" for p in self.content if p.type == "text")


class ChatCompletionBody(BaseModel):
    """The subset of OpenAI's request that matters here; other OpenAI fields are accepted and ignored."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"model": "policyqa", "messages": [{"role": "user", "content": EXAMPLE_QUESTION}]},
                {
                    "model": "policyqa-extractive",
                    "stream": True,
                    "messages": [
                        {"role": "user", "content": "What does Article 50 of the EU AI Act require?"}
                    ],
                },
            ]
        },
    )

    model: str = Field(
        "policyqa", description="'policyqa' (default mode) or 'policyqa-<mode>'; see GET /v1/models."
    )
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    top_k: int | None = Field(None, ge=1, description="PolicyQA extension: sources to use.")
    filters: FiltersIn | None = Field(None, description="PolicyQA extension: retrieval filters.")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "policyqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class CompletionChoice(BaseModel):
    index: int = 0
    message: CompletionMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    """Whitespace-separated words, not model tokens: the extractive mode has no tokenizer."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage
    citations: list[dict[str, Any]] = Field(
        default_factory=list,
        description="PolicyQA extension: the cited sources, numbered as the [n] in the text.",
    )
    abstained: bool = Field(False, description="PolicyQA extension: the corpus does not cover the question.")
    warnings: list[str] = Field(default_factory=list, description="PolicyQA extension.")


def first_error_message(errors: list[dict[str, Any]]) -> str:
    """One readable sentence for the first validation error, e.g. 'top_k: Input should be ...'."""
    if not errors:
        return "invalid request"
    err = errors[0]
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    msg = re.sub(r"^Value error, ", "", str(err.get("msg", "invalid value")))
    if err.get("type") == "json_invalid":
        return f"malformed JSON body: {err.get('ctx', {}).get('error', msg)}"
    if err.get("type") == "missing" and loc:
        return f"{'.'.join(loc)} is required"
    if not loc or msg.startswith(loc[-1]):  # our own messages already name the field
        return msg
    return f"{'.'.join(loc)}: {msg}"
