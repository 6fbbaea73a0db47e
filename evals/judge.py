"""Judges for "does this passage support this sentence?".

The primary judge is the deterministic SupportChecker the chain itself uses, so citation scores are
reproducible in CI. Because the chain filters its sentences with that same checker, an independent
second opinion is worth having: an OpenAI-compatible chat endpoint, used only when configured
(POLICYQA_JUDGE_BASE_URL, POLICYQA_JUDGE_MODEL, optional POLICYQA_JUDGE_API_KEY).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from evals.metrics import Judge

log = logging.getLogger(__name__)

PROMPT = (
    "Passage:\n{passage}\n\nSentence:\n{sentence}\n\n"
    "Does the passage support the sentence (everything the sentence claims is stated in or directly "
    "follows from the passage)? Answer with one word: yes or no."
)


def checker_judge(checker) -> Judge:  # type: ignore[no-untyped-def]
    """rag.citations.SupportChecker as a Judge."""

    def judge(sentence: str, passages: Sequence[str]) -> bool:
        return bool(checker.check(sentence, list(passages)).supported)

    return judge


@dataclass
class LLMJudge:
    base_url: str
    model: str
    api_key: str = "not-needed"
    timeout_s: float = 60.0
    errors: int = 0
    calls: int = 0
    _cache: dict[tuple[str, str], bool] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> LLMJudge | None:
        base = os.environ.get("POLICYQA_JUDGE_BASE_URL")
        model = os.environ.get("POLICYQA_JUDGE_MODEL")
        if not base or not model:
            return None
        return cls(base.rstrip("/"), model, os.environ.get("POLICYQA_JUDGE_API_KEY", "not-needed"))

    def __call__(self, sentence: str, passages: Sequence[str]) -> bool:
        passage = "\n\n".join(passages)
        key = (sentence, passage)
        if key not in self._cache:
            self._cache[key] = self._ask(sentence, passage)
        return self._cache[key]

    def _ask(self, sentence: str, passage: str) -> bool:
        self.calls += 1
        body = {
            "model": self.model,
            "temperature": 0,
            "max_tokens": 3,
            "messages": [{"role": "user", "content": PROMPT.format(passage=passage, sentence=sentence)}],
        }
        try:
            r = httpx.post(
                f"{self.base_url}/chat/completions",
                json=body,
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout_s,
            )
            r.raise_for_status()
            text = r.json()["choices"][0]["message"]["content"] or ""
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            # A flaky judge must not sink the run; errors are counted and reported as "not supported".
            self.errors += 1
            log.warning("judge call failed: %s", exc)
            return False
        return parse_yes_no(text)


def parse_yes_no(text: str) -> bool:
    return text.strip().lstrip("*\"' ").lower().startswith("yes")
