"""An answer as a page of its own (/a/{id}) and as Markdown with footnote citations."""

from __future__ import annotations

import re

from rag.core.models import Answer
from ui.web.render import CHAT_CSS, answer_block_html, doc_href, esc

_CITE = re.compile(r"\s?\[(\d+)\]")
_PAGE_CSS = "body { font-family: system-ui, sans-serif; color: #111827; line-height: 1.5; }"


def answer_markdown(answer: Answer, base_url: str = "", note_prefix: str = "") -> str:
    """The question as a heading, the answer with [n] as footnote marks, one footnote per cited passage
    (title, section, quote, links), and where and when it came from. `note_prefix` keeps the footnotes
    of several answers in one document apart ("[^2-1]")."""
    cited = {c.n for c in answer.citations}

    def mark(m: re.Match[str]) -> str:
        return f"[^{note_prefix}{m.group(1)}]" if int(m.group(1)) in cited else m.group(0)

    lines = [f"## {answer.question.strip()}", ""]
    lines += [_CITE.sub(mark, line) for line in answer.answer.splitlines()] + [""]
    for c in sorted(answer.citations, key=lambda c: c.n):
        quote = (c.quote or c.text).strip().replace("\n", " ")
        where = ", ".join(p for p in (c.title, c.section) if p)
        passage = base_url + doc_href(c.doc_id, c.quote_start, c.quote_end)
        links = " · ".join(p for p in (c.url, passage) if p)
        lines.append(f"[^{note_prefix}{c.n}]: {where}: “{quote}” {links}".rstrip())
    if answer.abstained and answer.sources:
        lines.append("Closest passages: " + "; ".join(f"{s.title}, {s.section}" for s in answer.sources))
    lines += ["", _provenance(answer, base_url, markdown=True)]
    return "\n".join(lines).strip() + "\n"


def conversation_markdown(answers: list[Answer], base_url: str = "", missing: int = 0) -> str:
    """A whole conversation: each answer as `answer_markdown` gives it, in order, footnotes kept apart."""
    parts = ["# PolicyQA conversation", ""]
    if missing:
        parts += [f"_{missing} answer(s) of this conversation are no longer kept and are left out._", ""]
    for i, answer in enumerate(answers, start=1):
        parts += [answer_markdown(answer, base_url, note_prefix=f"{i}-"), "---", ""]
    return "\n".join(parts[:-2]).strip() + "\n"


def answer_page(answer: Answer) -> str:
    """The kept answer as it was shown in the chat, with its provenance and the export links."""
    exports = (
        f'<a href="/api/answers/{esc(answer.id)}/markdown">Markdown</a> · '
        f'<a href="/api/answers/{esc(answer.id)}">JSON</a> · <a href="/">ask PolicyQA</a>'
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(answer.question)} — PolicyQA</title><style>{CHAT_CSS}{_PAGE_CSS}</style></head>"
        # The chat's styles are scoped to its transcript: the page wears the same id to look the same.
        f"<body><main class='pq-permalink' id='pq-transcript'><h1 class='pq-q'>{esc(answer.question)}</h1>"
        f"{answer_block_html(answer, 0)}"
        f"<p class='pq-muted'>{esc(_provenance(answer, '', markdown=False))}</p><p>{exports}</p>"
        "</main></body></html>"
    )


def _provenance(answer: Answer, base_url: str, markdown: bool) -> str:
    corpus = answer.corpus_version[:12] or "unknown"
    text = f"Answered by PolicyQA ({answer.mode} mode) from corpus version {corpus}"
    if answer.id:
        text += f"; permalink {base_url}/a/{answer.id}"
    return f"_{text}._" if markdown else text + "."
