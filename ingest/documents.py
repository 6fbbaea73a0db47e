"""Chunks → LangChain Documents, with the document's provenance on every chunk (what the store indexes)."""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document

from ingest.chunking import Chunk
from rag.store.doc_meta import DocMeta
from rag.store.index import date_number


def chunk_documents(meta: DocMeta, chunks: list[Chunk]) -> list[Document]:
    """LangChain Documents for the chunks of one document, with the provenance on every chunk."""
    docs = []
    for ch in chunks:
        header = ch.context or ch.section  # the titled path: embedding and BM25 read it with the text
        content = f"{header}\n\n{ch.text}"
        md: dict[str, Any] = {
            "doc_id": meta.doc_id,
            "title": meta.title,
            "short_title": meta.short_title,
            "publisher": meta.publisher,
            "date": meta.date,
            "date_num": date_number(meta.date),
            "url": meta.url,
            "license": meta.license,
            "section": ch.section,
            # Delimited so that a substring test `|article 5(1)(f)|` is exact.
            "refs": "|" + "|".join(ch.refs) + "|" if ch.refs else "",
            "start": ch.start,
            "end": ch.end,
            "seq": ch.seq,
            "words": ch.words,
            "body_offset": len(header) + 2,
        }
        docs.append(Document(page_content=content, metadata=md))
    return docs
