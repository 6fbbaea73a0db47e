"""The Gradio chat UI, mounted at / by `ui.app.create_app`.

The conversation is one HTML block rendered by `ui.render` (escaped text, [n] links to numbered source
cards) rather than a gr.Chatbot: the cards need anchors, <mark> highlights and document links that a
chat bubble's markdown sanitiser would not keep reliably.

Gradio keeps its queue and gr.State in the process, so with several uvicorn workers the UI needs sticky
sessions (client-IP affinity) at the proxy; the JSON API and the OpenAI-compatible routes do not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag.chain import AskRequest
from rag.core.models import Answer, ChatTurn, Filters
from ui.feedback import record_feedback
from ui.leak_guard import DraftGuard, screened_invoke, screened_stream
from ui.metrics import FEEDBACK, REJECTED, observe_answer
from ui.render import transcript_html
from ui.state import AppState
from ui.store_health import store_unavailable

log = logging.getLogger(__name__)

EXAMPLES = [
    "Which AI practices are prohibited under the EU AI Act?",
    "What does the Hiroshima Process Code of Conduct ask of organisations developing advanced AI?",
    "What are the four functions of the NIST AI Risk Management Framework?",
    "When was the UN General Assembly resolution on safe, secure and trustworthy AI adopted?",
]

HEADER = (
    '<header class="pq-header"><h1>PolicyQA</h1>'
    "<p>Cited answers from public AI-governance texts. Answers quote the documents; check the sources.</p></header>"
)

CSS = """
.gradio-container { max-width: 1180px !important; margin: 0 auto !important; }
.pq-header h1 { font-size: 1.5rem; margin: .25rem 0 .1rem; letter-spacing: -.01em; }
.pq-header p { margin: 0 0 .5rem; color: var(--body-text-color-subdued); }
#pq-transcript { min-height: 16rem; }
#pq-transcript .pq-transcript { display: flex; flex-direction: column; gap: 1rem; }
#pq-transcript .pq-welcome { border: 1px dashed var(--border-color-primary); border-radius: 6px; padding: .75rem 1rem;
              color: var(--body-text-color-subdued); }
#pq-transcript .pq-welcome p { margin: .25rem 0; }
#pq-transcript .pq-turn { display: flex; flex-direction: column; gap: .5rem; }
#pq-transcript .pq-role { display: block; font-size: .75rem; font-weight: 600; text-transform: uppercase; letter-spacing: .06em;
           color: var(--body-text-color-subdued); margin-bottom: .15rem; }
#pq-transcript .pq-q { align-self: flex-end; max-width: 85%; background: var(--background-fill-secondary);
        border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .5rem .75rem; }
#pq-transcript .pq-q p { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
#pq-transcript .pq-a { border-left: 3px solid #1d4e89; padding: .25rem 0 .25rem .85rem; }
#pq-transcript .pq-answer p { margin: .3rem 0; line-height: 1.55; overflow-wrap: anywhere; }
#pq-transcript .pq-answer-abstained { color: var(--body-text-color-subdued); }
#pq-transcript .pq-streaming p { color: var(--body-text-color-subdued); }
#pq-transcript .pq-badge { display: inline-block; font-size: .7rem; border: 1px solid var(--border-color-primary);
            border-radius: 999px; padding: 0 .5rem; color: var(--body-text-color-subdued); }
#pq-transcript .pq-badge.pq-abstained { border-color: #b45309; color: #92400e; background: #fffbeb; }
#pq-transcript .pq-muted { color: var(--body-text-color-subdued); font-size: .9rem; }
#pq-transcript .pq-cite { font-weight: 600; text-decoration: none; color: #1d4e89; padding: 0 .1rem; border-radius: 3px; }
#pq-transcript .pq-cite:hover, #pq-transcript .pq-cite:focus { background: #e0e9f5; text-decoration: underline; }
#pq-transcript .pq-warnings { margin: .4rem 0; padding-left: 1.2rem; color: #92400e; font-size: .85rem; }
#pq-transcript .pq-sources { margin-top: .75rem; display: flex; flex-direction: column; gap: .6rem; }
#pq-transcript .pq-sources-h { font-size: .8rem !important; text-transform: uppercase; letter-spacing: .06em; margin: 0 !important;
                color: var(--body-text-color-subdued); }
#pq-transcript .pq-card { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .6rem .8rem;
           background: var(--background-fill-primary); scroll-margin-top: 1rem; }
#pq-transcript .pq-card:target, #pq-transcript .pq-card:focus { outline: 2px solid #1d4e89; outline-offset: 1px; }
#pq-transcript .pq-card-head { display: flex; gap: .5rem; align-items: baseline; }
#pq-transcript .pq-n { font-weight: 700; color: #1d4e89; }
#pq-transcript .pq-title { font-weight: 600; }
#pq-transcript .pq-meta, #pq-transcript .pq-section { margin: .1rem 0; font-size: .82rem; color: var(--body-text-color-subdued); }
#pq-transcript .pq-section { font-style: italic; }
#pq-transcript .pq-passage { margin: .45rem 0 .35rem !important; padding: .4rem .7rem; border-left: 3px solid var(--border-color-primary);
              font-size: .9rem; line-height: 1.5; max-height: 14rem; overflow: auto; white-space: pre-wrap;
              overflow-wrap: anywhere; }
#pq-transcript .pq-passage mark { background: #fde68a; color: inherit; padding: 0 .05rem; }
#pq-transcript .pq-open { font-size: .85rem; color: #1d4e89; padding: 0; }
#pq-transcript .pq-more summary { cursor: pointer; font-size: .85rem; color: var(--body-text-color-subdued); }
#pq-transcript .pq-more .pq-card { margin-top: .5rem; }
#pq-transcript .pq-notice { color: #92400e; background: #fffbeb; border: 1px solid #f59e0b; border-radius: 6px; padding: .4rem .7rem; }
#pq-ask-row { align-items: flex-end; }
#pq-ask { align-self: stretch; max-height: 5.5rem; }
#pq-actions { gap: .5rem; }
#pq-status p { margin: 0; font-size: .85rem; color: var(--body-text-color-subdued); }
@media (max-width: 640px) { #pq-transcript .pq-q { max-width: 100%; } .gradio-container { padding: 0 .4rem !important; } }
"""


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


def _history(turns: list[dict], limit: int) -> list[ChatTurn]:
    out: list[ChatTurn] = []
    for turn in turns:
        out.append(ChatTurn(role="user", content=turn["question"]))
        out.append(ChatTurn(role="assistant", content=turn["answer"]["answer"]))
    return out[-limit:] if limit > 0 else []


def _client(request: gr.Request | None) -> str:
    # The same key as the HTTP API's limiter, so one client shares one budget across UI and API.
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


def build_chat(state: AppState) -> gr.Blocks:
    settings = state.settings
    modes = state.modes
    default_mode = settings.mode if settings.mode in modes else modes[0]

    def doc_choices() -> Any:
        if not state.ready.is_set():
            return gr.update(
                choices=[], info="The index is still loading; reload the page to filter by document."
            )
        docs = state.services.index.documents()
        return gr.update(choices=[(meta.short_title or meta.title, meta.doc_id) for meta, _ in docs])

    def respond(
        question: str, turns: list[dict], doc_ids: list[str] | None, mode: str, request: gr.Request
    ) -> Iterator[tuple]:
        question = (question or "").strip()
        turns = list(turns or [])
        if not question:
            yield transcript_html(turns, notice="Type a question first."), turns, gr.update()
            return
        if len(question) > settings.max_question_chars:
            notice = f"The question is too long ({len(question)} characters; the limit is {settings.max_question_chars})."
            yield transcript_html(turns, notice=notice), turns, gr.update()
            return
        if not state.ready.is_set():
            yield (
                transcript_html(turns, notice="The index is still loading; try again in a moment."),
                turns,
                gr.update(),
            )
            return
        wait = state.limiter.check(_client(request))
        if wait:
            REJECTED.labels(reason="rate_limited").inc()
            yield (
                transcript_html(turns, notice=f"Too many questions; try again in {wait}s."),
                turns,
                gr.update(),
            )
            return
        slot = state.slots.try_acquire()
        if slot is None:
            REJECTED.labels(reason="busy").inc()
            yield (
                transcript_html(turns, notice="The server is busy; try again in a few seconds."),
                turns,
                gr.update(),
            )
            return
        req = AskRequest(
            question=question,
            history=_history(turns, settings.max_history_turns),
            mode=mode if mode in modes else None,  # type: ignore[arg-type]
            filters=Filters(doc_ids=list(doc_ids)) if doc_ids else None,
        )
        draft = ""
        try:
            yield transcript_html(turns, pending=(question, "")), turns, gr.update(value="")
            guard = DraftGuard()  # the draft is unverified model output: keep prompt text out of it
            for item in screened_stream(state.services.chain, req):
                if isinstance(item, Answer):
                    observe_answer(item, channel="ui")
                    turns = turns + [{"question": question, "answer": item.model_dump(mode="json")}]
                    yield transcript_html(turns), turns, gr.update()
                elif released := guard.feed(item):
                    draft += released
                    yield transcript_html(turns, pending=(question, draft)), turns, gr.update()
        except Exception as exc:  # show a sentence, keep the conversation, log the details
            log.exception("chat answer failed")
            notice = "Something went wrong while answering; please try again."
            if store_unavailable(exc, settings):
                state.store.mark_down()
                notice = "The document store is unreachable right now; please try again shortly."
            yield (
                transcript_html(turns, notice=notice),
                turns,
                gr.update(value=question),
            )
        finally:
            slot.release()

    def give_feedback(rating: str, turns: list[dict]) -> str:
        if not turns:
            return "Ask a question first; feedback applies to the latest answer."
        answer = Answer.model_validate(turns[-1]["answer"])
        record_feedback(settings.data_dir, "up" if rating == "up" else "down", answer)
        FEEDBACK.labels(rating=rating).inc()
        return "Thanks — your feedback on the latest answer was recorded."

    def clear() -> tuple:
        return transcript_html([]), [], "", ""

    def ask_api(
        request: gr.Request, question: str, doc_ids: list[str] | None = None, mode: str | None = None
    ) -> dict:
        """Answer a question; returns the Answer JSON (answer, citations, sources, sentences, warnings)."""
        question = (question or "").strip()
        if not question:
            raise gr.Error("question must not be empty")
        if len(question) > settings.max_question_chars:
            raise gr.Error(f"question is longer than {settings.max_question_chars} characters")
        if mode and mode not in modes:
            raise gr.Error(f"unknown mode {mode!r}; available: {', '.join(modes)}")
        if not state.ready.is_set():
            raise gr.Error("the index is still loading; retry shortly")
        wait = state.limiter.check(_client(request))
        if wait:
            REJECTED.labels(reason="rate_limited").inc()
            raise gr.Error(
                f"rate limit of {state.limiter.per_minute} requests per minute exceeded; retry in {wait}s"
            )
        slot = state.slots.try_acquire()
        if slot is None:
            raise gr.Error("server busy; retry shortly")
        try:
            answer = screened_invoke(
                state.services.chain,
                AskRequest(
                    question=question,
                    mode=mode or None,  # type: ignore[arg-type]
                    filters=Filters(doc_ids=doc_ids) if doc_ids else None,
                ),
            )
        finally:
            slot.release()
        observe_answer(answer, channel="gradio_api")
        return answer.model_dump(mode="json")

    with gr.Blocks(title="PolicyQA — cited answers on AI governance", analytics_enabled=False) as demo:
        turns = gr.State([])
        gr.HTML(HEADER, js_on_load=None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                transcript = gr.HTML(transcript_html([]), elem_id="pq-transcript", js_on_load=None)
                with gr.Row(equal_height=False, elem_id="pq-ask-row"):
                    question = gr.Textbox(
                        label="Your question",
                        placeholder="e.g. What does Article 50 of the EU AI Act require? (Enter to ask)",
                        lines=1,
                        max_lines=6,
                        max_length=settings.max_question_chars,
                        scale=5,
                        min_width=220,
                        elem_id="pq-question",
                        autofocus=True,
                    )
                    ask_btn = gr.Button("Ask", variant="primary", scale=0, min_width=96, elem_id="pq-ask")
                with gr.Row(elem_id="pq-actions"):
                    # Text glyphs rather than emoji: a server or kiosk without an emoji font shows boxes.
                    up = gr.Button("▲ Helpful", size="sm", scale=0, min_width=100, elem_id="pq-up")
                    down = gr.Button("▼ Not helpful", size="sm", scale=0, min_width=120, elem_id="pq-down")
                    clear_btn = gr.Button("Clear chat", size="sm", scale=0, min_width=100, elem_id="pq-clear")
                status = gr.Markdown("", elem_id="pq-status")
            with gr.Column(scale=1, min_width=260):
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
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="Example questions")

        ask_inputs = [question, turns, docs, mode]
        ask_outputs = [transcript, turns, question]
        for trigger in (question.submit, ask_btn.click):
            trigger(respond, ask_inputs, ask_outputs, api_visibility="private", show_progress="minimal")
        up.click(lambda t: give_feedback("up", t), [turns], [status], api_visibility="private")
        down.click(lambda t: give_feedback("down", t), [turns], [status], api_visibility="private")
        clear_btn.click(clear, None, [transcript, turns, question, status], api_visibility="private")
        demo.load(doc_choices, None, [docs], api_visibility="private")
        gr.api(ask_api, api_name="ask")

    demo.queue(default_concurrency_limit=max(1, settings.max_concurrent_generations))
    return demo
