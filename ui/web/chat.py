"""The Gradio chat UI, mounted at / by `ui.app.create_app`: layout, theme and stylesheet here, the
event handlers in `ui.web.handlers`.

The conversation is one HTML block rendered by `ui.web.render` (escaped text, [n] links to numbered
source cards) rather than a gr.Chatbot: the cards need anchors, <mark> highlights and document links
that a chat bubble's markdown sanitiser would not keep reliably.

Gradio keeps its queue and gr.State in the process, so with several uvicorn workers the UI needs sticky
sessions (client-IP affinity) at the proxy; the JSON API and the OpenAI-compatible routes do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
from fastapi import FastAPI

from ui.state import AppState
from ui.web.handlers import ChatHandlers
from ui.web.library_tab import LibraryHandlers, library_tab, wire_library
from ui.web.render import CHAT_CSS, export_html, transcript_html

EXAMPLES = [
    "Which AI practices are prohibited under the EU AI Act?",
    "What does the Hiroshima Process Code of Conduct ask of organisations developing advanced AI?",
    "What are the four functions of the NIST AI Risk Management Framework?",
    "When was the UN General Assembly resolution on safe, secure and trustworthy AI adopted?",
]

HEADER = (
    '<header class="pq-header"><h1>PolicyQA</h1>'
    "<p>Cited answers from public AI-governance texts. Answers quote the documents; "
    'check the sources. <a href="/timeline" target="_blank" rel="noopener">Timeline of the corpus</a></p>'
    "</header>"
)


def theme() -> gr.themes.Base:
    # System fonts only: the default theme pulls web fonts from Google, which an offline server cannot reach.
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_sm,
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    ).set(
        # The navy of the citation links, so the page has one accent colour.
        button_primary_background_fill="#1d4e89",
        button_primary_background_fill_hover="#163d6b",
        button_primary_text_color="#ffffff",
    )


@dataclass
class Widgets:
    turns: gr.State
    transcript: gr.HTML
    question: gr.Textbox
    ask: gr.Button
    up: gr.Button
    down: gr.Button
    clear: gr.Button
    delete: gr.Button
    export: gr.HTML
    status: gr.Markdown
    docs: gr.Dropdown
    mode: gr.Radio
    saved: gr.BrowserState  # the conversation's kept-answer ids, in the browser: a reload restores it


def _conversation(max_question_chars: int) -> tuple:
    """The left column: transcript, question box, feedback, clear, delete and export, status line."""
    transcript = gr.HTML(transcript_html([]), elem_id="pq-transcript", js_on_load=None)
    with gr.Row(equal_height=False, elem_id="pq-ask-row"):
        question = gr.Textbox(
            label="Your question",
            placeholder="e.g. What does Article 50 of the EU AI Act require? (Enter to ask)",
            lines=1,
            max_lines=6,
            max_length=max_question_chars,
            scale=5,
            min_width=220,
            elem_id="pq-question",
            autofocus=True,
        )
        ask = gr.Button("Ask", variant="primary", scale=0, min_width=96, elem_id="pq-ask")
    with gr.Row(elem_id="pq-actions"):
        # Text glyphs rather than emoji: a server or kiosk without an emoji font shows boxes.
        up = gr.Button("▲ Helpful", size="sm", scale=0, min_width=100, elem_id="pq-up")
        down = gr.Button("▼ Not helpful", size="sm", scale=0, min_width=120, elem_id="pq-down")
        clear = gr.Button("Clear chat", size="sm", scale=0, min_width=100, elem_id="pq-clear")
        delete = gr.Button("Delete conversation", size="sm", scale=0, min_width=150, elem_id="pq-delete")
        export = gr.HTML(export_html([]), elem_id="pq-export", js_on_load=None)
    status = gr.Markdown("", elem_id="pq-status")
    return transcript, question, ask, up, down, clear, delete, export, status


def _options(modes: list[str], default_mode: str) -> tuple[gr.Dropdown, gr.Radio]:
    """The right column: document filter and answer mode."""
    docs = gr.Dropdown(
        label="Search only these documents",
        info="Leave empty to search the whole corpus.",
        multiselect=True,
        choices=[],
        elem_id="pq-docs",
    )
    mode = gr.Radio(
        label="Answer mode",
        choices=modes,
        value=default_mode,
        info="Extractive quotes the documents verbatim; generative modes are verified against them.",
        elem_id="pq-mode",
    )
    return docs, mode


def _layout(state: AppState) -> Widgets:
    settings, modes = state.settings, state.modes
    default_mode = settings.mode if settings.mode in modes else modes[0]
    turns = gr.State([])
    saved = gr.BrowserState([], storage_key="policyqa-conversation")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            transcript, question, ask, up, down, clear, delete, export, status = _conversation(
                settings.max_question_chars
            )
        with gr.Column(scale=1, min_width=260):
            docs, mode = _options(modes, default_mode)
            gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="Example questions")
    return Widgets(
        turns, transcript, question, ask, up, down, clear, delete, export, status, docs, mode, saved
    )


def _wire(demo: gr.Blocks, w: Widgets, handlers: ChatHandlers) -> None:
    ask_inputs = [w.question, w.turns, w.docs, w.mode]
    ask_outputs = [w.transcript, w.turns, w.question]
    private = {"api_visibility": "private"}
    kept = [w.saved, w.export]  # what follows the conversation: the browser's ids, the export link
    for trigger in (w.question.submit, w.ask.click):
        trigger(handlers.respond, ask_inputs, ask_outputs, show_progress="minimal", **private).then(
            handlers.kept, [w.turns], kept, **private
        )
    w.up.click(lambda t: handlers.give_feedback("up", t), [w.turns], [w.status], **private)
    w.down.click(lambda t: handlers.give_feedback("down", t), [w.turns], [w.status], **private)
    cleared = [w.transcript, w.turns, w.question, w.status]
    w.clear.click(handlers.clear, None, cleared, **private).then(handlers.kept, [w.turns], kept, **private)
    w.delete.click(handlers.delete, [w.turns], cleared, **private).then(
        handlers.kept, [w.turns], kept, **private
    )
    demo.load(handlers.doc_choices, None, [w.docs], **private)
    demo.load(handlers.restore, [w.saved], [w.transcript, w.turns], **private).then(
        handlers.kept, [w.turns], kept, **private
    )
    gr.api(handlers.ask_api, api_name="ask")


def build_chat(state: AppState) -> gr.Blocks:
    handlers = ChatHandlers(state)
    with gr.Blocks(title="PolicyQA — cited answers on AI governance", analytics_enabled=False) as demo:
        gr.HTML(HEADER, js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask", elem_id="pq-tab-ask"):
                widgets = _layout(state)
            with gr.Tab("Library", id="library", elem_id="pq-tab-library"):
                library = library_tab(state)
        _wire(demo, widgets, handlers)
        wire_library(demo, library, LibraryHandlers(state), [(handlers.doc_choices, [widgets.docs])])
    demo.queue(default_concurrency_limit=max(1, state.settings.max_concurrent_generations))
    return demo


def mount_chat(app: FastAPI, state: AppState) -> FastAPI:
    """Mount the chat UI at / on `app`; do it last, so that the app's own routes take precedence."""
    return gr.mount_gradio_app(
        app,
        build_chat(state),
        path="/",
        theme=theme(),
        css=CHAT_CSS,
        ssr_mode=False,
        footer_links=["api"],
        run_history=False,
        show_error=False,
    )
