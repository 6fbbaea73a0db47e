"""The LangChain face of the Searcher: a BaseRetriever whose Documents carry their scores in metadata."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.core.models import Filters
from rag.retrieval.searcher import Searcher


class HybridRetriever(BaseRetriever):
    """LangChain face of the Searcher: `invoke(query, k=...)` returns Documents with scores in metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None, **kwargs: Any
    ) -> list[Document]:
        k = k or self.k
        hits = self.searcher.search(
            query, fetch_k=max(k, self.searcher.settings.fetch_k), filters=self.filters
        )
        out = []
        for h in hits[:k]:
            md = {**h.doc.metadata, "score": h.score, "dense": h.dense, "bm25": h.bm25, "ref": h.ref}
            out.append(Document(id=h.doc.id, page_content=h.doc.page_content, metadata=md))
        return out
