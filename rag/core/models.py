"""The one result model that travels from the chain to the CLI, the API, the UI and the evals."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Mode = Literal["extractive", "local", "openai"]


class Source(BaseModel):
    """A passage handed to the answerer, numbered `n` in rank order (1-based)."""

    n: int = Field(description="Number used in [n] citations; 1-based rank order.")
    chunk_id: str
    doc_id: str
    title: str
    publisher: str = ""
    date: str = ""
    section: str = Field("", description="Heading path, e.g. 'EU AI Act › Chapter II › Article 5 › 1(f)'.")
    titled_section: str = Field(
        "", description="The heading path with each numbered heading's title ('Article 5 — Prohibited AI …')."
    )
    text: str = Field(description="The passage text, verbatim from the cleaned document.")
    start: int = Field(description="Character offset of the passage in the cleaned document text.")
    end: int
    url: str = ""
    score: float = 0.0

    def holds(self, text: str, start: int, end: int) -> bool:
        """`text` is this passage's own characters at these document offsets, and long enough to be a claim
        (the checker's own verbatim rule leaves quotes under four words to its other checks)."""
        a, b = start - self.start, end - self.start
        return 0 <= a < b <= len(self.text) and self.text[a:b] == text and len(text.split()) >= 4


class Citation(Source):
    """A source that the answer actually cites; `quote` is the cited span inside `text` when known."""

    quote: str = ""
    quote_start: int | None = Field(None, description="Offset of the quote in the document, if located.")
    quote_end: int | None = None


class Sentence(BaseModel):
    text: str
    citations: list[int] = Field(default_factory=list, description="Source numbers cited by this sentence.")
    verified: bool = Field(description="True when the cited sources support the sentence.")
    reason: str = ""


class Check(BaseModel):
    """One check that an answer went through, and its outcome: what "verified" rests on."""

    name: str = Field(description='"support" (each sentence by its cited source) or "completeness:<type>".')
    passed: bool
    detail: str = ""


class ChatTurn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str


class Filters(BaseModel):
    doc_ids: list[str] | None = None
    publisher: str | None = None
    date_from: str | None = Field(
        None, description="Inclusive, ISO date prefix (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    date_to: str | None = None


class Answer(BaseModel):
    answer: str
    abstained: bool = False
    mode: Mode
    question: str
    standalone_question: str
    citations: list[Citation] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    sentences: list[Sentence] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list, description="The checks this answer went through.")
    question_language: str = Field(
        "en", description='"ja" for a Japanese question: `standalone_question` is then the English search.'
    )
    confidence: float | None = Field(
        None,
        description="The reader's probability that its best sentence answers the question (None: no reader).",
    )
    corpus_version: str = Field("", description="Fingerprint of the store the answer was drawn from.")
    id: str | None = Field(
        None,
        description="Set when the server kept the answer: /a/{id} shows it, /api/answers/{id} exports it.",
    )
