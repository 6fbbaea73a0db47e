"""The chunker's records: the public `Chunk` and the blocks, structure nodes and atoms it is built from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences and heading lines of a document, with its heading path and ids."""

    text: str  # exactly doc_text[start:end]
    start: int
    end: int
    section: str  # heading path joined by " › ", first element = the document's short title
    refs: tuple[str, ...]  # canonical structural references contained in this chunk
    seq: int  # 0-based position in the document
    words: int
    context: str = ""  # the same path with each heading's title: what search reads (see paths.py)


@dataclass(eq=False)
class Node:
    """An open heading or point; compared by identity, since paths are built from shared prefixes."""

    kind: str  # "root", "heading" or "item"
    style: str
    label: str
    refs: tuple[str, ...] = ()
    # Prefixes that child points append "(x)" to; empty when children get no ids from here.
    child_prefixes: tuple[str, ...] = ()
    weight: float = 0.0  # cost of letting a chunk run into this heading
    rank: int = 0  # heading nesting: a heading closes open headings of equal or higher rank
    hashes: int = 0
    weak: bool = False
    notes: bool = False
    standalone: bool = False  # label replaces the parent's in a path ("3.1", "GOVERN 1.1")
    title: str = ""  # a numbered heading's title, for the chunk's search context


@dataclass
class Block:
    """A heading line or a body paragraph of the text."""

    start: int
    end: int
    heading: bool
    hashes: int = 0
    text: str = ""  # heading text (markup stripped) or the first line of a body block


@dataclass
class Atom:
    """The unit a chunk is made of: a whole heading line or one sentence of a body paragraph."""

    start: int
    end: int
    words: int
    heading: bool
    block: int
    headings: tuple[Node, ...]  # heading nodes, root first
    items: tuple[Node, ...] = ()
    weight: float = 0.0  # heading atoms: cost of merging across into them
    bullet: bool = False
