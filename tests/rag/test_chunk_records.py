"""A large store's chunk metadata held as records: the same Documents back, built when asked for."""

from __future__ import annotations

from langchain_core.documents import Document

from rag.retrieval import chunk_records
from rag.retrieval.chunk_records import ChunkRecords

DOCS = [
    Document(id="c1", page_content="text one", metadata={"doc_id": "a", "seq": 0, "refs": "|article 5|"}),
    Document(id="c2", page_content="text two", metadata={"seq": 1, "refs": "", "doc_id": "a"}),  # other order
    Document(id="c3", page_content="", metadata={"doc_id": "b", "seq": 0, "replica": 3}),  # other keys
]


def test_the_rows_are_the_documents_without_their_texts() -> None:
    records = ChunkRecords(DOCS)
    assert len(records) == 3 and records.ids == ["c1", "c2", "c3"]
    for got, want in zip(records, DOCS, strict=True):
        assert (got.id, got.metadata, got.page_content) == (want.id, want.metadata, "")
    assert records[-1].id == "c3" and [d.id for d in records[1:]] == ["c2", "c3"]
    assert len(records._layouts) == 2  # a key order shared, whatever order each chunk's keys came in


def test_a_rows_metadata_is_a_copy() -> None:
    records = ChunkRecords(DOCS)
    copy = records.metadata(0)
    copy["seq"] = 99
    assert records.metadata(0)["seq"] == 0 and records[0].metadata["seq"] == 0


def test_built_documents_are_kept_up_to_a_bound(monkeypatch) -> None:
    monkeypatch.setattr(chunk_records, "KEPT", 2)
    records = ChunkRecords(DOCS)
    first = records[0]
    assert records[0] is first  # kept: a question reads its candidates several times
    records[1], records[2]
    assert len(records._built) <= 2 and records[0].metadata == DOCS[0].metadata


def test_a_document_built_directly_is_model_constructs() -> None:
    """chunk_records.document sets pydantic's fields itself: it must stay what model_construct builds."""
    md = {"doc_id": "a", "seq": 3}
    want = Document.model_construct(id="c9", page_content="text", metadata=md)
    got = chunk_records.document("c9", "text", md)
    assert got == want and got.model_dump() == want.model_dump() and vars(got) == vars(want)
    assert got.model_fields_set == want.model_fields_set
    assert got.model_copy(update={"page_content": "x"}).page_content == "x" and got.page_content == "text"
    assert Document.model_validate(got.model_dump()) == want  # and round-trips as any Document
