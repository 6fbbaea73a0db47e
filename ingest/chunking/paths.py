"""A chunk's ``section``: the heading path joined by `` › ``, starting with the short title.

Numbered headings show their label only (``Chapter II``, ``Article 5``, ``Sec. 4``, ``4.2``,
``Annex III``, ``Part 1``, ``7``), unnumbered ones their text cut to 60 characters.  The last element
names the points: ``1(f)``, ``(b)(i)``, ``GOVERN 1.1``, ``Recital 12``, or a range ``1(e)–(g)``,
``Article 3–4`` when the chunk spans several units.
"""

from __future__ import annotations

import re

from ingest.chunking.model import Atom, Node
from rag.text.clauses import PATH_SEPARATOR, RANGE_DASH

__all__ = ["UNNUMBERED_LABEL_CHARS", "section_path", "shorten"]

# Unnumbered headings are named by their text; cut so that a path stays one readable line.
UNNUMBERED_LABEL_CHARS = 60


def shorten(title: str, limit: int = UNNUMBERED_LABEL_CHARS) -> str:
    """``title`` without markup, cut at a word boundary to ``limit`` characters (with an ellipsis)."""
    title = re.sub(r"\s+", " ", title.replace("**", "").replace("*", "")).strip().rstrip(":")
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:—–-") + "…"


def section_path(atoms: list[Atom], short_title: str, titled: bool = False) -> str:
    """The path shared by ``atoms`` (body atoms of one chunk), ending in the points or range they span.

    ``titled``: each numbered heading with its title ("Article 73 — Reporting of serious incidents"),
    the context that search reads before the chunk's text. Only the chunk that opens an article holds
    its title line; the plain path gives paragraph 6 "Article 73", a number no lay question uses. The
    plain path stays the citation label, short enough to read in an answer."""
    parts = [short_title]
    first, last = atoms[0].headings[1:], atoms[-1].headings[1:]
    common = _common_prefix([a.headings[1:] for a in atoms])
    parts.extend(f"{node.label} — {node.title}" if titled and node.title else node.label for node in common)
    if all(len(a.headings) - 1 == len(common) for a in atoms):
        element = _items_element([a.items for a in atoms])
    else:
        opener = first[len(common)] if len(first) > len(common) else None
        closer = last[len(common)] if len(last) > len(common) else None
        element = _range(opener.label, closer.label) if opener and closer else ""
    if element:
        parts.append(element)
    return PATH_SEPARATOR.join(p for p in parts if p)


def _items_element(chains: list[tuple[Node, ...]]) -> str:
    prefix = _common_prefix(chains)
    depth = len(prefix)
    deeper = [chain for chain in chains if len(chain) > depth]
    if not deeper:
        return _join_labels(prefix)
    opener, closer = deeper[0], deeper[-1]
    if opener[depth] is closer[depth]:
        return _join_labels(prefix + (opener[depth],))
    # Name the first point exactly and the last one at the level where they differ: 1(e)–(g).
    return _join_labels(opener) + RANGE_DASH + _strip_shared_words(opener[depth].label, closer[depth].label)


def _join_labels(nodes: tuple[Node, ...]) -> str:
    out = ""
    for node in nodes:
        if node.standalone or not out:
            out = node.label
        elif node.label.startswith("("):
            out += node.label
        else:
            out += " " + node.label
    return out


def _range(first: str, last: str) -> str:
    if first == last:
        return first
    label = first + RANGE_DASH + _strip_shared_words(first, last)
    if len(label) <= UNNUMBERED_LABEL_CHARS:
        return label
    half = (UNNUMBERED_LABEL_CHARS - len(RANGE_DASH)) // 2
    return shorten(first, half) + RANGE_DASH + shorten(last, half)


def _strip_shared_words(first: str, last: str) -> str:
    """ "Article 3" .. "Article 4" -> "4"; "GOVERN 1.1" .. "GOVERN 1.3" -> "1.3"."""
    a, b = first.split(" "), last.split(" ")
    if len(a) == len(b) > 1 and a[:-1] == b[:-1]:
        return b[-1]
    return last


def _common_prefix(sequences: list[tuple[Node, ...]]) -> tuple[Node, ...]:
    if not sequences:
        return ()
    prefix = sequences[0]
    for seq in sequences[1:]:
        limit = min(len(prefix), len(seq))
        k = 0
        while k < limit and prefix[k] is seq[k]:
            k += 1
        prefix = prefix[:k]
        if not prefix:
            break
    return prefix
