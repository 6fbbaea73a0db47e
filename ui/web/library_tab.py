"""The Library tab: the documents in the store, and (with the write key) upload and delete.

Each uploaded file is read, indexed and reported on its own line as it goes, so a batch shows its
progress and one bad file does not stop the rest. Without POLICYQA_API_KEY the write controls are not
shown at all; with it, they need the key typed into the tab, checked like the API's bearer key.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ingest.loaders import LoadError
from ui.api.uploads import DocumentExistsError, load_remote, load_upload
from ui.library import IngestRunningError, Library, LibraryRow
from ui.state import AppState
from ui.web.render import doc_href, esc
from ui.writes import WritesBusyError

log = logging.getLogger(__name__)

NO_KEY = (
    "Adding and removing documents is off on this server: it has no `POLICYQA_API_KEY`. "
    "Set one to turn on uploads here and through the API."
)


@dataclass
class LibraryWidgets:
    table: gr.HTML
    files: gr.File | None = None
    url: gr.Textbox | None = None
    key: gr.Textbox | None = None
    replace: gr.Checkbox | None = None
    add: gr.Button | None = None
    report: gr.HTML | None = None
    doc: gr.Dropdown | None = None
    delete: gr.Button | None = None


def table_html(rows: list[LibraryRow]) -> str:
    """The documents as a table; a title opens the document view."""
    head = "".join(
        f"<th>{h}</th>"
        for h in ("Title", "Publisher", "Date", "Type", "Passages", "Provenance", "Last indexed")
    )
    body = "".join(
        "<tr>"
        f"<td><a href='{esc(doc_href(r.doc_id))}' target='_blank' rel='noopener'>{esc(r.title)}</a>"
        f"<br><code>{esc(r.doc_id)}</code></td>"
        f"<td>{esc(r.publisher)}</td><td>{esc(r.date)}</td><td>{esc(r.type)}</td><td>{r.chunks}</td>"
        f"<td>{_provenance(r)}</td><td>{esc(r.indexed_at.replace('T', ' ').removesuffix('+00:00'))}</td>"
        "</tr>"
        for r in rows
    )
    return (
        f"<p class='pq-lib-count'>{len(rows)} document(s), {sum(r.chunks for r in rows)} passages</p>"
        f"<table class='pq-library'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _provenance(r: LibraryRow) -> str:
    link = (
        f"<a href='{esc(r.url)}' rel='noopener noreferrer' target='_blank'>source</a>"
        if r.url.startswith(("http://", "https://"))
        else ""
    )
    return " · ".join(p for p in (link, esc(r.license)) if p)


def _line(mark: str, name: str, text: str) -> str:
    return f"<li class='pq-lib-{mark}'><b>{esc(name)}</b>: {esc(text)}</li>"


class LibraryHandlers:
    def __init__(self, state: AppState) -> None:
        self.state = state
        self.library = Library(state)

    def table(self) -> str:
        if not self.state.ready.is_set():
            return "<p>The index is still loading; reload the page in a moment.</p>"
        return table_html(self.library.rows())

    def choices(self) -> Any:
        if not self.state.ready.is_set():
            return gr.update(choices=[])
        return gr.update(choices=[(r.title, r.doc_id) for r in self.library.rows()], value=None)

    def add(self, files: list[str] | None, url: str, key: str, replace: bool) -> Iterator[tuple[str, str]]:
        """(report, table) after each file: the report grows a line per file as it is indexed."""
        url = (url or "").strip()
        todo = [(Path(f).name, f) for f in files or []] + ([(url, "")] if url else [])
        if not todo:
            yield "<p>Choose a file or give a URL first.</p>", gr.update()
            return
        if not self.library.key_ok(key or ""):
            yield (
                "<p class='pq-lib-failed'>The write key is missing or wrong; nothing was added.</p>",
                gr.update(),
            )
            return
        lines: list[str] = []
        for i, (name, path) in enumerate(todo):
            pending = _line("pending", name, "reading and indexing…")
            yield f"<ul>{''.join(lines)}{pending}</ul>", gr.update()
            lines.append(self._add_one(name, path, bool(replace)))
            if i == len(todo) - 1:
                yield f"<ul>{''.join(lines)}</ul>", self.table()

    def _add_one(self, name: str, path: str, replace: bool) -> str:
        settings = self.state.settings
        try:
            if path:
                if os.path.getsize(path) > settings.max_upload_bytes:
                    return _line("failed", name, f"too large (limit {settings.max_upload_bytes} bytes)")
                loaded = load_upload(Path(path).read_bytes(), name, settings)
            else:
                loaded = load_remote(name, settings)
            done = self.library.add(loaded, replace=replace)
        except LoadError as exc:
            return _line("failed", name, exc.reason)
        except DocumentExistsError as exc:
            return _line(
                "failed", name, f"a document with id {exc.doc_id} exists; tick “replace” to replace it"
            )
        except (IngestRunningError, WritesBusyError) as exc:
            return _line("failed", name, str(exc))
        except Exception as exc:  # one file's surprise is reported; the rest of the batch goes on
            log.exception("library upload of %s failed", name)
            return _line("failed", name, f"could not be indexed ({type(exc).__name__})")
        return _line("ok", name, f"{done.status} as {done.doc_id}, {done.chunks} passage(s)")

    def delete(self, doc_id: str | None, key: str) -> tuple[str, str]:
        if not doc_id:
            return "<p>Choose a document to delete.</p>", gr.update()
        if not self.library.key_ok(key or ""):
            return (
                "<p class='pq-lib-failed'>The write key is missing or wrong; nothing was deleted.</p>",
                gr.update(),
            )
        try:
            removed = self.library.remove(doc_id)
        except (IngestRunningError, WritesBusyError) as exc:
            return f"<ul>{_line('failed', doc_id, str(exc))}</ul>", gr.update()
        if removed is None:
            return f"<ul>{_line('failed', doc_id, 'no such document (deleted already?)')}</ul>", self.table()
        return f"<ul>{_line('ok', doc_id, f'deleted, with its {removed} passage(s)')}</ul>", self.table()


def library_tab(state: AppState) -> LibraryWidgets:
    """The tab's layout; write controls only when the server has a write key."""
    w = LibraryWidgets(table=gr.HTML("<p>Loading the library…</p>", elem_id="pq-library"))
    if state.settings.api_key is None:
        gr.Markdown(NO_KEY, elem_id="pq-lib-nokey")
        return w
    with gr.Accordion("Add or remove documents", open=True, elem_id="pq-lib-write"):
        w.key = gr.Textbox(label="Write key (POLICYQA_API_KEY)", type="password", elem_id="pq-lib-key")
        with gr.Row():
            w.files = gr.File(
                label="Files (Markdown, text, HTML, PDF, Word)",
                file_count="multiple",
                type="filepath",
                elem_id="pq-lib-files",
            )
            with gr.Column():
                w.url = gr.Textbox(label="…or a URL", placeholder="https://…", elem_id="pq-lib-url")
                w.replace = gr.Checkbox(label="Replace a document with the same id", elem_id="pq-lib-replace")
                w.add = gr.Button("Add to the library", variant="primary", elem_id="pq-lib-add")
        w.report = gr.HTML("", elem_id="pq-lib-report")
        with gr.Row():
            w.doc = gr.Dropdown(label="Document to delete", choices=[], elem_id="pq-lib-doc")
            w.delete = gr.Button("Delete", variant="stop", elem_id="pq-lib-delete")
    return w


def wire_library(demo: gr.Blocks, w: LibraryWidgets, handlers: LibraryHandlers, changed: list) -> None:
    """`changed`: (fn, outputs) to run after the library changes (the chat's document filter)."""
    private = {"api_visibility": "private"}
    demo.load(handlers.table, None, [w.table], **private)
    if w.add is None or w.delete is None or w.doc is None or w.report is None:
        return
    demo.load(handlers.choices, None, [w.doc], **private)
    added = w.add.click(
        handlers.add, [w.files, w.url, w.key, w.replace], [w.report, w.table], **private
    ).then(handlers.choices, None, [w.doc], **private)
    deleted = w.delete.click(handlers.delete, [w.doc, w.key], [w.report, w.table], **private).then(
        handlers.choices, None, [w.doc], **private
    )
    for fn, outputs in changed:
        added.then(fn, None, outputs, **private)
        deleted.then(fn, None, outputs, **private)
