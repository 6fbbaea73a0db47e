"""Entry points run in child processes, so that each measurement gets a clean process and its own peak RSS.

    python -m bench.workers ingest --system ours|baseline --data DIR --corpus DIR [--source DIR] --out JSON
    python -m bench.workers scale-build --factor F --src DIR --data DIR --base-data DIR --out JSON
    python -m bench.workers scale-mem --system ours|baseline --data DIR --out JSON
    python -m bench.workers scale-latency --data DIR --base-data DIR --questions N --out JSON

Each writes one JSON object to --out; logs go to stderr (the parent sends them to a log file).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

from bench.procs import proc_status_mib

log = logging.getLogger("bench.workers")

BASELINE_COLLECTION_SUFFIX = "_baseline"


def _settings(data: Path, corpus: Path | None = None):  # type: ignore[no-untyped-def]
    from rag.core.settings import Settings

    kw: dict[str, Any] = {"data_dir": data, "_env_file": None}
    if corpus is not None:
        kw["corpus_dir"] = corpus
    return Settings(**kw)


# -- ingest -------------------------------------------------------------------------------------------
def ingest_ours(data: Path, corpus: Path, source: Path) -> dict[str, Any]:
    from ingest.pipeline import ingest
    from rag.container import open_index

    settings = _settings(data, corpus)
    t0 = time.perf_counter()
    index = open_index(settings)
    load_s = time.perf_counter() - t0
    report = ingest([str(source)], settings, index)
    return {
        "seconds": report.seconds,
        "load_s": load_s,
        "chunks": report.chunks,
        "embedded": report.embedded,
        "embed_seconds": report.embed_seconds,
        "embeddings_per_s": report.embeddings_per_s,
        "failed": [f.source for f in report.failed],
        "index_count": index.count(),
    }


def ingest_baseline(data: Path, corpus: Path) -> dict[str, Any]:
    """The tutorial pipeline's ingest: NaiveRAG builds its collection, or skips when its fingerprint
    matches."""
    from evals.baseline import NaiveRAG, load_raw_documents, naive_embeddings, split_documents
    from rag.container import Services

    settings = _settings(data, corpus)
    services = Services(settings)
    t0 = time.perf_counter()
    emb = naive_embeddings(settings)
    load_s = time.perf_counter() - t0
    before, secs_before = emb.docs_embedded, emb.embed_seconds
    t0 = time.perf_counter()
    naive = NaiveRAG(services, embeddings=emb)
    seconds = time.perf_counter() - t0
    embedded = emb.docs_embedded - before
    embed_s = emb.embed_seconds - secs_before
    # The baseline builds all or nothing, so its chunk count is the splitter's output either way.
    chunks = len(split_documents(load_raw_documents(corpus)))
    return {
        "seconds": seconds,
        "load_s": load_s,
        "chunks": chunks,
        "embedded": embedded,
        "embed_seconds": embed_s,
        "embeddings_per_s": embedded / embed_s if embed_s else 0.0,
        "failed": [],
        "index_count": naive.vectorstore._collection.count(),
    }


# -- scale ----------------------------------------------------------------------------------------------
class _NoEmbeddings:
    """Stands in for the model while building a synthetic store: nothing may be embedded there."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("the synthetic scale store must not embed")

    def embed_query(self, text: str) -> list[float]:
        raise RuntimeError("the synthetic scale store must not embed")


def _add_in_batches(collection, ids, texts, metadatas, vectors, max_batch: int) -> None:  # type: ignore[no-untyped-def]
    """`texts` None: records without a document (the sentence index keeps only vectors)."""
    for i in range(0, len(ids), max_batch):
        collection.add(
            ids=ids[i : i + max_batch],
            documents=None if texts is None else texts[i : i + max_batch],
            metadatas=metadatas[i : i + max_batch],
            embeddings=vectors[i : i + max_batch],
        )


def _fill(collection, got: dict[str, Any], factor: int, max_batch: int) -> int:  # type: ignore[no-untyped-def]
    import numpy as np

    from bench.synth import synthetic_chunks

    vecs = np.asarray(got["embeddings"], dtype=np.float32)
    _add_in_batches(
        collection, list(got["ids"]), list(got["documents"]), list(got["metadatas"]), vecs, max_batch
    )
    n = len(got["ids"])
    for batch in synthetic_chunks(
        got["ids"], got["documents"], got["metadatas"], vecs, factor, batch_size=max_batch
    ):
        _add_in_batches(collection, batch.ids, batch.texts, batch.metadatas, batch.vectors, max_batch)
        n += len(batch.ids)
    return n


def _fill_sentences(collection, src_client, name: str, factor: int, max_batch: int) -> int:  # type: ignore[no-untyped-def]
    """The real sentence records, then their replicas (bench.synth.synthetic_sentences)."""
    import numpy as np

    from bench.synth import synthetic_sentences

    got = src_client.get_collection(f"{name}__sentences").get(include=["embeddings", "metadatas"])
    vecs = np.asarray(got["embeddings"], dtype=np.float32)
    ids, mds = list(got["ids"]), list(got["metadatas"])
    _add_in_batches(collection, ids, None, mds, vecs, max_batch)
    n = len(ids)
    for batch in synthetic_sentences(ids, mds, vecs, factor, batch_size=max_batch):
        _add_in_batches(collection, batch.ids, None, batch.metadatas, batch.vectors, max_batch)
        n += len(batch.ids)
    return n


def scale_build(factor: int, src: Path, data: Path, base_data: Path) -> dict[str, Any]:
    """Our store (chunks + BM25) and the baseline's collection at `factor`× from the real vectors, no
    embedding."""

    from rag.references import doc_aliases_from_manifest
    from rag.retrieval import Searcher
    from rag.store.client import COLLECTION_METADATA, chroma_client
    from rag.store.index import Index

    src_settings = _settings(src)
    src_client = chroma_client(src_settings)
    ours_real = src_client.get_collection(src_settings.collection).get(
        include=["embeddings", "documents", "metadatas"]
    )
    base_name = src_settings.collection + BASELINE_COLLECTION_SUFFIX
    base_real = src_client.get_collection(base_name).get(include=["embeddings", "documents", "metadatas"])

    settings = _settings(data)
    index = Index(settings, _NoEmbeddings())  # type: ignore[arg-type]
    max_batch = index.client.get_max_batch_size()
    t0 = time.perf_counter()
    n_ours = _fill(index.chunks, ours_real, factor, max_batch)
    ours_add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_sentences = _fill_sentences(
        index.sentences.collection, src_client, src_settings.collection, factor, max_batch
    )
    sentences_add_s = time.perf_counter() - t0
    aliases = doc_aliases_from_manifest(settings.corpus_dir / "manifest.json")
    t0 = time.perf_counter()
    searcher = Searcher(index, settings, aliases)
    bm25_s = time.perf_counter() - t0
    assert searcher.lexical is not None and len(searcher.lexical.ids) == n_ours

    base_settings = _settings(base_data)
    base_client = chroma_client(base_settings)
    base_col = base_client.get_or_create_collection(base_name, metadata=dict(COLLECTION_METADATA))
    t0 = time.perf_counter()
    n_base = _fill(base_col, base_real, factor, max_batch)
    base_add_s = time.perf_counter() - t0
    return {
        "factor": factor,
        "ours_chunks": n_ours,
        "baseline_chunks": n_base,
        "ours_add_s": ours_add_s,
        "ours_sentences": n_sentences,
        "ours_sentences_add_s": sentences_add_s,
        "ours_bm25_build_s": bm25_s,
        "baseline_add_s": base_add_s,
    }


def _baseline_store(data: Path, embedder):  # type: ignore[no-untyped-def]
    from langchain_chroma import Chroma

    from rag.store.client import chroma_client

    settings = _settings(data)
    client = chroma_client(settings)
    return Chroma(
        client=client,
        collection_name=settings.collection + BASELINE_COLLECTION_SUFFIX,
        embedding_function=embedder,
    )


def scale_mem(system: str, data: Path) -> dict[str, Any]:
    """RSS of one system serving the store: models, store handles and in-memory tables loaded, 3 queries
    run."""
    from rag.container import Services

    warm = ["What does Article 5 prohibit?", "When was the AI Safety Institute set up?", "risk management"]
    t0 = time.perf_counter()
    services = Services(_settings(data))
    if system == "ours":
        services.warm_up()  # as the server does at start-up
        chain = services.chain
        from rag.chain import AskRequest

        for q in warm:
            chain.invoke(AskRequest(question=q))
    else:
        from evals.baseline import naive_embeddings

        store = _baseline_store(data, naive_embeddings(services.settings))
        for q in warm:
            store.similarity_search(q, k=5)
    out = {"system": system, "load_and_warm_s": time.perf_counter() - t0, **proc_status_mib()}
    # How much of that RSS is freed heap that glibc keeps (large transient `get()` results) rather than
    # live data.
    out["VmRSS_after_trim"] = _trimmed_rss()
    return out


def _trimmed_rss() -> float | None:
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc
        return None
    return proc_status_mib().get("VmRSS")


def scale_latency(data: Path, base_data: Path, n_questions: int, profile: Path | None) -> dict[str, Any]:
    """Warm retrieval latency of both systems on one scaled store pair, in alternating blocks of questions.

    With `profile`, our retrieval path is then profiled once more over the same questions and the
    summary and full listing are written there (hotspots at scale differ from those at 1×).
    """
    from bench.retrieval import RetrievalHarness, dev_questions

    harness = RetrievalHarness.open(_settings(data), baseline_store=_baseline_store(base_data, None))
    qs = dev_questions(n_questions)
    times = harness.alternating_latency(qs, rounds=2)
    if profile is not None:
        from bench.profiling import profile_calls, render

        n = harness.services.index.count()
        stats = profile_calls(harness.ours, qs, before_each=harness._clear_query_cache)
        summary, full = render({f"retrieval only, synthetic index of {n:,} chunks": (stats, len(qs))})
        profile.write_text(json.dumps({"summary": summary, "full": full}))
    return {"n_questions": len(qs), **times}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="bench.workers")
    p.add_argument("command", choices=["ingest", "scale-build", "scale-mem", "scale-latency"])
    p.add_argument("--system", choices=["ours", "baseline"], default="ours")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--corpus", type=Path)
    p.add_argument("--source", type=Path, help="What ours ingests (default: --corpus).")
    p.add_argument("--src", type=Path)
    p.add_argument("--base-data", type=Path)
    p.add_argument("--factor", type=int, default=1)
    p.add_argument("--questions", type=int, default=20)
    p.add_argument(
        "--profile", type=Path, help="scale-latency: also profile our retrieval path into this file"
    )
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if a.command == "ingest":
        corpus = a.corpus
        res = (
            ingest_ours(a.data, corpus, a.source or corpus)
            if a.system == "ours"
            else ingest_baseline(a.data, corpus)
        )
    elif a.command == "scale-build":
        res = scale_build(a.factor, a.src, a.data, a.base_data)
    elif a.command == "scale-mem":
        res = scale_mem(a.system, a.data)
    else:
        res = scale_latency(a.data, a.base_data, a.questions, a.profile)
    res.update({f"proc_{k}": v for k, v in proc_status_mib().items()})
    a.out.write_text(json.dumps(res, default=str))


if __name__ == "__main__":
    main()
