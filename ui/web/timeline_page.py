"""GET /timeline: the corpus's dated events as one page, filtered by document and year through plain
links (the page runs no script and submits no form, so its strict CSP stays)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from rag.timeline import TimelineDay, TimelineEvent
from ui.web.render import doc_href, esc

TIMELINE_CSS = (Path(__file__).resolve().parent / "static" / "timeline.css").read_text(encoding="utf-8")


def display_date(iso: str) -> str:
    """2023-11-08 → 8 November 2023; 2023-11 → November 2023."""
    parts = [int(p) for p in iso.split("-")]
    month = date(parts[0], parts[1], 1).strftime("%B")
    return f"{parts[2]} {month} {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


def timeline_href(docs: list[str], year: str, acts: bool) -> str:
    query = (
        [("doc", d) for d in docs] + ([("year", year)] if year else []) + ([("acts", "1")] if acts else [])
    )
    return "/timeline" + (f"?{urlencode(query)}" if query else "")


def timeline_page(
    days: list[TimelineDay],
    documents: list[tuple[str, str]],
    years: list[str],
    docs: list[str],
    year: str,
    acts: bool,
) -> str:
    """`documents`: (doc id, short title) of every document; `docs`, `year`, `acts`: the filters in force."""
    count = sum(len(d.events) for d in days)
    body = "".join(_day(d) for d in days) or "<p class='pq-muted'>No dated events match these filters.</p>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Timeline — PolicyQA</title><style>{TIMELINE_CSS}</style></head><body>"
        "<header><h1>Timeline of the corpus</h1>"
        "<p>Every dated event the documents state, each with its sentence and a link to it. Dates counted "
        "from a document's own date (“within 90 days of the date of this order”) are marked computed. "
        "<a href='/'>Back to PolicyQA</a></p>"
        f"{_filters(documents, years, docs, year, acts)}"
        f"<p class='pq-count'>{count} event(s) on {len(days)} day(s)</p></header>"
        f"<main>{body}</main></body></html>"
    )


def _filters(
    documents: list[tuple[str, str]], years: list[str], docs: list[str], year: str, acts: bool
) -> str:
    def link(label: str, href: str, on: bool) -> str:
        return f"<a href='{esc(href)}'{' class=on aria-current=true' if on else ''}>{esc(label)}</a>"

    doc_links = [link("All documents", timeline_href([], year, acts), not docs)]
    doc_links += [link(title, timeline_href([d], year, acts), docs == [d]) for d, title in documents]
    year_links = [link("All years", timeline_href(docs, "", acts), not year)]
    year_links += [link(y, timeline_href(docs, y, acts), y == year) for y in years]
    toggle = link(
        "hide the dates of cited acts" if acts else "show the dates of cited acts",
        timeline_href(docs, year, not acts),
        False,
    )
    return (
        f"<nav class='pq-filter' aria-label='Documents'>{' '.join(doc_links)}</nav>"
        f"<nav class='pq-filter' aria-label='Years'>{' '.join(year_links)}</nav>"
        f"<p class='pq-filter'>{toggle}</p>"
    )


def _day(day: TimelineDay) -> str:
    items = "".join(_event(e) for e in day.events)
    return (
        f"<section class='pq-day' id='d-{esc(day.date)}'><h2><a href='#d-{esc(day.date)}'>"
        f"{esc(display_date(day.date))}</a></h2><ul>{items}</ul></section>"
    )


def _event(e: TimelineEvent) -> str:
    computed = (
        f" <span class='pq-computed' title='{esc(e.basis)}'>computed: {esc(e.basis)}</span>"
        if e.computed
        else ""
    )
    return (
        f"<li><span class='pq-kind'>{esc(e.kind)}</span> <b>{esc(e.title)}</b>{computed}"
        f"<blockquote>“{esc(e.quote)}” <a href='{esc(doc_href(e.doc_id, e.start, e.end))}'>[source]</a>"
        "</blockquote></li>"
    )
