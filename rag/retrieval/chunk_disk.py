"""Chunk texts and vectors kept on disk beside the store, for stores too large to hold.

At 100× this corpus (90,900 chunks) the chunk texts are ~290 MiB of Python strings and the vectors 140
MiB, yet a question reads only its candidates' (~40 texts; vectors only for a document-filtered pass:
the whole-store dense pass there is Chroma's HNSW query). Above `chunk_memory_max` chunks the searcher
keeps them here instead: one UTF-8 file with an offsets array, and one .npy of vectors, each row read as
asked (rag/store/file_rows.py: read, not mapped, so that they stay out of the server's RSS). Written
once per store fingerprint (temporary folder, then a rename, as the BM25 copy is), so every worker on
the data dir reads the same files.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.store.file_rows import FileBytes, FileRows

log = logging.getLogger(__name__)

_META = "meta.json"  # the fingerprint alone, so that `matches` reads a few bytes, not every id
_IDS = "ids.json"
_TEXTS = "texts.bin"
_OFFSETS = "offsets.npy"
_VECTORS = "vectors.npy"


@dataclass(frozen=True)
class ChunkDisk:
    """Texts and vectors by chunk row, in the chunk table's order."""

    blob: FileBytes  # the UTF-8 texts
    offsets: list[int]  # len(rows) + 1
    vectors: FileRows  # float32

    def text(self, row: int) -> str:
        return self.blob.read(self.offsets[row], self.offsets[row + 1]).decode("utf-8")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def write(
        cls, folder: Path, fingerprint: str, ids: list[str], texts: list[str], vectors: np.ndarray
    ) -> None:
        encoded = [t.encode("utf-8") for t in texts]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with open(tmp / _TEXTS, "wb") as fh:
            for b in encoded:
                fh.write(b)
        np.save(tmp / _OFFSETS, offsets)
        np.save(tmp / _VECTORS, np.ascontiguousarray(vectors, dtype=np.float32))
        (tmp / _IDS).write_text(json.dumps(ids))
        (tmp / _META).write_text(json.dumps({"fingerprint": fingerprint}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)  # readers see the old copy or the new one, never half of one

    @staticmethod
    def matches(folder: Path, fingerprint: str) -> bool:
        """A copy was written for this fingerprint (its rows are checked by `load`)."""
        try:
            return json.loads((folder / _META).read_text()).get("fingerprint") == fingerprint
        except (OSError, ValueError):
            return False

    @classmethod
    def load(cls, folder: Path, fingerprint: str, ids: list[str]) -> ChunkDisk | None:
        """The copy for this fingerprint and these chunk ids in this order, or None (stale, missing, torn)."""
        try:
            if not cls.matches(folder, fingerprint) or json.loads((folder / _IDS).read_text()) != ids:
                return None
            offsets = np.load(folder / _OFFSETS)
            vectors = FileRows(folder / _VECTORS)
            blob = FileBytes(folder / _TEXTS)
            if len(offsets) != len(ids) + 1 or len(vectors) != len(ids) or int(offsets[-1]) != blob.size:
                return None
            return cls(blob, offsets.tolist(), vectors)
        except (OSError, ValueError, KeyError) as exc:
            log.info("no usable chunk copy at %s (%s)", folder, exc)
            return None

    @classmethod
    def kept(
        cls, folder: Path, fingerprint: str, ids: list[str], texts: list[str], vectors: np.ndarray
    ) -> ChunkDisk | None:
        """The copy for this content, written first when missing; None when it cannot be written (a
        read-only data dir still serves, from memory)."""
        got = cls.load(folder, fingerprint, ids)
        if got is not None:
            return got
        try:
            cls.write(folder, fingerprint, ids, texts, vectors)
        except OSError as exc:
            log.warning("could not keep the chunk texts on disk at %s: %s", folder, exc)
            return None
        return cls.load(folder, fingerprint, ids)
