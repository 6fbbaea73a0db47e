"""What the chat UI does on each event: answer (streamed into the transcript), feedback, clear, the
document list, and the named `/ask` endpoint for gradio_client.

Validation is `ui.question`'s and admission is `ui.admission`'s, the same as the HTTP API's; here they
are only shown differently: as a notice in the transcript, or as a gr.Error for the `/ask` endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag.chain import AskRequest
from rag.core.models import Answer, ChatTurn, Filters
from ui.admission import RateLimited, Rejected, Slot, client_key
from ui.leak_guard import DraftGuard, screened_invoke, screened_stream
from ui.metrics import FEEDBACK, observe_answer
from ui.question import QuestionError, QuestionLimits, QuestionRequest, sentence
from ui.state import AppState
from ui.store_health import store_unavailable
from ui.web.feedback import record_feedback
from ui.web.render import export_html, transcript_html

log = logging.getLogger(__name__)

LOADING = "The index is still loading; try again in a moment."
FAILED = "Something went wrong while answering; please try again."
STORE_DOWN = "The document store is unreachable right now; please try again shortly."


RESTORED_TURNS = 50  # a reload shows at most the last this many answers


def history(turns: list[dict], limit: int) -> list[ChatTurn]:
    out: list[ChatTurn] = []
    for turn in turns:
        out.append(ChatTurn(role="user", content=turn["question"]))
        out.append(ChatTurn(role="assistant", content=turn["answer"]["answer"]))
    return out[-limit:] if limit > 0 else []


def question_notice(exc: QuestionError) -> str:
    return "Type a question first." if exc.code == "empty" else sentence(str(exc))


def rejection_notice(exc: Rejected) -> str:
    if isinstance(exc, RateLimited):
        return f"Too many questions; try again in {exc.wait}s."
    return "The server is busy; try again in a few seconds."


class ChatHandlers:
    """The event handlers of one app's chat UI, over its `AppState`."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.settings = state.settings
        self.modes = state.modes

    def limits(self, modes: list[str] | None = None) -> QuestionLimits:
        return QuestionLimits.of(self.settings, modes=modes)

    def doc_choices(self) -> Any:
        if not self.state.ready.is_set():
            return gr.update(
                choices=[], info="The index is still loading; reload the page to filter by document."
            )
        docs = self.state.services.index.documents()
        return gr.update(choices=[(meta.short_title or meta.title, meta.doc_id) for meta, _ in docs])

    def respond(
        self, question: str, turns: list[dict], doc_ids: list[str] | None, mode: str, request: gr.Request
    ) -> Iterator[tuple]:
        question = (question or "").strip()
        turns = list(turns or [])
        try:
            QuestionRequest.checked(self.limits(), question=question)
            if not self.state.ready.is_set():
                yield transcript_html(turns, notice=LOADING), turns, gr.update()
                return
            generative = self.settings.is_generative(mode if mode in self.modes else None)
            slot = self.state.admission.admit(client_key(request), generative)
        except QuestionError as exc:
            yield transcript_html(turns, notice=question_notice(exc)), turns, gr.update()
            return
        except Rejected as exc:
            yield transcript_html(turns, notice=rejection_notice(exc)), turns, gr.update()
            return
        req = AskRequest(
            question=question,
            history=history(turns, self.settings.max_history_turns),
            mode=mode if mode in self.modes else None,  # type: ignore[arg-type]
            filters=Filters(doc_ids=list(doc_ids)) if doc_ids else None,
        )
        yield from self._stream_answer(req, turns, slot)

    def _stream_answer(self, req: AskRequest, turns: list[dict], slot: Slot) -> Iterator[tuple]:
        question, draft = req.question, ""
        try:
            yield transcript_html(turns, pending=(question, "")), turns, gr.update(value="")
            guard = DraftGuard()  # the draft is unverified model output: keep prompt text out of it
            for item in screened_stream(self.state.services.chain, req):
                if isinstance(item, Answer):
                    observe_answer(item, channel="ui")
                    item = self.state.answers.keep_answer(item)
                    turns = turns + [{"question": question, "answer": item.model_dump(mode="json")}]
                    yield transcript_html(turns), turns, gr.update()
                elif released := guard.feed(item):
                    draft += released
                    yield transcript_html(turns, pending=(question, draft)), turns, gr.update()
        except Exception as exc:  # show a sentence, keep the conversation, log the details
            log.exception("chat answer failed")
            notice = FAILED
            if store_unavailable(exc, self.settings):
                self.state.store.mark_down()
                notice = STORE_DOWN
            yield transcript_html(turns, notice=notice), turns, gr.update(value=question)
        finally:
            slot.release()

    def give_feedback(self, rating: str, turns: list[dict]) -> str:
        if not turns:
            return "Ask a question first; feedback applies to the latest answer."
        answer = Answer.model_validate(turns[-1]["answer"])
        record_feedback(self.settings.data_dir, "up" if rating == "up" else "down", answer)
        FEEDBACK.labels(rating=rating).inc()
        return "Thanks — your feedback on the latest answer was recorded."

    def clear(self) -> tuple:
        return transcript_html([]), [], "", ""

    def delete(self, turns: list[dict]) -> tuple:
        """Clear the chat and forget its kept answers on the server: their permalinks stop working."""
        gone = self.state.answers.delete(self.kept_ids(turns or []))
        return (
            transcript_html([]),
            [],
            "",
            f"Deleted this conversation ({gone} kept answer(s) and their permalinks).",
        )

    @staticmethod
    def kept_ids(turns: list[dict]) -> list[str]:
        """What the browser keeps of the conversation: the ids of its kept answers, in order."""
        return [t["answer"]["id"] for t in turns if t.get("answer", {}).get("id")]

    def kept(self, turns: list[dict]) -> tuple[list[str], str]:
        """After each change to the conversation: the ids for the browser to keep, the export links."""
        ids = self.kept_ids(turns or [])
        return ids, export_html(ids)

    def restore(self, ids: list[str] | None) -> tuple[Any, Any]:
        """The conversation of a reloaded page, from its kept answers (one pruned since is left out).
        With none kept it changes nothing: its empty transcript, arriving after the answer to a question
        asked while the page was still loading, wiped that answer (a CI browser run, 2026-12-04)."""
        if not ids:
            return gr.skip(), gr.skip()
        turns = []
        for answer_id in (ids or [])[-RESTORED_TURNS:]:
            answer = self.state.answers.get(answer_id) if isinstance(answer_id, str) else None
            if answer is not None:
                turns.append({"question": answer.question, "answer": answer.model_dump(mode="json")})
        return transcript_html(turns), turns

    def ask_api(
        self, request: gr.Request, question: str, doc_ids: list[str] | None = None, mode: str | None = None
    ) -> dict:
        """Answer a question; returns the Answer JSON (answer, citations, sources, sentences, warnings)."""
        question = (question or "").strip()
        try:
            QuestionRequest.checked(self.limits(self.modes), question=question, mode=mode or None)
        except QuestionError as exc:
            raise gr.Error(str(exc)) from None
        if not self.state.ready.is_set():
            raise gr.Error("the index is still loading; retry shortly")
        try:
            slot = self.state.admission.admit(client_key(request), self.settings.is_generative(mode or None))
        except Rejected as exc:
            raise gr.Error(str(exc)) from None
        try:
            answer = screened_invoke(
                self.state.services.chain,
                AskRequest(
                    question=question,
                    mode=mode or None,  # type: ignore[arg-type]
                    filters=Filters(doc_ids=doc_ids) if doc_ids else None,
                ),
            )
        finally:
            slot.release()
        observe_answer(answer, channel="gradio_api")
        return self.state.answers.keep_answer(answer).model_dump(mode="json")
