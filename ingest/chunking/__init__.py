"""Structure-aware chunking for policy and legal text.

``chunk_document`` follows the document's own structure (markdown headings, articles,
numbered paragraphs, lettered and roman points, EO sections, NIST categories, numbered
principles and paragraphs) and packs it into chunks of ``min_words``..``max_words`` words.

How it works, one module per step
---------------------------------
1. *Blocks* (``blocks``): the text is cut into heading lines and body paragraphs.
2. *Structure* (``structure``, with ``headings`` and ``labels``): headings are nested by kind,
   body paragraphs by point label; every node carries its canonical reference ids.
3. *Atoms* (``structure``): sentences of body paragraphs and whole heading lines.  A chunk is a
   run of consecutive atoms, so no chunk ever cuts a sentence.
4. *Segmentation* (``segment``): dynamic programming over atom boundaries, with costs that keep
   whole structural units together and chunk sizes in range.
5. *Assembly* (``chunker``, ``paths``): chunk text, heading path (``section``) and ids (``refs``).

Chunk text is ``text[start:end]`` and includes the heading lines that open it; between two
chunks there is only whitespace.  Heading lines are therefore never lost either.
"""

from __future__ import annotations

from ingest.chunking.chunker import chunk_document
from ingest.chunking.model import Chunk

__all__ = ["Chunk", "chunk_document"]
