"""Fast tests of the web layer's pure parts: admission control and HTML rendering (no models, no index)."""

from __future__ import annotations

import threading
import time

import pytest

from rag.core.models import Answer, Citation, Sentence, Source
from ui.admission import Admission, AnswerQueue, Busy, GenerationSlots, QueueFull, RateLimiter
from ui.web.render import Span, answer_block_html, document_page, esc, highlighted, transcript_html


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_sliding_window() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.check("a") == 0 and limiter.check("a") == 0
    assert limiter.check("a") == 60  # full: the oldest hit leaves the window in 60s
    assert limiter.check("b") == 0  # per client
    clock.now += 30
    assert limiter.check("a") == 30
    clock.now += 30
    assert limiter.check("a") == 0


def test_rate_limiter_zero_means_unlimited() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.check("a") == 0 for _ in range(1000))


def test_generation_slots() -> None:
    slots = GenerationSlots(2)
    a, b = slots.try_acquire(), slots.try_acquire()
    assert a and b and slots.try_acquire() is None
    a.release()
    a.release()  # idempotent: a second release must not free someone else's slot
    assert slots.in_use == 1
    assert slots.try_acquire() is not None and slots.try_acquire() is None


def _answer(text: str, *, abstained: bool = False) -> Answer:
    passage = "Intro sentence. The cited <b>sentence</b> is here. Trailing text."
    src = {"chunk_id": "c1", "doc_id": "doc <1>", "title": "T <i>", "publisher": "P & Co", "date": "2024"}
    src["section"] = "A › B"
    cit = Citation(
        n=1,
        text=passage,
        start=100,
        end=100 + len(passage),
        quote="The cited <b>sentence</b> is here.",
        quote_start=116,
        quote_end=150,
        **src,
    )
    return Answer(
        answer=text,
        abstained=abstained,
        mode="extractive",
        question="q <script>",
        standalone_question="q <script>",
        citations=[] if abstained else [cit],
        sources=[Source(n=1, text=passage, start=100, end=100 + len(passage), **src)],
        sentences=[]
        if abstained
        else [Sentence(text="The cited <b>sentence</b> is here.", citations=[1], verified=True)],
    )


def test_answer_links_citations_and_escapes() -> None:
    html = answer_block_html(_answer("A › B: “The cited <b>sentence</b> is here.” [1] and [7]"), turn=3)
    assert '<a class="pq-cite" href="#pq-src-3-1"' in html
    assert "[7]" in html and 'href="#pq-src-3-7"' not in html  # no card 7: left as text
    assert 'id="pq-src-3-1"' in html
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "<mark>The cited &lt;b&gt;sentence&lt;/b&gt; is here.</mark>" in html
    assert 'href="/documents/doc%20%3C1%3E?start=116&amp;end=150#cited"' in html
    assert "P &amp; Co · 2024" in html and "T &lt;i&gt;" in html


def _flagged() -> Answer:
    """A verified quote [1] and a quote still shown but flagged by the checker [1]."""
    base = _answer("A: “The cited <b>sentence</b> is here.” [1]\nB: “Key <i>points</i>:” [1]")
    flagged = Sentence(
        text="Key <i>points</i>:", citations=[1], verified=False, reason="too little [content]"
    )
    return base.model_copy(update={"sentences": [*base.sentences, flagged]})


def test_an_unverified_sentence_is_marked_with_its_reason() -> None:
    html = answer_block_html(_flagged(), turn=0)
    assert '<span class="pq-unverified" title="Not verified: too little &#91;content]" tabindex="0">' in html
    assert "Key &lt;i&gt;points&lt;/i&gt;:</span>" in html  # still escaped inside the mark
    assert html.count("pq-unverified") == 1  # the verified quote is not marked


def test_the_source_card_lists_the_sentences_it_supports() -> None:
    html = answer_block_html(_flagged(), turn=0)
    supports = html[html.index('class="pq-supports"') :]
    assert "<li>The cited &lt;b&gt;sentence&lt;/b&gt; is here.</li>" in supports
    assert "points" not in supports[: supports.index("</ul>")]  # a flagged sentence is not "supported"


def test_abstained_answer_shows_closest_passages() -> None:
    html = answer_block_html(_answer("The corpus does not cover this question.", abstained=True), turn=0)
    assert "Not covered by the corpus" in html and "Closest passages" in html
    assert "<mark>" not in html


def test_transcript_escapes_questions_and_template_syntax() -> None:
    turn = {"question": "<img src=x onerror=alert(1)> ${x} {{y}}", "answer": _answer("ok [1]").model_dump()}
    html = transcript_html([turn], pending=("`next`", "draft <b>"), notice="<i>note</i>")
    assert "<img" not in html and "<b>" not in html and "<i>note" not in html
    assert "${" not in html and "{{" not in html and "`" not in html
    assert transcript_html([]).count("pq-welcome") == 1


def test_document_page_marks_the_span() -> None:
    page = document_page("T <x>", "P", "2024", "javascript:alert(1)", "abc <def> ghi", Span(4, 9))
    assert '<mark id="cited" tabindex="-1">&lt;def&gt;</mark>' in page
    assert "javascript:" not in page  # only http(s) links to the original
    assert esc("<'\"&>") == "&lt;&#x27;&quot;&amp;&gt;"
    assert highlighted("abcdef", [Span(1, 3), Span(2, 5)]) == "a<mark>bc</mark><mark>de</mark>f"


def test_answer_queue_runs_up_to_its_limit_then_waits() -> None:
    queue = AnswerQueue(limit=1, max_waiting=4, deadline_s=5.0)
    first = queue.acquire()
    assert first is not None and queue.in_use == 1
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(queue.acquire()))
    waiter.start()
    time.sleep(0.2)
    assert queue.waiting == 1 and not got  # blocked, not refused
    first.release()
    waiter.join(5)
    assert got and got[0] is not None and queue.in_use == 1 and queue.waiting == 0


def test_answer_queue_refuses_past_the_deadline_or_when_full() -> None:
    queue = AnswerQueue(limit=1, max_waiting=1, deadline_s=0.2)
    held = queue.acquire()
    t0 = time.perf_counter()
    assert queue.acquire() is None  # waited out the deadline
    assert 0.18 <= time.perf_counter() - t0 < 2
    blocker = threading.Thread(target=queue.acquire)
    blocker.start()
    time.sleep(0.05)
    t0 = time.perf_counter()
    assert queue.acquire() is None and time.perf_counter() - t0 < 0.1  # the one waiting place is taken
    blocker.join(2)
    assert held is not None


def test_answer_queue_is_first_come_first_served() -> None:
    queue = AnswerQueue(limit=1, max_waiting=8, deadline_s=5.0)
    held = queue.acquire()
    order: list[int] = []

    def wait(i: int) -> None:
        slot = queue.acquire()
        order.append(i)
        time.sleep(0.02)
        assert slot is not None
        slot.release()

    threads = []
    for i in range(4):
        threads.append(threading.Thread(target=wait, args=(i,)))
        threads[-1].start()
        time.sleep(0.05)  # arrive in order
    assert held is not None
    held.release()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3]


def test_a_free_slot_is_taken_at_once_but_never_ahead_of_a_waiter() -> None:
    """The API takes a free extractive slot on the event loop (no thread hop); a busy queue or one with
    someone waiting says None at once, and the caller queues off the loop as before."""
    queue = AnswerQueue(limit=1, max_waiting=4, deadline_s=5.0)
    admission = Admission(RateLimiter(0), GenerationSlots(1), queue)
    free = admission.acquire_free()
    assert free is not None and queue.in_use == 1
    t0 = time.perf_counter()
    assert admission.acquire_free() is None and time.perf_counter() - t0 < 0.05  # full: no wait
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(queue.acquire()))
    waiter.start()
    time.sleep(0.1)
    free.release()
    # The waiter is first in line: a newcomer must not jump it, even in the instant the slot is free.
    late = admission.acquire_free()
    waiter.join(5)
    assert got and got[0] is not None
    assert late is None
    assert Admission(RateLimiter(0), GenerationSlots(1)).acquire_free() is None  # no queue configured


def test_admission_sends_extractive_to_the_queue_and_llm_modes_to_the_cap() -> None:
    admission = Admission(RateLimiter(0), GenerationSlots(1), AnswerQueue(1, 0, 0.1))
    llm = admission.acquire(generative=True)
    with pytest.raises(Busy) as busy:
        admission.acquire(generative=True)
    assert not isinstance(busy.value, QueueFull)
    cheap = admission.acquire(generative=False)  # the LLM cap does not apply
    with pytest.raises(QueueFull):
        admission.acquire(generative=False)
    llm.release()
    cheap.release()


def test_a_page_with_no_kept_conversation_restores_nothing_over_what_is_shown() -> None:
    """The load-time restore of a fresh page leaves the transcript alone, so that it cannot wipe the answer
    to a question asked while the page was still loading."""
    from types import SimpleNamespace

    from ui.web.handlers import ChatHandlers

    handlers = ChatHandlers(SimpleNamespace(settings=None, modes=[], answers=None))  # type: ignore[arg-type]
    for ids in ([], None):
        transcript, turns = handlers.restore(ids)
        assert transcript == {"__type__": "update"} and turns == {"__type__": "update"}
