"""DOCX to markdown-ish text (python-docx): heading styles become '#' lines, tables ' | ' rows."""

from __future__ import annotations

import io
import logging
import re

from ingest.loaders.base import Extracted, LoadError

__all__ = ["extract_docx"]

log = logging.getLogger(__name__)


def extract_docx(data: bytes, source: str) -> Extracted:
    """Paragraphs and tables in document order; the title is the first heading or the core title."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        first_heading = ""
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                block, level = _docx_paragraph(item)
                if level and not first_heading:
                    first_heading = block.lstrip("#").strip()
                if block:
                    blocks.append(block)
            elif isinstance(item, Table):
                blocks.extend(_docx_table(item))
        core_title = (document.core_properties.title or "").strip()
    except Exception as exc:  # python-docx/lxml raise many types on damaged files
        log.info("%s: python-docx could not read it: %s", source, exc)
        raise LoadError(source, "corrupt or unreadable DOCX") from exc
    return Extracted(text="\n\n".join(blocks), title=first_heading or core_title)


_DOCX_HEADING = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def _docx_paragraph(paragraph: object) -> tuple[str, int]:
    """Markdown for one paragraph and its heading level (0 for body text)."""
    text = " ".join(paragraph.text.split())  # type: ignore[attr-defined]
    if not text:
        return "", 0
    style = getattr(paragraph, "style", None)
    style_name = (getattr(style, "name", "") or "").strip()
    if style_name.lower() == "title":
        return f"# {text}", 1
    match = _DOCX_HEADING.match(style_name)
    if match:
        level = min(max(int(match.group(1)), 1), 6)
        return "#" * level + " " + text, level
    if style_name.lower().startswith("list"):
        return f"- {text}", 0
    return text, 0


def _docx_table(table: object) -> list[str]:
    rows: list[str] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # Merged cells are returned once per grid column; show each underlying cell once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = " ".join(cell.text.split())
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows
