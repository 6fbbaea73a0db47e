"""Exact-repeat answers from memory: the same extractive question over the same corpus is answered once.

Extractive answers are deterministic, so a repeat (a popular question, an example clicked in the UI, a
client retrying) gets the stored Answer instead of a second retrieval. The key holds everything an answer
depends on: the request as sent (question, history, mode, top_k, filters) and the corpus fingerprint, so
an ingest or a deletion makes every stored answer unreachable. Generative modes are never stored: their
backends change under us. Written by hand because LangChain's caches key LLM prompts, not whole answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from pydantic import BaseModel

from rag.core.models import Answer


class AnswerCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Answer] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(request: BaseModel, mode: str, top_k: int, corpus: str) -> str:
        return f"{corpus}|{mode}|{top_k}|{request.model_dump_json(exclude={'mode', 'top_k'})}"

    def get(self, key: str) -> Answer | None:
        if self.size <= 0:
            return None
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, answer: Answer) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = answer
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
