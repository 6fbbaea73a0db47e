"""Ingest into a real Chroma store with the real embedding model: idempotency, update, delete, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.clean import clean_text
from ingest.pipeline import ingest, is_stale
from rag.store.index import Index

pytestmark = pytest.mark.slow


def expected_chunks(folder: Path) -> int:
    from rag.store.manifest import load_manifest

    manifest = load_manifest(Path(__file__).resolve().parents[2] / "corpus" / "manifest.json")
    total = 0
    for f in sorted(folder.glob("*.md")):
        if f.stem not in manifest:
            continue
        total += len(chunk_document(clean_text(f.read_text()), manifest[f.stem].short_title))
    return total


def test_ingest_is_idempotent_and_incremental(small_corpus, tmp_settings, embedder):
    index = Index(tmp_settings, embedder)
    first = ingest([str(small_corpus)], tmp_settings, index)
    assert not first.failed
    n = expected_chunks(small_corpus)
    assert index.count() == n == first.embedded
    assert {f.status for f in first.files} == {"added"}
    meta = index.all_chunks()[0].metadata
    for key in ("doc_id", "title", "publisher", "date", "url", "license", "section", "start", "end"):
        assert meta.get(key) not in (None, ""), key

    second = ingest([str(small_corpus)], tmp_settings, index)
    assert second.embedded == 0
    assert {f.status for f in second.files} == {"unchanged"}
    assert {f.reason for f in second.files} == {"fingerprint unchanged"}  # nothing was read
    assert index.count() == n
    forced = ingest([str(small_corpus)], tmp_settings, index, force=True)
    assert forced.embedded == 0 and {f.status for f in forced.files} == {"unchanged"}
    assert sum(f.chunks for f in forced.files) == n  # every document read and every chunk found known
    # A document deleted since (through the API) is not hidden by the unchanged fingerprint.
    gone = sorted(index.document_ids())[0]
    index.remove_document(gone)
    back = ingest([str(small_corpus)], tmp_settings, index)
    assert {f.doc_id: f.status for f in back.files}[gone] == "added" and index.count() == n

    # Changing one document replaces exactly its own chunks.
    target = small_corpus / "diplomat-japans-ai-diplomacy-2024.md"
    before = {d.id for d in index.all_chunks() if d.metadata["doc_id"] != target.stem}
    target.write_text(
        target.read_text() + "\n\nA new closing paragraph about the AI Safety Institute in Tokyo.\n"
    )
    third = ingest([str(small_corpus)], tmp_settings, index)
    changed = {f.doc_id: f for f in third.files}
    assert changed[target.stem].status == "updated"
    assert 0 < third.embedded <= 3
    assert {f.status for f in third.files if f.doc_id != target.stem} == {"unchanged"}
    assert {d.id for d in index.all_chunks() if d.metadata["doc_id"] != target.stem} == before
    assert index.count() == expected_chunks(small_corpus)
    text = index.document(target.stem)[1]
    assert "closing paragraph about the AI Safety Institute" in text


def test_prune_and_remove(small_corpus, tmp_settings, embedder):
    index = Index(tmp_settings, embedder)
    ingest([str(small_corpus)], tmp_settings, index)
    gone = small_corpus / "g7-hiroshima-guiding-principles-2023.md"
    gone.unlink()
    report = ingest([str(small_corpus)], tmp_settings, index, prune=True)
    assert [f.doc_id for f in report.files if f.status == "removed"] == [gone.stem]
    assert gone.stem not in index.document_ids()
    assert all(d.metadata["doc_id"] != gone.stem for d in index.all_chunks())
    assert index.count() == expected_chunks(small_corpus)
    assert index.remove_document("diplomat-japans-ai-diplomacy-2024") > 0
    assert index.count() == expected_chunks(small_corpus) - len(
        chunk_document(clean_text((small_corpus / "diplomat-japans-ai-diplomacy-2024.md").read_text()), "x")
    )


def test_bad_files_are_reported_and_the_rest_is_ingested(small_corpus, tmp_settings, embedder):
    (small_corpus / "empty.md").write_text("   \n")
    (small_corpus / "binary.txt").write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 50)
    (small_corpus / "latin1.txt").write_bytes("Caf\xe9 r\xe9sum\xe9 policy text".encode("latin-1"))
    (small_corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    (small_corpus / "notes.xyz").write_text("unknown extension")
    index = Index(tmp_settings, embedder)
    report = ingest(
        [str(small_corpus), str(small_corpus / "missing.md"), "http://127.0.0.1:9/nothing"],
        tmp_settings,
        index,
    )
    failed = {Path(f.source).name: f.reason for f in report.failed}
    for name in ("empty.md", "binary.txt", "latin1.txt", "broken.pdf", "missing.md", "nothing"):
        assert name in failed and failed[name], (name, failed)
    assert index.count() == expected_chunks(small_corpus)  # the good files all made it
    assert is_stale(tmp_settings, [str(small_corpus)])  # a failed run never marks the index fresh


def test_failed_reingest_keeps_existing_chunks(small_corpus, tmp_settings, embedder):
    index = Index(tmp_settings, embedder)
    ingest([str(small_corpus)], tmp_settings, index)
    n = index.count()
    target = small_corpus / "diplomat-japans-ai-diplomacy-2024.md"
    target.write_bytes(b"\x00\xff" * 100)  # now corrupt
    report = ingest([str(small_corpus)], tmp_settings, index, prune=True)
    assert [f.doc_id for f in report.failed] == [target.stem]
    assert index.count() == n  # nothing lost, not pruned


def test_stale_detection(small_corpus, tmp_settings, embedder):
    assert is_stale(tmp_settings, [str(small_corpus)])
    index = Index(tmp_settings, embedder)
    ingest([str(small_corpus)], tmp_settings, index)
    assert not is_stale(tmp_settings, [str(small_corpus)])
    (small_corpus / "g7-hiroshima-guiding-principles-2023.md").write_text(
        "# Changed\n\nNew text here for the test.\n"
    )
    assert is_stale(tmp_settings, [str(small_corpus)])


def test_reingest_of_the_full_corpus_embeds_nothing(services):
    """Large documents (the AI Act has hundreds of chunks) must be as idempotent as small ones."""
    report = ingest([str(services.settings.corpus_dir)], services.settings, services.index, force=True)
    assert not report.failed
    assert report.embedded == 0
    assert {f.status for f in report.files} == {"unchanged"}
    assert max(f.chunks for f in report.files) > 300


def test_ingest_leaves_the_sentence_vectors_for_the_server_to_read(
    small_corpus, tmp_settings, embedder, monkeypatch
):
    """The server's first start after an ingest reads the copy that ingest wrote, not every sentence
    vector through Chroma (see Index.persist_sentence_vectors for what that costs at 10×)."""
    from rag.retrieval.searcher import Searcher
    from rag.store.sentence_index import SentenceIndex

    index = Index(tmp_settings, embedder)
    assert not ingest([str(small_corpus)], tmp_settings, index).failed
    copy = tmp_settings.data_dir / "sentences" / "sentences.npy"
    assert copy.exists()

    def through_chroma(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the server read the sentence vectors through Chroma")

    monkeypatch.setattr(SentenceIndex, "vectors", through_chroma)
    searcher = Searcher(Index(tmp_settings, embedder), tmp_settings, [])
    searcher.refresh(force=True)
    assert len(searcher.sentences) == index.sentences.count() > 0


def test_sentences_a_crash_left_out_reach_the_kept_copy(small_corpus, tmp_settings, embedder):
    """A crash between a document's chunks and its sentences leaves the chunk fingerprint as it will stay;
    the server trusts the copy for that fingerprint, so the ingest that adds the missing sentences must
    rewrite it."""
    import numpy as np

    index = Index(tmp_settings, embedder)
    assert not ingest([str(small_corpus)], tmp_settings, index).failed
    doc_id = sorted(index.document_ids())[0]
    index.sentences.remove_document(doc_id)  # what the crash left out
    index.persist_sentence_vectors()  # a server start in between writes the copy without them
    fewer = index.sentences.count()
    again = ingest([str(small_corpus)], tmp_settings, index, force=True)
    assert again.sentences_embedded > 0 and index.sentences.count() > fewer
    with np.load(tmp_settings.data_dir / "sentences" / "sentences.keys.npz") as kept:
        assert len(kept["chunk_ids"]) == index.sentences.count()
