"""The sentence index (small-to-big): kept in step with the chunks per document, over a real Chroma."""

from __future__ import annotations

from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from rag.retrieval.sentences import SentenceTable
from rag.store.file_rows import FileRows
from rag.store.sentence_index import SentenceIndex, chunk_sentences, sentence_id

BODY_A = "The provider shall inform users. A deployer must keep logs for six months.\n\n- ok"
BODY_B = "Member States shall designate an authority. It shall be independent of the provider."


class CountingEncoder:
    """Deterministic vectors from the text's length; counts what it was asked to embed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        rows = np.asarray([[len(t) % 7 + 1.0, len(t.split()), 1.0] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def index(tmp_path: Path) -> tuple[SentenceIndex, CountingEncoder]:
    client = chromadb.PersistentClient(
        path=str(tmp_path), settings=ChromaSettings(anonymized_telemetry=False)
    )
    encoder = CountingEncoder()
    return SentenceIndex(client, "t", encoder), encoder


def test_sentences_of_two_words_or_fewer_are_not_indexed() -> None:
    got = chunk_sentences(BODY_A)
    assert [text for _, text in got] == [
        "The provider shall inform users.",
        "A deployer must keep logs for six months.",
    ]
    assert [pos for pos, _ in got] == [0, 1]


def test_sync_embeds_only_new_sentences_and_drops_stale_ones(
    index: tuple[SentenceIndex, CountingEncoder],
) -> None:
    idx, encoder = index
    assert idx.sync_document("d", [("a", BODY_A), ("b", BODY_B)]) == 4
    assert idx.count() == 4
    assert idx.sync_document("d", [("a", BODY_A), ("b", BODY_B)]) == 0  # unchanged: nothing embedded
    assert len(encoder.seen) == 4
    # Chunk b changed (new content hash "b2"): its old sentences go, the new ones come.
    assert idx.sync_document("d", [("a", BODY_A), ("b2", BODY_B)]) == 2
    keys, vectors = idx.vectors()
    assert sorted(keys) == [("a", 0), ("a", 1), ("b2", 0), ("b2", 1)]
    assert vectors.shape == (4, 3)


def test_remove_and_orphans(index: tuple[SentenceIndex, CountingEncoder]) -> None:
    idx, _ = index
    idx.sync_document("d1", [("a", BODY_A)])
    idx.sync_document("d2", [("b", BODY_B)])
    assert idx.drop_orphans({"a"}) == 2  # chunk b is gone from the store: its sentences follow
    idx.remove_document("d1")
    assert idx.count() == 0


def test_sentence_table_ranks_parent_chunks_by_their_best_sentence() -> None:
    keys = [("a", 0), ("a", 1), ("b", 0), ("gone", 0)]
    vectors = np.asarray([[1, 0], [0.6, 0.8], [0, 1], [1, 0]], dtype=np.float32)
    table = SentenceTable.build(keys, vectors, {"a": 0, "b": 1})
    assert len(table) == 3  # the sentence of a chunk the table does not know is left out
    sims = table.similarities(np.asarray([0.0, 1.0], dtype=np.float32))
    assert table.best_per_chunk(sims, 3).tolist() == pytest.approx([0.8, 1.0, -1.0])
    assert table.of_chunk(sims, 0) == pytest.approx({0: 0.0, 1: 0.8})
    assert table.of_chunk(sims, 2) == {}
    assert sentence_id("a", 3) == "a:3"


def test_the_vectors_are_kept_beside_the_store_and_reread_when_it_changes(
    index: tuple[SentenceIndex, CountingEncoder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sentences, _ = index
    sentences.sync_document("d1", [("c1", BODY_A), ("c2", BODY_B)])
    folder = tmp_path / "cache"
    keys, vectors = sentences.cached_vectors(folder, "fp1")
    assert sorted(keys) == sorted(sentences.vectors()[0])
    assert (folder / "sentences.npy").exists() and (folder / "sentences.keys.npz").exists()

    real = sentences.vectors
    monkeypatch.setattr(sentences, "vectors", lambda: pytest.fail("read the store, not the kept copy"))
    again, again_vectors = sentences.cached_vectors(folder, "fp1")
    assert again == keys and np.array_equal(again_vectors, vectors) and again_vectors.dtype == np.float32
    mapped = sentences.cached_vectors(folder, "fp1", mmap=True)[1]
    # left on disk, its rows read as asked
    assert isinstance(mapped, FileRows) and np.array_equal(mapped.load(), vectors)
    assert np.array_equal(mapped[np.array([2, 0, 2])], vectors[[2, 0, 2]])

    monkeypatch.setattr(sentences, "vectors", real)
    sentences.sync_document("d2", [("c3", "A third chunk has one more sentence to index.")])
    # Same chunk fingerprint, more sentences (a crash's leftovers added): ingest rewrites the copy.
    grown, _ = sentences.cached_vectors(folder, "fp1", force=True)
    assert ("c3", 0) in grown and len(grown) == len(keys) + 1
    monkeypatch.setattr(sentences, "vectors", lambda: pytest.fail("read the store, not the kept copy"))
    assert sentences.cached_vectors(folder, "fp1")[0] == grown  # the server trusts it: Chroma untouched
    monkeypatch.setattr(sentences, "vectors", real)
    assert len(sentences.cached_vectors(folder, "fp2")[0]) == len(grown)  # a new fingerprint rereads
    for name in ("sentences.keys.npz", "sentences.npy"):
        whole = (folder / name).read_bytes()
        for damaged in (b"not a numpy file", whole[: len(whole) // 2]):  # garbage, a torn write
            (folder / name).write_bytes(damaged)
            again, again_vectors = sentences.cached_vectors(folder, "fp2")  # reread, and rewritten
            assert len(again) == len(again_vectors) == len(grown), name
            assert len(sentences.cached_vectors(folder, "fp2", mmap=True)[1]) == len(grown), name
    assert sentences.cached_vectors(None, "fp2")[0] == sentences.vectors()[0]  # no folder: the store
