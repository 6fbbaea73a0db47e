"""HTML to markdown-ish text: headings become '#' lines, blocks blank-line separated paragraphs."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from ingest.loaders.base import Extracted, LoadError

__all__ = ["extract_html"]


_HTML_DROP = {
    "script", "style", "nav", "header", "footer", "noscript", "template", "svg", "iframe",
    "head", "title", "meta", "link", "button", "select", "object", "embed", "canvas",
}  # fmt: skip
_HTML_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "hr", "html", "li", "main", "ol", "p",
    "section", "summary", "table", "tbody", "tfoot", "thead", "ul",
}  # fmt: skip
_HEADING_TAGS = {f"h{i}": i for i in range(1, 7)}


def extract_html(data: bytes, source: str, charset: str | None) -> Extracted:
    """Visible text as blocks; the title from <title> or the first <h1>."""
    with warnings.catch_warnings():
        # bs4 warns about markup that "looks like a filename/URL"; content is content here.
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(data, "html.parser", from_encoding=charset)
    title = ""
    if soup.title and soup.title.get_text(strip=True):
        title = soup.title.get_text(" ", strip=True)
    else:
        first_h1 = soup.find("h1")
        if first_h1:
            title = first_h1.get_text(" ", strip=True)
    blocks: list[str] = []
    try:
        _HtmlBlocks(blocks).walk(soup.body or soup)
    except RecursionError as exc:
        # Thousands of nested tags are an attack or a broken generator, not a document.
        raise LoadError(source, "HTML nested too deeply") from exc
    return Extracted(text="\n\n".join(blocks), title=title)


class _HtmlBlocks:
    """Flatten HTML into blank-line separated blocks; inline markup is merged into its paragraph."""

    def __init__(self, out: list[str]) -> None:
        self.out = out

    def walk(self, node: Tag, prefix: str = "") -> None:
        buf: list[str] = []
        pending_prefix = [prefix]  # the list-item marker belongs to the first paragraph only

        def flush() -> None:
            text = _clean_inline("".join(buf))
            buf.clear()
            if text:
                self.out.append(pending_prefix[0] + text)
                pending_prefix[0] = ""

        self._children(node, buf, flush)
        flush()

    def _children(self, node: Tag, buf: list[str], flush: Callable[[], None]) -> None:
        item_no = _list_start(node)
        for child in node.children:
            if isinstance(child, Comment | Declaration | Doctype | ProcessingInstruction):
                continue
            if isinstance(child, NavigableString):
                buf.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _HTML_DROP:
                continue
            name = child.name
            if name == "br":
                buf.append("\n")
            elif name in _HEADING_TAGS:
                flush()
                text = _clean_inline(child.get_text(" "))
                if text:
                    self.out.append("#" * _HEADING_TAGS[name] + " " + text.replace("\n", " "))
            elif name == "pre":
                flush()
                text = child.get_text().strip("\n")
                if text.strip():
                    self.out.append(text)
            elif name == "tr":
                flush()
                self._row(child)
            elif name in _HTML_BLOCKS:
                flush()
                marker = ""
                if name == "li":
                    marker = f"{item_no}. " if item_no is not None else "- "
                    item_no = item_no + 1 if item_no is not None else None
                self.walk(child, marker)
            else:
                self._children(child, buf, flush)  # inline: same paragraph

    def _row(self, row: Tag) -> None:
        cells = [
            _clean_inline(c.get_text(" ")).replace("\n", " ")
            for c in row.find_all(["td", "th"], recursive=False)
        ]
        cells = [c for c in cells if c]
        if cells:
            self.out.append(" | ".join(cells))


def _list_start(node: Tag) -> int | None:
    if node.name != "ol":
        return None
    try:
        return int(str(node.get("start", "1")))
    except ValueError:
        return 1


def _clean_inline(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
