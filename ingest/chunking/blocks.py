"""Step 1: cut the text into heading lines and body paragraphs.

Besides markdown headings, a few stand-alone lines act as headings: a short numbered title line
(``1.1 Understanding ...`` in NIST), ``Section A`` lines inside annexes and, in documents with no
markdown heading below the title (communiqués, statements), a bold-only line (``**Ukraine**``) that
does not end in ``:``.  A ``#`` line that is really body text (ends in ``,``/``;`` or starts in lower
case) is treated as body.
"""

from __future__ import annotations

import re

from ingest.chunking.model import Block
from rag.text.sentences import lines_with_offsets

__all__ = ["BULLET", "PSEUDO_HEADING_HASHES", "split_blocks"]

# Pseudo headings (bold or numbered title lines) rank below every markdown level (1-6).
PSEUDO_HEADING_HASHES = 7

_MD_HEADING = re.compile(r"(#{1,6})(?=\s|$)(.*)")
_DOTTED_TITLE = re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\.?[ \t]+([A-Z][^\n]*)")
_SECTION_LINE = re.compile(r"(?:Section|SECTION)[ \t]+([A-Z]|\d{1,2})\b(?:[ \t]*[.:—–-])?[ \t]*([^\n]*)")
BULLET = re.compile(r"[-•‒–—*·▪◦][ \t]")
_NEW_BLOCK_LINE = re.compile(
    r"""(?:
        [-•‒–—*·▪◦][ \t]
      | \(\s?\d{1,3}\s?\)[ \t] | \([A-Za-z]{1,5}\)[ \t]
      | \d{1,3}(?:\.\d{1,3})*[.)](?:[ \t]|$)
      | [A-Za-z]{1,5}[.)][ \t]
      | \d{1,2}[ \t]+[A-Z] | [a-z][ \t]+\S
      | \[\d{1,4}\] | \*\*
    )""",
    re.VERBOSE,
)
_TERMINAL_END = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")


def split_blocks(text: str) -> list[Block]:
    """Cut the text into heading lines and body paragraphs (offsets exclude surrounding space)."""
    blocks: list[Block] = []
    body: Block | None = None
    prev_line = ""
    for pos, _end, line in lines_with_offsets(text):
        stripped = line.strip()
        if not stripped:
            body = None
        else:
            lead = len(line) - len(line.lstrip())
            start, end = pos + lead, pos + len(line.rstrip())
            heading = _MD_HEADING.match(stripped)
            if heading and not _is_body_like_heading(heading.group(2).strip(), blocks, body):
                body = None
                blocks.append(Block(start, end, True, len(heading.group(1)), heading.group(2).strip()))
            elif body is not None and not _starts_new_block(stripped, prev_line):
                body.end = end
            else:
                body = Block(start, end, False, text=stripped)
                blocks.append(body)
        prev_line = stripped
    # Converters that produced no markdown headings below the title kept section titles as
    # bold lines; where real headings exist, bold lines are emphasis (e.g. an act's title page).
    bold_titles = sum(1 for b in blocks if b.heading) <= 1
    return [_promote_pseudo_heading(b, bold_titles) for b in blocks]


def _is_body_like_heading(heading_text: str, blocks: list[Block], body: Block | None) -> bool:
    # A "#" line ending mid-sentence was a body line mis-tagged by the converter.
    if heading_text.endswith((",", ";")):
        return True
    previous_is_heading = body is None and bool(blocks) and blocks[-1].heading
    return heading_text[:1].islower() and not previous_is_heading


def _starts_new_block(line: str, prev_line: str) -> bool:
    return bool(_NEW_BLOCK_LINE.match(line) or _TERMINAL_END.search(prev_line))


def _promote_pseudo_heading(block: Block, bold_titles: bool) -> Block:
    """Stand-alone title lines that are not markdown headings still open a section."""
    line = block.text
    if block.heading or block.end - block.start != len(line):
        return block  # already a heading, or a multi-line paragraph
    title = _pseudo_heading_text(line, bold_titles)
    if title is None:
        return block
    return Block(block.start, block.end, True, PSEUDO_HEADING_HASHES, title)


def _pseudo_heading_text(line: str, bold_titles: bool) -> str | None:
    if len(line) > 4 and line.startswith("**") and line.endswith("**"):
        title = line.replace("**", "").strip()
        # A bold line ending in ":" introduces a list; "(Text with ...)" is a remark.
        if bold_titles and title and title[0].isupper() and not title.endswith(":"):
            return title if len(title.split()) <= 15 else None
        return None
    dotted = _DOTTED_TITLE.fullmatch(line)
    if dotted and len(line.split()) <= 12 and not line.endswith((".", ":", ";", ",")):
        return line
    section = _SECTION_LINE.fullmatch(line)
    if section and len(line.split()) <= 25 and not line.endswith((".", ":", ";", ",")):
        return line
    return None
