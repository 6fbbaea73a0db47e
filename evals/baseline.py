"""The naive LangChain RAG that tutorials build, run in-process on the same questions for comparison.

Raw corpus files → RecursiveCharacterTextSplitter(1000/200) → the same MiniLM embeddings → a separate
Chroma collection → `similarity_search` top-k → the same answerer. Deliberately absent: cleaning,
structure-aware chunks, BM25, clause lookup, document-name boosts, evidence reranking, follow-up
rewriting and abstention. Those are what the comparison is meant to measure.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.core.models import Answer, ChatTurn, Citation, Mode, Source
from rag.core.settings import Settings
from rag.store.embedder import MODEL_PACKAGE, Embedder
from rag.store.manifest import load_manifest

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
BUILD_BATCH = 128
# Part of the fingerprint: bump when the way the collection is built changes.
BASELINE_VERSION = "1"


def baseline_collection_name(main_collection: str) -> str:
    return f"{main_collection}_baseline"


def corpus_fingerprint(corpus_dir: Path, model_name: str) -> str:
    """Changes when a corpus file, the manifest, the splitter settings or the embedding model change."""
    h = hashlib.sha256(f"{BASELINE_VERSION}/{CHUNK_SIZE}/{CHUNK_OVERLAP}/{model_name}".encode())
    manifest = corpus_dir / "manifest.json"
    h.update(manifest.read_bytes())
    for meta in sorted(load_manifest(manifest).values(), key=lambda m: m.doc_id):
        h.update(meta.doc_id.encode())
        h.update(Path(meta.source).read_bytes())
    return h.hexdigest()[:16]


def load_raw_documents(corpus_dir: Path) -> list[Document]:
    """What a tutorial's TextLoader gives: each manifest file's raw text with the manifest metadata."""
    docs = []
    for meta in sorted(load_manifest(corpus_dir / "manifest.json").values(), key=lambda m: m.doc_id):
        text = Path(meta.source).read_text(encoding="utf-8")
        md = {
            "doc_id": meta.doc_id,
            "title": meta.title,
            "publisher": meta.publisher,
            "date": meta.date,
            "url": meta.url,
        }
        docs.append(Document(page_content=text, metadata=md))
    return docs


def split_documents(docs: Sequence[Document]) -> list[Document]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    return splitter.split_documents(list(docs))


def naive_embeddings(settings: Settings) -> Embedder:
    """The tutorial's embeddings: the same MiniLM through sentence-transformers (torch) for documents
    and queries alike, as HuggingFaceEmbeddings runs it; without our ONNX query encoder."""
    return Embedder(batch_size=settings.embed_batch_size, threads=settings.embed_threads, onnx_cache=None)


class NaiveRAG:
    """Tutorial RAG over a separate collection in the same Chroma client; built once, reused after."""

    def __init__(self, services, *, mode: Mode = "extractive", embeddings: Embedder | None = None) -> None:  # type: ignore[no-untyped-def]
        self.services = services
        self.settings = services.settings
        self.mode = mode
        self.embeddings = embeddings or naive_embeddings(self.settings)
        self.name = baseline_collection_name(self.settings.collection)
        self.vectorstore = self._open_or_build()

    # -- the store ----------------------------------------------------------------------------------
    def _open_or_build(self) -> Chroma:
        client = self.services.index.client
        fingerprint = corpus_fingerprint(self.settings.corpus_dir, MODEL_PACKAGE)
        existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
        if self.name in existing:
            col = client.get_collection(self.name)
            if (col.metadata or {}).get("fingerprint") == fingerprint and col.count() > 0:
                log.info("baseline collection %s is current (%d chunks)", self.name, col.count())
                return Chroma(client=client, collection_name=self.name, embedding_function=self.embeddings)
            log.info("baseline collection %s is stale; rebuilding", self.name)
            client.delete_collection(self.name)
        return self._build(client, fingerprint)

    def _build(self, client, fingerprint: str) -> Chroma:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        chunks = split_documents(load_raw_documents(self.settings.corpus_dir))
        # Collection metadata carries the fingerprint; cosine space as in the main collection, so
        # that only the pipeline differs, not the distance.
        store = Chroma(
            client=client,
            collection_name=self.name,
            embedding_function=self.embeddings,
            collection_metadata={"hnsw:space": "cosine", "fingerprint": fingerprint},
        )
        for i in range(0, len(chunks), BUILD_BATCH):
            batch = chunks[i : i + BUILD_BATCH]
            ids = [f"{d.metadata['doc_id']}:{d.metadata['start_index']}" for d in batch]
            store.add_documents(batch, ids=ids)
        log.info(
            "built baseline collection %s: %d chunks in %.1fs",
            self.name,
            len(chunks),
            time.perf_counter() - t0,
        )
        return store

    # -- answering ----------------------------------------------------------------------------------
    def retrieve(self, question: str, k: int) -> list[Source]:
        docs = self.vectorstore.similarity_search(question, k=k)
        sources = []
        for n, d in enumerate(docs, start=1):
            md = d.metadata
            start = int(md.get("start_index", 0))
            sources.append(
                Source(
                    n=n,
                    chunk_id=str(d.id or f"{md.get('doc_id', '')}:{start}"),
                    doc_id=md.get("doc_id", ""),
                    title=md.get("title", ""),
                    publisher=md.get("publisher", ""),
                    date=md.get("date", ""),
                    text=d.page_content,
                    start=start,
                    end=start + len(d.page_content),
                    url=md.get("url", ""),
                )
            )
        return sources

    def invoke(self, question: str, history: Sequence[ChatTurn] = (), k: int = 5) -> Answer:
        """Retrieve with the question as asked (no follow-up rewriting) and always answer."""
        from rag.citations.verification import verify

        timings: dict[str, float] = {}
        warnings: list[str] = []
        t_all = t = time.perf_counter()
        sources = self.retrieve(question, k)
        timings["retrieve"] = _ms(t)

        t = time.perf_counter()
        text = self._generate(question, sources, history, warnings)
        timings["generate"] = _ms(t)
        # The naive pipeline ends here; verifying is the eval's way of reading its citations.
        timings["total"] = _ms(t_all)

        t = time.perf_counter()
        verified = verify(unrender_extractive(text), sources, self.services.checker)
        timings["verify_for_eval"] = _ms(t)

        # The naive app shows whatever the answerer wrote; `verify` only parses it into sentences
        # with citations (and flags the unsupported ones), it does not filter here.
        by_n = {s.n: s for s in sources}
        quotes = {c.n: c for c in verified.citations}
        cited = sorted({n for s in verified.sentences for n in s.citations if n in by_n})
        citations = [quotes.get(n) or Citation(**by_n[n].model_dump()) for n in cited]
        return Answer(
            answer=text,
            abstained=False,
            mode=self.mode,
            question=question,
            standalone_question=question,
            citations=citations,
            sources=sources,
            sentences=verified.sentences,
            warnings=warnings,
            timings_ms=timings,
        )

    def _generate(
        self, question: str, sources: list[Source], history: Sequence[ChatTurn], warnings: list[str]
    ) -> str:
        if self.mode != "extractive":
            answerer = self.services.answerer(self.mode)
            if answerer is None:
                warnings.append(f"{self.mode} mode is not configured; baseline used the extractive answerer")
            else:
                try:
                    return "".join(answerer.stream(question, sources, list(history)))
                except Exception as exc:  # noqa: BLE001 - same fallback as the chain: like-for-like
                    warnings.append(
                        f"{self.mode} backend failed ({exc}); baseline used the extractive answerer"
                    )
        from rag.answerers.extractive import ExtractiveAnswerer

        return "".join(ExtractiveAnswerer().stream(question, sources))


# One line of a rendered extractive answer: `Label: “quote” [n]` or `“quote” [n]`.
_EXTRACTIVE_LINE = re.compile(r"^(?:[^“\n]*?:\s)?“(?P<quote>.*)”\s(?P<marker>\[\d+\])\s*$")


def unrender_extractive(text: str) -> str:
    """`quote [n]` per line: the sentences the extractive composer picked, without its label and quotes.

    The chain records its extractive sentences this way (the bare quotes), so the baseline's are
    judged on the same footing; otherwise the heading label and the nested quotation marks would
    count against it. Text in any other shape (generative modes) is returned unchanged.
    """
    lines = text.splitlines()
    parsed = [_EXTRACTIVE_LINE.match(line) for line in lines if line.strip()]
    if not parsed or not all(parsed):
        return text
    return "\n".join(f"{m['quote']} {m['marker']}" for m in parsed if m)


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 2)
