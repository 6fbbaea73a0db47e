"""Hybrid, clause- and document-aware retrieval, exposed as a LangChain BaseRetriever.

dense (Chroma, MiniLM) + BM25 (identifier-preserving tokens) → weighted reciprocal-rank fusion
→ clause references ("Article 5(1)(f)") ranked first → documents named in the question boosted.

`table` holds the chunks in memory, `lexical` the BM25 side, `fusion` the rank fusion, `searcher` the
pipeline over them, and `retriever` its LangChain face.
"""

from __future__ import annotations

from rag.retrieval.fusion import fuse
from rag.retrieval.lexical import LexicalIndex, idf_from_bm25
from rag.retrieval.retriever import HybridRetriever
from rag.retrieval.searcher import OTHER_DOC_FACTOR, Hit, Searcher
from rag.retrieval.table import ChunkTable

__all__ = [
    "OTHER_DOC_FACTOR",
    "ChunkTable",
    "Hit",
    "HybridRetriever",
    "LexicalIndex",
    "Searcher",
    "fuse",
    "idf_from_bm25",
]
