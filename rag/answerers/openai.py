"""Answers from any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp's server), via
langchain-openai.

Every failure of the endpoint becomes an AnswererError with one readable line, so that the chain can
fall back to the extractive answer and say why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

from rag.answerers.base import AnswererError
from rag.core.errors import one_line
from rag.core.models import ChatTurn, Source
from rag.core.settings import Settings
from rag.prompting import answer_messages, clean_condensed, condense_messages

log = logging.getLogger(__name__)

CONDENSE_MAX_TOKENS = 48


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost cause: langchain and openai both wrap httpx's "Connection refused" in
    "Connection error"."""
    seen = {id(exc)}
    while exc.__cause__ is not None and id(exc.__cause__) not in seen:
        exc = exc.__cause__
        seen.add(id(exc))
    return exc


def _is_openai_host(base_url: str) -> bool:
    host = urlparse(base_url).hostname or ""
    return host == "api.openai.com" or host.endswith(".openai.azure.com")


def _content(chunk: Any) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, str):
        return content
    # Some providers send a list of content parts; keep only their text.
    return "".join(p.get("text", "") for p in content if isinstance(p, dict))


class OpenAIAnswerer:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        if not settings.openai_base_url:
            raise AnswererError("openai mode needs POLICYQA_OPENAI_BASE_URL")
        self.base_url = settings.openai_base_url
        self.model = settings.openai_model
        self.timeout_s = settings.llm_timeout_s
        self.source_budget_chars = max(int((settings.llm_ctx - settings.llm_max_tokens - 400) * 3.5), 1000)
        self._answer_llm = self._client(settings, settings.llm_max_tokens)
        self._condense_llm = self._client(settings, CONDENSE_MAX_TOKENS)

    def _client(self, settings: Settings, max_tokens: int) -> Any:
        from langchain_openai import ChatOpenAI

        # langchain-openai sends the limit as `max_completion_tokens`, which llama.cpp's server and
        # older Ollama ignore (they generate until n_ctx). Other hosts also get the classic field.
        extra_body = None if _is_openai_host(self.base_url) else {"max_tokens": max_tokens}
        return ChatOpenAI(
            base_url=self.base_url,
            model=self.model,
            api_key=settings.openai_api_key,
            temperature=0,
            max_tokens=max_tokens,
            timeout=self.timeout_s,
            max_retries=0,  # the chain has a fallback; retries would only delay it
            streaming=True,
            extra_body=extra_body,
        )

    # -- the Answerer contract -------------------------------------------------------------------

    def stream(
        self, question: str, sources: Sequence[Source], history: Sequence[ChatTurn] = ()
    ) -> Iterator[str]:
        produced = False
        # The remote context size is unknown; budget the sources by POLICYQA_LLM_CTX (≈3.5 chars/token),
        # leaving room for the instructions and the answer, so a small server context is never overrun.
        messages = answer_messages(question, sources, history, max_source_chars=self.source_budget_chars)
        for delta in self._stream(self._answer_llm, messages):
            produced = produced or bool(delta.strip())
            yield delta
        if not produced:
            raise AnswererError(f"{self._where()} returned an empty answer")

    def condense(self, question: str, history: Sequence[ChatTurn]) -> str:
        if not history:
            return question
        output = "".join(self._stream(self._condense_llm, condense_messages(question, history)))
        return clean_condensed(output, question, history)

    # -- plumbing ----------------------------------------------------------------------------------

    def _where(self) -> str:
        return f"openai endpoint {self.base_url} (model {self.model})"

    def _stream(self, llm: Any, messages: list[dict[str, str]]) -> Iterator[str]:
        import httpx
        import openai
        from langchain_core.exceptions import LangChainException

        deadline = time.monotonic() + self.timeout_s
        try:
            for chunk in llm.stream(messages):
                text = _content(chunk)
                if text:
                    yield text
                # The client's timeout is per read; a trickling stream could otherwise run forever.
                if time.monotonic() > deadline:
                    raise AnswererError(f"{self._where()} timed out after {self.timeout_s:.0f}s")
        except AnswererError:
            raise
        except openai.APITimeoutError as exc:
            raise AnswererError(f"{self._where()} timed out after {self.timeout_s:.0f}s") from exc
        except openai.APIConnectionError as exc:
            raise AnswererError(f"{self._where()} unreachable: {one_line(_root_cause(exc))}") from exc
        except openai.APIStatusError as exc:
            raise AnswererError(f"{self._where()} answered HTTP {exc.status_code}: {one_line(exc)}") from exc
        except (
            openai.OpenAIError,
            LangChainException,
            httpx.HTTPError,
            ValueError,
            KeyError,
            TypeError,
        ) as exc:
            raise AnswererError(f"{self._where()} failed: {one_line(exc)}") from exc
