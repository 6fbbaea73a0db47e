"""Synthetic corpora for the scale benchmark, made only from the shipped corpus (nothing is downloaded).

Two generators:
- `synthetic_corpus`: whole documents, F copies of each corpus file in which prose paragraphs are
  swapped with paragraphs drawn from the whole corpus. Headings stay where they were so that the
  structure-aware chunker still sees articles and sections. Every output paragraph records where it
  came from (document id, paragraph index). Used for real (embedded) ingests at 3× or 10×.
- `synthetic_chunks`: chunk records for retrieval scaling without embedding. Replica 0 is the real
  index; replica r ≥ 1 recombines the body units of a real chunk with units from other chunks, and
  its vector is the *real chunk's* vector plus small Gaussian noise, renormalised. The vector is
  therefore not the embedding of the recombined text; it keeps the geometry of the real index,
  which is what HNSW and the fusion code see. Embedding 100× the corpus would take hours here.

Both are deterministic for a given seed (random.Random seeded with strings uses SHA-512, not hash()).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

PROVENANCE_FILE = ".provenance.json"  # hidden: the loader skips dot-files, so it is never ingested
_SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[A-Z(\"“])")


# -- documents ------------------------------------------------------------------------------------------
@dataclass
class SyntheticDoc:
    doc_id: str
    source_doc_id: str
    replica: int
    text: str
    provenance: list[tuple[str, int]] = field(default_factory=list)  # per output paragraph

    @property
    def words(self) -> int:
        return len(self.text.split())


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def is_structural(paragraph: str) -> bool:
    """Headings and short label lines stay in place; only prose is recombined."""
    return paragraph.startswith(("#", "**", "|")) or len(paragraph) < 60


def synthetic_corpus(
    docs: Mapping[str, str], factor: int, *, seed: int = 0, swap_p: float = 0.5
) -> list[SyntheticDoc]:
    """`factor` recombined copies of every document, in a stable order (doc id, then replica)."""
    if factor < 1:
        raise ValueError("factor must be >= 1")
    split = {d: paragraphs(t) for d, t in sorted(docs.items())}
    pool = [(d, i) for d, ps in split.items() for i, p in enumerate(ps) if not is_structural(p)]
    out: list[SyntheticDoc] = []
    for doc_id, paras in split.items():
        for r in range(factor):
            rng = random.Random(f"{seed}:{doc_id}:{r}")
            texts: list[str] = []
            prov: list[tuple[str, int]] = []
            for i, p in enumerate(paras):
                src = (doc_id, i)
                if pool and not is_structural(p) and rng.random() < swap_p:
                    src = pool[rng.randrange(len(pool))]
                texts.append(split[src[0]][src[1]])
                prov.append(src)
            out.append(SyntheticDoc(f"{doc_id}--syn{r:03d}", doc_id, r, "\n\n".join(texts) + "\n", prov))
    return out


def read_corpus(corpus_dir: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(doc_id → raw text, manifest entries) of the documents the manifest lists."""
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    texts = {Path(e["file"]).stem: (corpus_dir / e["file"]).read_text(encoding="utf-8") for e in manifest}
    return texts, manifest


def write_synthetic_corpus(
    corpus_dir: Path, out_dir: Path, factor: int, *, seed: int = 0
) -> list[SyntheticDoc]:
    """Write the recombined corpus as .md files with a manifest and a provenance sidecar."""
    texts, manifest = read_corpus(corpus_dir)
    by_id = {Path(e["file"]).stem: e for e in manifest}
    docs = synthetic_corpus(texts, factor, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for d in docs:
        (out_dir / f"{d.doc_id}.md").write_text(d.text, encoding="utf-8")
        src = by_id[d.source_doc_id]
        entries.append(
            {
                "file": f"{d.doc_id}.md",
                "title": f"{src.get('title', d.source_doc_id)} (synthetic recombination {d.replica})",
                "publisher": src.get("publisher", ""),
                "date": src.get("date", ""),
                "license": "synthetic: paragraphs of the shipped corpus recombined for benchmarking",
                "synthetic_of": d.source_doc_id,
                "replica": d.replica,
            }
        )
    (out_dir / "manifest.json").write_text(json.dumps(entries, indent=1), encoding="utf-8")
    (out_dir / PROVENANCE_FILE).write_text(
        json.dumps({d.doc_id: d.provenance for d in docs}), encoding="utf-8"
    )
    return docs


# -- chunks ---------------------------------------------------------------------------------------------
@dataclass
class ChunkBatch:
    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    vectors: np.ndarray  # float32, rows L2-normalised


def _units(body: str) -> list[str]:
    parts = paragraphs(body)
    if len(parts) > 1:
        return parts
    return [s for s in _SENTENCE_END.split(body) if s.strip()] or [body]


def synthetic_chunks(
    ids: Sequence[str],
    texts: Sequence[str],
    metadatas: Sequence[Mapping[str, Any]],
    vectors: np.ndarray,
    factor: int,
    *,
    seed: int = 0,
    noise: float = 0.015,
    swap_p: float = 0.3,
    batch_size: int = 4096,
) -> Iterator[ChunkBatch]:
    """Replicas 1..factor-1 of every real chunk (replica 0, the real index, is not yielded), in batches.

    A replica's metadata is the real chunk's with `doc_id` suffixed `~r<replica>` (so each replica is
    a document of its own to filters and boosts), plus `synthetic_of` and `replica` as provenance.
    `body_offset` (the heading path before the body) is kept out of recombination.
    """
    if factor < 1:
        raise ValueError("factor must be >= 1")
    vecs = np.asarray(vectors, dtype=np.float32)
    offsets = [int(m.get("body_offset", 0)) for m in metadatas]
    units = [_units(t[o:]) for t, o in zip(texts, offsets, strict=False)]
    pool = [u for us in units for u in us]
    rng = np.random.default_rng(seed)
    py_rng = random.Random(f"chunks:{seed}")
    batch = ChunkBatch([], [], [], np.zeros((0, vecs.shape[1]), dtype=np.float32))
    pending: list[np.ndarray] = []
    for r in range(1, factor):
        for j, cid in enumerate(ids):
            body = [u if py_rng.random() >= swap_p else pool[py_rng.randrange(len(pool))] for u in units[j]]
            md = dict(metadatas[j])
            md["doc_id"] = f"{md.get('doc_id', '')}~r{r}"
            md["synthetic_of"] = str(cid)
            md["replica"] = r
            batch.ids.append(f"{cid}~r{r}")
            batch.texts.append(texts[j][: offsets[j]] + "\n\n".join(body))
            batch.metadatas.append(md)
            pending.append(vecs[j])
            if len(batch.ids) >= batch_size:
                batch.vectors = _noisy(np.stack(pending), rng, noise)
                yield batch
                batch, pending = ChunkBatch([], [], [], batch.vectors[:0]), []
    if batch.ids:
        batch.vectors = _noisy(np.stack(pending), rng, noise)
        yield batch


def synthetic_sentences(
    ids: Sequence[str],
    metadatas: Sequence[Mapping[str, Any]],
    vectors: np.ndarray,
    factor: int,
    *,
    seed: int = 0,
    noise: float = 0.015,
    batch_size: int = 4096,
) -> Iterator[ChunkBatch]:
    """The sentence index's records for replicas 1..factor-1, matching `synthetic_chunks`' ids: replica
    r of a real sentence belongs to chunk `<chunk id>~r<r>` at the same position, and its vector is the
    real sentence's plus the same kind of noise. Without them the scaled stores had no sentence index,
    so the searcher's sentence pass and its memory were left out of the 10× and 100× figures."""
    vecs = np.asarray(vectors, dtype=np.float32)
    rng = np.random.default_rng(seed + 1)
    for r in range(1, factor):
        for start in range(0, len(ids), batch_size):
            mds = metadatas[start : start + batch_size]
            batch = ChunkBatch(
                ids=[f"{md['chunk_id']}~r{r}:{md['pos']}" for md in mds],
                texts=["" for _ in mds],
                metadatas=[
                    {"doc_id": f"{md['doc_id']}~r{r}", "chunk_id": f"{md['chunk_id']}~r{r}", "pos": md["pos"]}
                    for md in mds
                ],
                vectors=_noisy(vecs[start : start + batch_size], rng, noise),
            )
            yield batch


def _noisy(rows: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    out = rows + rng.normal(0.0, sigma, size=rows.shape).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)
