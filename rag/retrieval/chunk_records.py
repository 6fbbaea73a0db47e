"""The metadata of a large store's chunks held as tuples, and made into Documents when asked for.

A LangChain Document costs ~0.9 KiB before its metadata's values: the pydantic object, its `__dict__`,
its fields-set set, and a 17-key metadata dict. At 100× this corpus (90,900 chunks) that was 164 MiB of
the server's RSS, more than any other table (bench/results/20261207-stop56-scale-mem.md). Here each chunk
keeps its id and one tuple of its metadata values (the keys are shared by every chunk laid out alike, the
values were already shared strings, `share_strings`): ~0.3 KiB. A search candidate needs no Document
(`ChunkTable.candidate`); a returned hit gets one built (`document`, 1.5 µs), and the recent ones are
kept. A store small enough to hold its texts (up to `chunk_memory_max`) keeps its Documents as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from langchain_core.documents import Document

KEPT = 4096  # Documents built and kept for the rows read recently
_FIELDS_SET = frozenset({"id", "page_content", "metadata"})


def document(doc_id: str, text: str, metadata: dict[str, object]) -> Document:
    """`Document.model_construct(id=…, page_content=…, metadata=…)` in a third of its time (1.5 µs, not
    3.9): the fields set directly, as pydantic's model_construct sets them, since a question at 100x
    builds ~250. tests/rag/test_chunk_records.py holds it equal to model_construct's."""
    d = Document.__new__(Document)
    fields = {"id": doc_id, "metadata": metadata, "page_content": text, "type": "Document"}
    object.__setattr__(d, "__dict__", fields)
    object.__setattr__(d, "__pydantic_fields_set__", set(_FIELDS_SET))
    object.__setattr__(d, "__pydantic_extra__", None)
    object.__setattr__(d, "__pydantic_private__", None)
    return d


class ChunkRecords(Sequence[Document]):
    """Read-only rows of chunk metadata, with no text (the table reads texts from its copy on disk)."""

    def __init__(self, docs: Iterable[Document]) -> None:
        self.ids: list[str] = []
        self._values: list[tuple[object, ...]] = []
        self._layout_of: list[int] = []  # row → its key layout
        self._layouts: list[tuple[str, ...]] = []
        seen: dict[tuple[str, ...], int] = {}
        for d in docs:
            # sorted: Chroma hands each chunk's metadata back in its own key order
            keys = tuple(sorted(d.metadata))
            layout = seen.setdefault(keys, len(seen))
            if layout == len(self._layouts):
                self._layouts.append(keys)
            self.ids.append(str(d.id))
            self._values.append(tuple(d.metadata[k] for k in self._layouts[layout]))
            self._layout_of.append(layout)
        self._built: dict[int, Document] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, row: int) -> Document: ...
    @overload
    def __getitem__(self, row: slice) -> list[Document]: ...
    def __getitem__(self, row: int | slice) -> Document | list[Document]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        row = int(row) + (len(self) if row < 0 else 0)
        got = self._built.get(row)
        if got is None:
            if len(self._built) >= KEPT:
                self._built.clear()
            # No validation: the fields come from Documents already (validating cost 18 µs).
            got = document(self.ids[row], "", self.metadata(row))
            self._built[row] = got
        return got

    def __iter__(self) -> Iterator[Document]:
        return (self[i] for i in range(len(self)))

    def metadata(self, row: int) -> dict[str, object]:
        """A fresh copy of the row's metadata."""
        return dict(zip(self._layouts[self._layout_of[row]], self._values[row], strict=True))
