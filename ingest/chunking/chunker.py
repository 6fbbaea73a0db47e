"""`chunk_document`: blocks → structure → atoms → segmentation → chunks."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.chunking.blocks import split_blocks
from ingest.chunking.model import Atom, Chunk
from ingest.chunking.paths import section_path
from ingest.chunking.segment import segment
from ingest.chunking.structure import Structurer

__all__ = ["chunk_document"]


def chunk_document(text: str, short_title: str, *, min_words: int = 150, max_words: int = 350) -> list[Chunk]:
    """Split a cleaned document into structure-aware chunks (see the package docstring).

    Returns an empty list for a document without text.  ``min_words`` is clamped to
    ``max_words``; a ``max_words`` below 1 raises ``ValueError``.
    """
    if max_words < 1:
        raise ValueError("max_words must be positive")
    min_words = max(0, min(min_words, max_words))
    blocks = split_blocks(text)
    if not blocks:
        return []
    atoms = Structurer(text, blocks, short_title).atoms()
    if not atoms:
        return []
    bounds = segment(atoms, min_words, max_words)
    return [_make_chunk(text, atoms[i:j], seq, short_title) for seq, (i, j) in enumerate(bounds)]


def _make_chunk(text: str, atoms: list[Atom], seq: int, short_title: str) -> Chunk:
    start, end = atoms[0].start, atoms[-1].end
    body = [a for a in atoms if not a.heading] or atoms
    chunk_text = text[start:end]
    return Chunk(
        chunk_text,
        start,
        end,
        section_path(body, short_title),
        _refs(atoms),
        seq,
        len(chunk_text.split()),
        section_path(body, short_title, titled=True),
    )


def _refs(atoms: Iterable[Atom]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for atom in atoms:
        for node in atom.headings + atom.items:
            for ref in node.refs:
                seen.setdefault(ref, None)
    return tuple(seen)
