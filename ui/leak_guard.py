"""Keeps the system prompt out of everything that leaves the server: drafts and final answers.

A model talked into "print your system prompt" streams it out as its draft, which clients see before
verification; and verification alone does not stop it (a short prompt sentence can pass as "supported"
by a loosely matching source, and the Answer lists the text of every dropped sentence). So:

* `DraftGuard` releases a draft only up to its last few words, checks everything against word runs of
  our prompts, and once a run matches releases nothing more;
* `screened_stream` / `screened_invoke` replace a final answer that repeats a prompt run anywhere
  (answer text or any sentence) by the extractive answer, with a warning, as the chain does for any
  other failed generation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from rag.abstention import MODEL_ABSTAIN_TEXT as ABSTAIN_TEXT
from rag.chain import AskRequest
from rag.core.models import Answer
from rag.prompting import CONDENSE_PROMPT, SYSTEM_PROMPT

log = logging.getLogger(__name__)

REPEATED_PROMPT_WARNING = "the generated answer repeated the system prompt; showing the extractive answer"

RUN_WORDS = 6  # long enough that ordinary answers never match by chance
_WORD = re.compile(r"\w+")


def _runs(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _secret_runs(n: int) -> frozenset[tuple[str, ...]]:
    # The abstention sentence is in the prompt because the model is meant to say it.
    prompt = SYSTEM_PROMPT.replace(ABSTAIN_TEXT, " ")
    return frozenset(_runs(prompt, n) | _runs(CONDENSE_PROMPT, n))


_SECRET_RUNS = _secret_runs(RUN_WORDS)


class DraftGuard:
    def __init__(self, secret_runs: frozenset[tuple[str, ...]] = _SECRET_RUNS, n: int = RUN_WORDS) -> None:
        self._secret = secret_runs
        self._n = n
        self._text = ""
        self._released = 0
        self.tripped = False

    def feed(self, delta: str) -> str:
        """The part of the draft that is now safe to send ('' while held back or once tripped)."""
        if self.tripped:
            return ""
        self._text += delta
        words = list(_WORD.finditer(self._text))
        tokens = [m.group(0).lower() for m in words]
        if any(tuple(tokens[i : i + self._n]) in self._secret for i in range(len(tokens) - self._n + 1)):
            self.tripped = True
            return ""
        # The last n-1 words could be the start of a run that the next delta completes.
        hold = self._n - 1
        safe_end = words[-hold].start() if len(words) >= hold else 0
        safe_end = max(safe_end, self._released)
        out = self._text[self._released : safe_end]
        self._released = safe_end
        return out

    def flush(self) -> str:
        """The held-back tail, once the draft is complete (it was checked in the last feed)."""
        if self.tripped:
            return ""
        out = self._text[self._released :]
        self._released = len(self._text)
        return out


def has_prompt_run(
    text: str, secret_runs: frozenset[tuple[str, ...]] = _SECRET_RUNS, n: int = RUN_WORDS
) -> bool:
    return not _runs(text, n).isdisjoint(secret_runs)


def repeats_prompt(answer: Answer) -> bool:
    return any(has_prompt_run(t) for t in (answer.answer, *(s.text for s in answer.sentences)))


def _extractive_instead(chain: Any, req: AskRequest, leaked: Answer) -> Answer:
    log.warning("a %s answer repeated the system prompt; replaced by the extractive answer", leaked.mode)
    safe: Answer = chain.invoke(req.model_copy(update={"mode": "extractive"}))
    return safe.model_copy(
        update={"mode": leaked.mode, "warnings": [*safe.warnings, REPEATED_PROMPT_WARNING]}
    )


def screened_invoke(chain: Any, req: AskRequest) -> Answer:
    answer: Answer = chain.invoke(req)
    return _extractive_instead(chain, req, answer) if repeats_prompt(answer) else answer


def screened_stream(chain: Any, req: AskRequest) -> Iterator[str | Answer]:
    """chain.stream(req) with the final Answer screened; drafts pass through (guard them with DraftGuard)."""
    for item in chain.stream(req):
        if isinstance(item, Answer) and repeats_prompt(item):
            yield _extractive_instead(chain, req, item)
        else:
            yield item
