"""The chat UI in a real headless Chromium (Debian's /usr/bin/chromium), against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import chromium_executable

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
QUESTION = "What are the four functions of the NIST AI Risk Management Framework?"
ANSWER_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def browser() -> Iterator:  # type: ignore[type-arg]
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.goto(f"{live_server}/", wait_until="domcontentloaded")
    pg.wait_for_selector("#pq-question textarea", timeout=60_000)
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("#pq-question textarea")
    box.fill(question)
    box.press("Enter")  # keyboard only: Enter submits


def test_ask_shows_cited_answer_and_source_cards(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    ask(page, QUESTION)
    card = page.locator(".pq-card.pq-cited").first
    card.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".pq-answer").first.inner_text().count("[1]") >= 1
    assert "Artificial Intelligence Risk Management Framework" in card.locator(".pq-title").inner_text()
    assert card.locator(".pq-meta").inner_text()  # publisher · date
    assert "NIST AI RMF" in card.locator(".pq-section").inner_text()
    marked = card.locator(".pq-passage mark").first.inner_text().strip()
    answer = page.locator(".pq-answer").first.inner_text()
    assert "functions" in marked and " ".join(marked.split()) in " ".join(answer.split())  # the quoted span

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=True)

    # A citation link jumps to its card.
    first = page.locator(".pq-answer a.pq-cite").first  # the best quote leads, whichever source it is
    n = first.inner_text().strip("[]")
    first.click()
    assert page.evaluate("location.hash") == f"#pq-src-0-{n}"

    # The card links to the document view at the cited span.
    href = card.locator("a.pq-open").get_attribute("href")
    assert href and href.startswith("/documents/nist-ai-rmf-1-0-2023?start=") and href.endswith("#cited")
    doc = page.context.new_page()
    doc.goto(f"{live_server}{href}")
    assert " ".join(doc.locator("mark#cited").inner_text().split()) == " ".join(marked.split())
    doc.close()

    # The answer's permalink shows the same answer again, on a page of its own.
    link = page.locator(".pq-answer .pq-share a").first.get_attribute("href")
    assert link and link.startswith("/a/")
    kept = page.context.new_page()
    kept.goto(f"{live_server}{link}")
    assert QUESTION in kept.locator("h1").inner_text()
    kept.screenshot(path=str(ARTIFACTS / "permalink.png"))
    assert (
        kept.locator(".pq-card.pq-cited .pq-title").first.inner_text()
        == card.locator(".pq-title").inner_text()
    )
    kept.close()


def test_a_reload_restores_the_conversation_until_it_is_cleared(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, QUESTION)
    page.locator(".pq-card.pq-cited").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    ask(page, "And what does MAP do?")
    page.locator(".pq-answer").nth(1).wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(500)  # the kept ids reach localStorage in the event after the answer
    shown = [page.locator(".pq-answer").nth(i).inner_text() for i in range(2)]

    page.reload(wait_until="domcontentloaded")
    page.locator(".pq-answer").nth(1).wait_for(timeout=60_000)
    assert [page.locator(".pq-answer").nth(i).inner_text() for i in range(2)] == shown
    assert QUESTION in page.locator("#pq-transcript").inner_text()

    page.locator("#pq-clear").click()
    page.locator(".pq-welcome").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    page.reload(wait_until="domcontentloaded")
    page.locator(".pq-welcome").wait_for(timeout=60_000)
    assert page.locator(".pq-answer").count() == 0


def test_the_conversation_exports_and_deletes(page, live_server) -> None:  # type: ignore[no-untyped-def]
    ask(page, QUESTION)
    page.locator(".pq-card.pq-cited").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    ask(page, "And what does MAP do?")
    page.locator(".pq-answer").nth(1).wait_for(timeout=ANSWER_TIMEOUT_MS)
    link = page.locator("#pq-export a", has_text="Markdown")
    # The links follow the conversation in the event after each answer: wait for the second id.
    page.wait_for_function(
        "() => (document.querySelector('#pq-export a')?.getAttribute('href') || '').includes(',')",
        timeout=30_000,
    )
    href = link.get_attribute("href")
    permalinks = page.locator(".pq-share a[href^='/a/']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )
    ids = [p.removeprefix("/a/") for p in permalinks]
    assert href == f"/api/conversation?ids={ids[0]},{ids[1]}"
    md = page.request.get(f"{live_server}{href}")
    assert md.ok and md.text().index(f"## {QUESTION}") < md.text().index("## And what does MAP do?")

    page.locator("#pq-delete").click()
    page.get_by_text("Deleted this conversation (2 kept answer(s)").wait_for(timeout=30_000)
    assert page.locator(".pq-welcome").count() == 1
    assert page.request.get(f"{live_server}{permalinks[0]}").status == 404
    page.locator("#pq-export a").first.wait_for(state="detached", timeout=30_000)  # nothing left to export


def test_the_timeline_shows_dated_events_linked_to_their_sentences(page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/timeline?doc=eu-ai-act-regulation-2024-1689", wait_until="domcontentloaded")
    day = page.locator("#d-2025-08-02")
    assert "2 August 2025" in day.locator("h2").inner_text()
    assert day.locator(".pq-kind", has_text="applies").count() >= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timeline.png"))
    event = day.locator("li", has=page.locator(".pq-kind", has_text="applies")).first
    said = event.locator("blockquote").inner_text()
    event.locator("a", has_text="[source]").click()
    page.locator("mark#cited").wait_for(timeout=30_000)
    assert " ".join(page.locator("mark#cited").inner_text().split()) in " ".join(said.split())
    page.go_back()
    page.get_by_role("link", name="2024", exact=True).click()
    page.locator("#d-2024-06-13").wait_for(timeout=30_000)  # "Done at Brussels, 13 June 2024."
    assert page.locator("#d-2025-08-02").count() == 0


def test_abstention_feedback_and_clear(page, settings) -> None:  # type: ignore[no-untyped-def]
    ask(page, "What is the boiling point of tungsten in degrees Kelvin?")
    page.locator(".pq-badge.pq-abstained").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".pq-sources-h").first.text_content() == "Closest passages"
    assert page.locator(".pq-card").count() >= 1

    feedback = settings.data_dir / "feedback.jsonl"
    before = feedback.read_text().count("\n") if feedback.exists() else 0
    page.locator("#pq-down").click()
    page.get_by_text("feedback on the latest answer was recorded").wait_for(timeout=30_000)
    rows = feedback.read_text().splitlines()
    assert len(rows) == before + 1
    row = json.loads(rows[-1])
    assert row["rating"] == "down" and row["question"].startswith("What is the boiling point")

    page.locator("#pq-clear").click()
    page.locator(".pq-welcome").wait_for(timeout=30_000)
    assert page.locator(".pq-turn").count() == 0


def test_question_text_is_escaped(page) -> None:  # type: ignore[no-untyped-def]
    hostile = 'Is <img src=x onerror="alert(1)"> covered by the EU AI Act?'
    ask(page, hostile)
    # An answer, or the notice a failed request shows instead: a failure then says why at once (one CI
    # run, 2026-12-04, waited the whole timeout here and said nothing; the next run passed).
    page.locator(".pq-answer:not(.pq-streaming), .pq-notice").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".pq-notice").count() == 0, page.locator(".pq-notice").first.inner_text()
    assert page.locator(".pq-q p").first.inner_text() == hostile
    assert page.locator(".pq-transcript img").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_narrow_window(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 800})
    pg = context.new_page()
    pg.goto(f"{live_server}/", wait_until="domcontentloaded")
    pg.wait_for_selector("#pq-question textarea", timeout=60_000)
    ask(pg, QUESTION)
    pg.locator(".pq-card").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    # Nothing forces a horizontal scrollbar on a phone-sized window.
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()


def test_unverified_sentence_is_marked_in_the_browser(browser) -> None:  # type: ignore[no-untyped-def]
    from rag.core.models import Answer, Citation, Sentence, Source
    from ui.web.render import answer_block_html

    passage = "Key points: providers shall label deep fakes. The Board advises the Commission."
    src = dict(
        n=1, chunk_id="c", doc_id="eu-ai-act", title="EU AI Act", text=passage, start=0, end=len(passage)
    )
    answer = Answer(
        answer="EU AI Act: “providers shall label deep fakes.” [1]\nEU AI Act: “Key points:” [1]",
        mode="extractive",
        question="q",
        standalone_question="q",
        citations=[Citation(**src, quote="providers shall label deep fakes.")],
        sources=[Source(**src)],
        sentences=[
            Sentence(text="providers shall label deep fakes.", citations=[1], verified=True),
            Sentence(
                text="Key points:", citations=[1], verified=False, reason="too little content to verify"
            ),
        ],
    )
    css = (Path(__file__).resolve().parents[2] / "ui" / "web" / "static" / "chat.css").read_text()
    page = browser.new_page()
    page.set_content(f"<style>{css}</style><div id='pq-transcript'>{answer_block_html(answer, 0)}</div>")
    flagged = page.locator(".pq-unverified")
    assert flagged.count() == 1 and flagged.inner_text().strip().endswith("Key points:")
    assert flagged.get_attribute("title") == "Not verified: too little content to verify"
    # Visibly marked: a warning sign before it and a tinted background, unlike the verified quote.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.pq-unverified'), '::before').content")
        == '"⚠ "'
    )
    assert flagged.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    flagged.focus()  # reachable from the keyboard, so the reason is not mouse-only
    assert page.evaluate("document.activeElement.className") == "pq-unverified"
    supports = page.locator(".pq-card .pq-supports li")
    assert supports.count() == 1 and supports.first.inner_text() == "providers shall label deep fakes."
    page.close()


def test_a_japanese_question_gets_japanese_labels(page) -> None:  # type: ignore[no-untyped-def]
    ask(page, "EU AI法の第50条2項は何を求めていますか?")
    card = page.locator(".pq-card.pq-cited").first
    card.wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".pq-sources-h").first.inner_text() == "出典"
    answer = page.locator(".pq-answer").first.inner_text()
    assert answer.count("該当する規定") == 1 and "Article 50" in answer  # Japanese frame, English quote
    assert "検索した英語" in answer and "Article 50(2)" in answer  # what was searched, shown
    assert card.locator("a.pq-open").inner_text().startswith("文書で開く")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-ja.png"), full_page=True)


FACT = "The Zorblax Accord on machine learning was signed in the city of Quintara by eleven states."
PDF_FACT = "Under the Vellmoor Protocol every chatbot must greet its users in the Vellmoor dialect."


def test_the_library_uploads_asks_and_deletes(browser, keyed_server, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from support import make_pdf

    md = tmp_path / "zorblax-accord.md"
    md.write_text(f"# The Zorblax Accord\n\n{FACT} It entered into force at once.\n", encoding="utf-8")
    pdf = tmp_path / "vellmoor-protocol.pdf"
    pdf.write_bytes(make_pdf([["The Vellmoor Protocol", PDF_FACT]], {"Title": "The Vellmoor Protocol"}))
    bad = tmp_path / "empty.md"
    bad.write_text("", encoding="utf-8")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{keyed_server}/", wait_until="domcontentloaded")
        page.get_by_role("tab", name="Library").click()
        page.locator("#pq-library table").wait_for(timeout=60_000)
        before = page.locator("#pq-library tbody tr").count()
        page.locator("#pq-lib-key input").fill(settings.api_key.get_secret_value())
        page.locator("#pq-lib-files input[type=file]").set_input_files([str(md), str(pdf), str(bad)])
        page.locator("#pq-lib-add").click()
        report = page.locator("#pq-lib-report")
        report.locator(".pq-lib-failed").wait_for(timeout=120_000)  # the last file, after the other two
        lines = report.locator("li").all_inner_texts()
        assert "added as zorblax-accord" in lines[0] and "added as vellmoor-protocol" in lines[1]
        assert "empty.md" in lines[2] and "empty" in lines[2].split(":", 1)[1]  # and why, in plain words
        rows = page.locator("#pq-library tbody tr")
        rows.nth(before + 1).wait_for(timeout=30_000)
        assert rows.count() == before + 2
        listed = page.locator("#pq-library").inner_text()
        assert "The Zorblax Accord" in listed and "Markdown" in listed and "PDF" in listed
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "library.png"), full_page=True)

        page.get_by_role("tab", name="Ask").click()
        ask(page, "Where was the Zorblax Accord signed?")
        card = page.locator(".pq-card.pq-cited").first
        card.wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert "Quintara" in page.locator(".pq-answer").first.inner_text()

        page.get_by_role("tab", name="Library").click()
        page.locator("#pq-lib-doc input").click()
        page.get_by_role("option", name="The Zorblax Accord").click()
        page.locator("#pq-lib-delete").click()
        report.get_by_text("deleted, with its").wait_for(timeout=60_000)
        page.wait_for_function(
            "() => !document.querySelector('#pq-library').innerText.includes('The Zorblax Accord')",
            timeout=30_000,
        )

        page.get_by_role("tab", name="Ask").click()
        ask(page, "Where was the Zorblax Accord signed?")
        page.locator(".pq-answer").nth(1).wait_for(timeout=ANSWER_TIMEOUT_MS)
        assert "Quintara" not in page.locator(".pq-answer").nth(1).inner_text()  # the answer went with it
    finally:
        context.close()
        import httpx

        key = {"Authorization": f"Bearer {settings.api_key.get_secret_value()}"}
        for doc_id in ("zorblax-accord", "vellmoor-protocol"):
            httpx.delete(f"{keyed_server}/api/documents/{doc_id}", headers=key, timeout=60)


def test_without_a_write_key_the_library_only_lists(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Library").click()
    page.locator("#pq-library table").wait_for(timeout=60_000)
    assert "POLICYQA_API_KEY" in page.locator("#pq-lib-nokey").inner_text()
    assert page.locator("#pq-lib-add").count() == 0 and page.locator("#pq-lib-key").count() == 0
