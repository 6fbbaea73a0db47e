"""load → clean → chunk → embed → index, one document at a time, with a per-file report.

A bad file is reported and skipped; it never stops the batch and never touches what the store
already holds for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ingest.chunking import chunk_document
from ingest.clean import clean_text
from ingest.documents import chunk_documents
from ingest.loaders import LoadedDocument, LoadError, LoadLimits, discover, load_path, load_url
from rag.core.settings import Settings
from rag.store.doc_meta import DocMeta
from rag.store.index import Index, IndexResult
from rag.store.manifest import MANIFEST_FILE, load_manifest

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "failed", "removed"]
# Bump when cleaning, chunking or what is indexed changes, so that `--if-stale` re-ingests
# (2: sentences; 3: titled heading paths).
PIPELINE_VERSION = "3"


class FileResult(BaseModel):
    """What happened to one source in an ingest run."""

    source: str
    doc_id: str = ""
    status: Status
    chunks: int = 0
    embedded: int = 0
    deleted: int = 0
    reason: str = ""


class IngestReport(BaseModel):
    """Per-file results and timings of one ingest run."""

    files: list[FileResult] = Field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    sentences_embedded: int = 0  # for the sentence index (small-to-big retrieval)
    sentence_seconds: float = 0.0
    repaired: int = 0

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def embedded(self) -> int:
        return sum(f.embedded for f in self.files)

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files)

    @property
    def embeddings_per_s(self) -> float:
        return self.embedded / self.embed_seconds if self.embed_seconds else 0.0


ProgressFn = Callable[[FileResult], None]


def is_url(src: str) -> bool:
    """True for an http(s) source."""
    return src.startswith(("http://", "https://"))


def load_any(src: str, manifest: dict[str, DocMeta], limits: LoadLimits) -> LoadedDocument:
    """Load a URL or a file path."""
    if is_url(src):
        return load_url(src, limits)
    return load_path(Path(src), manifest, limits)


def expand_sources(sources: Sequence[str]) -> tuple[list[str], list[FileResult]]:
    """Directories become their supported files; missing paths are reported, not raised."""
    out: list[str] = []
    missing: list[FileResult] = []
    for src in sources:
        if is_url(src):
            out.append(src)
            continue
        p = Path(src)
        if p.is_dir():
            out.extend(str(f) for f in discover([p]))
        elif p.exists():
            out.append(str(p))
        else:
            missing.append(FileResult(source=src, status="failed", reason="file not found"))
    return out, missing


def manifest_for(sources: Sequence[str], settings: Settings) -> dict[str, DocMeta]:
    """The shipped corpus manifest plus any manifest.json inside a folder being ingested."""
    manifest: dict[str, DocMeta] = {}
    candidates = {settings.corpus_dir / MANIFEST_FILE, *_folder_manifests(sources)}
    for path in candidates:
        if path.exists():
            manifest.update(load_manifest(path))
    return manifest


def _folder_manifests(sources: Sequence[str]) -> list[Path]:
    """Where a folder being ingested may keep its own manifest (whether or not it exists)."""
    return [Path(s) / MANIFEST_FILE for s in sources if not is_url(s) and Path(s).is_dir()]


def _embed_stats(index: Index) -> tuple[int, float]:
    """(documents embedded, seconds) so far, when the embedder keeps such counters."""
    emb = index.embeddings
    return int(getattr(emb, "docs_embedded", 0)), float(getattr(emb, "embed_seconds", 0.0))


def ingest(
    sources: Sequence[str],
    settings: Settings,
    index: Index,
    *,
    prune: bool = False,
    force: bool = False,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Load, clean, chunk and index every source; `prune` drops indexed documents not in this run.

    When the sources' fingerprint is the one the last complete run recorded, nothing is read: each file
    is reported unchanged (`force` reads and checks every chunk anyway)."""
    t0 = time.perf_counter()
    report = IngestReport(repaired=index.repair())
    if not (prune or force or report.repaired) and _unchanged(settings, sources, index):
        # Loading, cleaning and chunking 16 documents only to find every chunk known costs a second.
        paths, _ = expand_sources(sources)
        report.files = [
            FileResult(source=p, status="unchanged", reason="fingerprint unchanged") for p in paths
        ]
        report.seconds = time.perf_counter() - t0
        return report
    paths, missing = expand_sources(sources)
    report.files.extend(missing)
    manifest = manifest_for(sources, settings)
    limits = LoadLimits(max_bytes=settings.max_upload_bytes, max_pdf_pages=settings.max_pdf_pages)
    known = set(index.document_ids())
    seen: set[str] = set()

    _, secs0 = _embed_stats(index)
    emb = index.embeddings
    sent0 = int(getattr(emb, "sentences_embedded", 0)), float(getattr(emb, "sentence_seconds", 0.0))
    for src in paths:
        result = _ingest_one(src, manifest, limits, settings, index, known, seen)
        log.info(
            "indexed %s: %s (%d chunks, %d embedded)", src, result.status, result.chunks, result.embedded
        )
        report.files.append(result)
        if progress:
            progress(result)

    if prune:
        failed_ids = {f.doc_id for f in report.failed if f.doc_id}
        for doc_id in sorted(known - seen - failed_ids):
            deleted = index.remove_document(doc_id)
            report.files.append(FileResult(source=doc_id, doc_id=doc_id, status="removed", deleted=deleted))
    report.embed_seconds = _embed_stats(index)[1] - secs0
    report.sentences_embedded = int(getattr(emb, "sentences_embedded", 0)) - sent0[0]
    report.sentence_seconds = float(getattr(emb, "sentence_seconds", 0.0)) - sent0[1]
    changed = any(f.status in ("added", "updated", "removed") for f in report.files)
    if report.repaired or changed or report.sentences_embedded:
        index.persist_sentence_vectors()
    report.seconds = time.perf_counter() - t0
    if not report.failed:
        write_state(settings, sources, index.document_ids())
    return report


def index_document(loaded: LoadedDocument, settings: Settings, index: Index) -> tuple[IndexResult, int]:
    """Clean, chunk and index one loaded document: (result, chunk count). No chunks, nothing written."""
    text = clean_text(loaded.text)
    chunks = chunk_document(
        text, loaded.meta.short_title, min_words=settings.chunk_min_words, max_words=settings.chunk_max_words
    )
    if not chunks:
        return IndexResult(), 0
    return index.upsert_document(loaded.meta, text, chunk_documents(loaded.meta, chunks)), len(chunks)


def _ingest_one(
    src: str,
    manifest: dict[str, DocMeta],
    limits: LoadLimits,
    settings: Settings,
    index: Index,
    known: set[str],
    seen: set[str],
) -> FileResult:
    try:
        loaded = load_any(src, manifest, limits)
    except LoadError as exc:
        doc_id = Path(src).stem if not is_url(src) else ""
        return FileResult(source=src, doc_id=doc_id, status="failed", reason=exc.reason)
    meta = loaded.meta
    seen.add(meta.doc_id)
    try:
        res, n_chunks = index_document(loaded, settings, index)
        if not n_chunks:
            return FileResult(source=src, doc_id=meta.doc_id, status="failed", reason="no text to index")
    except Exception as exc:  # one bad document must not stop the batch; the store keeps its old state
        log.exception("ingest failed for %s", src)
        return FileResult(
            source=src, doc_id=meta.doc_id, status="failed", reason=f"{type(exc).__name__}: {exc}"
        )
    status: Status = "unchanged"
    if res.added or res.deleted or res.updated:
        status = "updated" if meta.doc_id in known else "added"
    elif meta.doc_id not in known:
        status = "added"
    return FileResult(
        source=src,
        doc_id=meta.doc_id,
        status=status,
        chunks=n_chunks,
        embedded=res.added,
        deleted=res.deleted,
    )


# -- staleness: lets `make run` skip loading the model when nothing changed -----------------------
def _state_path(settings: Settings) -> Path:
    return settings.data_dir / "ingest-state.json"


def sources_fingerprint(sources: Sequence[str], settings: Settings) -> str:
    """Hash of the sources, their folder manifests and the chunking settings."""
    h = hashlib.sha256(PIPELINE_VERSION.encode())
    h.update(f"{settings.chunk_min_words}/{settings.chunk_max_words}/{settings.collection}".encode())
    h.update(f"sentences={settings.sentence_index}".encode())  # turning the sentence index on fills it
    paths, _ = expand_sources(sources)
    for p in sorted(paths):
        h.update(p.encode())
        if not is_url(p):
            h.update(Path(p).read_bytes())
    for m in sorted(_folder_manifests(sources)):
        if m.exists():
            h.update(m.read_bytes())
    return h.hexdigest()


def write_state(settings: Settings, sources: Sequence[str], doc_ids: Sequence[str] = ()) -> None:
    """Record the fingerprint of what was just ingested, and the documents then in the store (atomically)."""
    path = _state_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    state = {"fingerprint": sources_fingerprint(sources, settings), "doc_ids": sorted(doc_ids)}
    tmp.write_text(json.dumps(state))
    tmp.replace(path)


def _unchanged(settings: Settings, sources: Sequence[str], index: Index) -> bool:
    """The sources are those of the last complete run, and the store still holds the documents it left
    (a document deleted through the API since then must come back)."""
    if is_stale(settings, sources):
        return False
    try:
        recorded = json.loads(_state_path(settings).read_text()).get("doc_ids")
    except (OSError, ValueError):
        return False
    return recorded is not None and sorted(index.document_ids()) == recorded


def is_stale(settings: Settings, sources: Sequence[str]) -> bool:
    """Whether the index may differ from `sources` (always with a Chroma server)."""
    if settings.chroma_host:
        return True  # a shared server may have been changed by someone else; let the record manager decide
    path = _state_path(settings)
    if not path.exists() or not settings.chroma_dir.exists():
        return True
    try:
        return json.loads(path.read_text()).get("fingerprint") != sources_fingerprint(sources, settings)
    except (OSError, ValueError):
        return True
