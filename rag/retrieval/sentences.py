"""The sentence vectors in memory: each sentence's similarity to a question, and its parent chunk.

The corpus has ~7k indexed sentences (11 MiB of float32): one matrix product scores them all in well
under a millisecond, so the searcher ranks parent chunks by their best sentence exactly rather than
through a second HNSW query. At 100× (719k sentences) that product costs 48 ms and the vectors 1 GiB, so
above `sentence_scan_max` the vectors stay on disk (rag/store/file_rows.py) and only the candidate
chunks' rows are read; the sentence collection's HNSW index is asked for the nearest sentences only with
`sentence_hnsw`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rag.store.file_rows import FileRows

RECENT_CHUNKS = 1024


@dataclass
class SentenceTable:
    # on disk (FileRows) above `sentence_scan_max`
    vectors: np.ndarray | FileRows = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    chunk_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # row → chunk row
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # row → position
    rows_of_chunk: dict[int, np.ndarray] = field(default_factory=dict)  # chunk row → its sentence rows
    scan: bool = True  # False: too many to score each question against all (see the module docstring)
    # chunk row → its sentence vectors, read lately from a table on disk (`_read`)
    _recent: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls, keys: list[tuple[str, int]], vectors: np.ndarray | FileRows, chunk_row: dict[str, int]
    ) -> SentenceTable:
        """Keep the sentences whose chunk is in the chunk table (others were written since it loaded)."""
        keep = [i for i, (cid, _) in enumerate(keys) if cid in chunk_row]
        if not keep:
            return cls()
        chunk_rows = np.asarray([chunk_row[keys[i][0]] for i in keep], dtype=np.int64)
        # All kept (the usual case): no copy, so vectors on disk stay there until read.
        kept = (
            vectors
            if len(keep) == len(keys)
            else np.ascontiguousarray(vectors[np.asarray(keep)], dtype=np.float32)
        )
        t = cls(
            vectors=kept,
            chunk_rows=chunk_rows,
            positions=np.asarray([keys[i][1] for i in keep], dtype=np.int64),
        )
        order = np.argsort(chunk_rows, kind="stable")
        bounds = np.flatnonzero(np.diff(chunk_rows[order])) + 1
        for rows in np.split(order, bounds):
            t.rows_of_chunk[int(chunk_rows[rows[0]])] = rows
        return t

    def __len__(self) -> int:
        return len(self.positions)

    def similarities(self, qvec: np.ndarray) -> np.ndarray:
        return self.vectors @ qvec if len(self) else np.zeros(0, dtype=np.float32)

    def best_of_chunks(self, qvec: np.ndarray, chunk_rows: np.ndarray, n_chunks: int) -> np.ndarray:
        """`best_per_chunk` scoring only these chunks' sentences (-1 for every other chunk)."""
        best = np.full(n_chunks, -1.0, dtype=np.float32)
        chunks = [int(c) for c in chunk_rows if int(c) in self.rows_of_chunk]
        if not chunks:
            return best
        if isinstance(self.vectors, np.ndarray):
            sel = np.concatenate([self.rows_of_chunk[c] for c in chunks])
            np.maximum.at(best, self.chunk_rows[sel], np.asarray(self.vectors[sel] @ qvec, dtype=np.float32))
            return best
        read = self._read(chunks)
        vectors = [read[c] for c in chunks]
        sims = np.concatenate(vectors) @ qvec
        starts = np.cumsum([0, *(len(v) for v in vectors[:-1])])
        best[chunks] = np.maximum(np.maximum.reduceat(sims, starts), -1.0)
        return best

    def _read(self, chunks: list[int]) -> dict[int, np.ndarray]:
        """The chunks' sentence vectors from the table on disk, in one pass in file order. A question reads
        its candidates' in search and ~20 of them again for its hits' sentences: those read lately are
        kept (RECENT_CHUNKS, ~12 KiB each), since a read, system call and Python, took ~17 µs here."""
        recent = self._recent
        have = {c: v for c in chunks if (v := recent.get(c)) is not None}  # (another thread may clear it)
        missing = [c for c in chunks if c not in have]
        if missing:
            rows = [self.rows_of_chunk[c] for c in missing]
            got = self.vectors[np.concatenate(rows)]  # read in file order, returned in the order asked
            read = dict(zip(missing, np.split(got, np.cumsum([len(r) for r in rows])[:-1]), strict=True))
            if len(read) <= RECENT_CHUNKS:  # (a pass over a whole named text is not kept)
                if len(recent) + len(read) > RECENT_CHUNKS:
                    recent.clear()
                recent.update(read)
            have.update(read)
        return have

    @staticmethod
    def best_from_nearest(
        nearest: list[tuple[str, int, float]], chunk_row: dict[str, int], n_chunks: int
    ) -> np.ndarray:
        """`best_per_chunk` from an HNSW query's nearest sentences (-1 for chunks it did not reach)."""
        best = np.full(n_chunks, -1.0, dtype=np.float32)
        for chunk_id, _, sim in nearest:
            row = chunk_row.get(chunk_id)
            if row is not None:
                best[row] = max(best[row], sim)
        return best

    def best_per_chunk(self, sims: np.ndarray, n_chunks: int) -> np.ndarray:
        """Each chunk's best sentence similarity (-1 for a chunk with no indexed sentence)."""
        best = np.full(n_chunks, -1.0, dtype=np.float32)
        if len(self):
            np.maximum.at(best, self.chunk_rows, sims)
        return best

    def chunk_similarities(self, qvec: np.ndarray, chunk_row: int) -> dict[int, float]:
        """Position in the chunk → similarity to `qvec`, scoring only that chunk's sentences."""
        rows = self.rows_of_chunk.get(chunk_row)
        if rows is None:
            return {}
        vectors = (
            self.vectors[rows] if isinstance(self.vectors, np.ndarray) else self._read([chunk_row])[chunk_row]
        )
        sims = vectors @ qvec
        return {int(self.positions[r]): float(s) for r, s in zip(rows, sims)}

    def vector(self, chunk_row: int, position: int) -> np.ndarray | None:
        """The stored vector of one sentence, or None if it has none (too short to index)."""
        for r in self.rows_of_chunk.get(chunk_row, ()):
            if self.positions[r] == position:
                return self.vectors[r]
        return None

    def of_chunk(
        self, sims: np.ndarray | None, chunk_row: int, qvec: np.ndarray | None = None
    ) -> dict[int, float]:
        """Position in the chunk → similarity, for the chunk's indexed sentences. `sims` None (a store too
        large to scan whole): scored here against `qvec`."""
        if sims is None:
            return {} if qvec is None else self.chunk_similarities(qvec, chunk_row)
        rows = self.rows_of_chunk.get(chunk_row)
        if rows is None:
            return {}
        return {int(self.positions[r]): float(sims[r]) for r in rows}

    def plain_and_adapted(
        self, sims: np.ndarray | None, qvec: np.ndarray, adapted_q: np.ndarray | None, row: int
    ) -> tuple[dict[int, float], dict[int, float]]:
        """`of_chunk` for the question, and for its adapted vector (the same when there is none)."""
        plain = self.of_chunk(sims, row, qvec)
        return plain, plain if adapted_q is None else self.chunk_similarities(adapted_q, row)
