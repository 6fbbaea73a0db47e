"""Kept answers: every served answer gets a permalink, survives a restart, and exports as Markdown/JSON."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support import parse_sse

from rag.core.models import Answer, Citation
from ui.answer_log import AnswerLog
from ui.web.export import answer_markdown

QUESTION = "Is the OECD AI recommendation legally binding?"


def citation(n: int, quote: str) -> Citation:
    text = f"Intro. {quote} Outro."
    return Citation(
        n=n, chunk_id=f"c{n}", doc_id="oecd-recommendation-on-ai-2024", title="OECD AI Recommendation",
        section="OECD AI Recommendation › About the OECD", text=text, start=100, end=100 + len(text),
        url="https://legalinstruments.oecd.org/x", quote=quote, quote_start=107, quote_end=107 + len(quote),
    )  # fmt: skip


def test_markdown_turns_citations_into_footnotes() -> None:
    quote = "Recommendations are adopted by Council and are not legally binding."
    answer = Answer(
        answer=f"OECD AI Recommendation › About the OECD: “{quote}” [1]\n“Unrelated.” [7]",
        mode="extractive",
        question=QUESTION,
        standalone_question=QUESTION,
        citations=[citation(1, quote)],
        corpus_version="abcdef0123456789",
        id="AbCdEfGhIjKl",
    )
    md = answer_markdown(answer, "http://host")
    assert md.startswith(f"## {QUESTION}\n")
    assert f"“{quote}”[^1]" in md and "[7]" in md  # an [n] with no citation stays as it was
    footnote = next(line for line in md.splitlines() if line.startswith("[^1]: "))
    assert "OECD AI Recommendation, OECD AI Recommendation › About the OECD" in footnote
    assert quote in footnote and "https://legalinstruments.oecd.org/x" in footnote
    assert "http://host/documents/oecd-recommendation-on-ai-2024?start=107&end=174#cited" in footnote
    assert "corpus version abcdef012345" in md and "http://host/a/AbCdEfGhIjKl" in md


def test_the_log_keeps_answers_across_instances_and_prunes_the_oldest(tmp_path: Path, monkeypatch) -> None:
    import ui.answer_log as answer_log

    monkeypatch.setattr(answer_log, "PRUNE_EVERY", 2)
    path = tmp_path / "answers.sqlite"
    log = AnswerLog(path, keep=2)
    base = Answer(answer="a", mode="extractive", question="q", standalone_question="q")
    ids = [log.keep_answer(base.model_copy(update={"answer": f"a{i}"})).id for i in range(4)]
    assert all(ids) and len(set(ids)) == 4
    log.close()
    again = AnswerLog(path, keep=2)  # a restarted server
    assert again.get(ids[0]) is None and again.get(ids[1]) is None  # pruned
    assert again.get(ids[3]) is not None and again.get(ids[3]).answer == "a3"
    assert again.get("../../etc") is None and again.get("x") is None  # not an id: no query at all
    assert AnswerLog(tmp_path / "off.sqlite", keep=0).keep_answer(base).id is None
    assert not (tmp_path / "off.sqlite").exists()
    off = AnswerLog(path, keep=0)  # keeping turned off since: what was kept is gone, not served
    assert off.get(ids[3]) is None
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0


def test_handing_over_an_answer_never_waits_for_the_disk(tmp_path: Path, monkeypatch) -> None:
    """A write (with its prune and checkpoint) in progress holds the connection, not the queue: the request
    that hands over its answer, and a permalink to an answer in the batch being written, do not wait."""
    import threading

    log = AnswerLog(tmp_path / "answers.sqlite", keep=10)
    base = Answer(answer="a", mode="extractive", question="q", standalone_question="q")
    first = log.keep_answer(base).id
    assert first is not None
    writing, release = threading.Event(), threading.Event()
    real_prune = log._prune

    def slow_prune(db) -> None:  # type: ignore[no-untyped-def]
        writing.set()
        release.wait(30)
        real_prune(db)

    log._inserts = 10**6  # the next flush prunes
    monkeypatch.setattr(log, "_prune", slow_prune)
    flusher = threading.Thread(target=log.flush)
    flusher.start()
    assert writing.wait(30)  # the batch holding `first` is being written now
    got: dict[str, object] = {}
    other = threading.Thread(
        target=lambda: got.update(kept=log.keep_answer(base).id, first=log.get(first)), daemon=True
    )
    other.start()
    other.join(10)
    done = not other.is_alive()
    release.set()
    flusher.join(30)
    assert done, "keep_answer or get waited for the write in progress"
    assert got["kept"] and isinstance(got["first"], Answer)
    log.flush()
    assert log.get(str(got["kept"])) is not None
    # Deleting an answer of a batch being written deletes its row once written.
    assert log.delete([first]) == 1 and log.get(first) is None
    log.close()


@pytest.mark.slow
def test_a_served_answer_has_a_permalink_and_exports(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    answer = Answer.model_validate(r.json())
    assert answer.id and answer.corpus_version and not answer.abstained

    page = client.get(f"/a/{answer.id}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert QUESTION in page.text and answer.citations[0].quote.split(" ")[0] in page.text
    assert answer.corpus_version[:12] in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]

    as_json = client.get(f"/api/answers/{answer.id}")
    assert as_json.status_code == 200 and Answer.model_validate(as_json.json()) == answer

    md = client.get(f"/api/answers/{answer.id}/markdown")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert f"policyqa-{answer.id}.md" in md.headers["content-disposition"]
    assert "[^1]: " in md.text and answer.citations[0].quote in md.text

    streamed = client.post("/api/ask/stream", json={"question": QUESTION})
    result = [e for e in parse_sse(streamed.text) if e[0] == "result"]
    kept = Answer.model_validate_json(result[0][1])
    assert kept.id and kept.id != answer.id  # each served answer is kept on its own


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/a/nosuchanswer1", "/api/answers/nosuchanswer1", "/api/answers/bad%20id!"])
def test_an_unknown_answer_is_a_404_with_a_reason(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "no kept answer" in r.text.lower()


def test_a_kept_answer_is_readable_at_once_and_written_behind(tmp_path: Path) -> None:
    import time

    import ui.answer_log as answer_log

    path = tmp_path / "answers.sqlite"
    log = AnswerLog(path, keep=10)
    kept = log.keep_answer(Answer(answer="a", mode="extractive", question="q", standalone_question="q"))
    assert kept.id and log.get(kept.id) == kept  # queued, not yet written: the permalink works already
    deadline = time.monotonic() + 20 * answer_log.FLUSH_S
    while time.monotonic() < deadline and AnswerLog(path, keep=10).get(kept.id) is None:
        time.sleep(answer_log.FLUSH_S / 2)
    assert AnswerLog(path, keep=10).get(kept.id) == kept  # the writer thread stored it, unprompted
    log.close()


def test_expired_answers_are_not_served_and_are_pruned_at_start(tmp_path: Path, monkeypatch) -> None:
    import time

    path = tmp_path / "answers.sqlite"
    log = AnswerLog(path, keep=100)
    base = Answer(answer="a", mode="extractive", question="q", standalone_question="q")
    old, new = log.keep_answer(base), log.keep_answer(base)
    log.close()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 2 * 86400)  # two days later
    week = AnswerLog(path, keep=100, keep_days=7)
    assert week.get(old.id) == old  # within a week
    day = AnswerLog(path, keep=100, keep_days=1)
    assert day.get(old.id) is None and day.get(new.id) is None  # expired: not served
    day.close()
    import sqlite3

    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0  # and pruned


def test_deleting_forgets_queued_and_stored_answers(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    log = AnswerLog(path, keep=100)
    base = Answer(answer="a", mode="extractive", question="q", standalone_question="q")
    stored = log.keep_answer(base)
    log.flush()
    queued, other = log.keep_answer(base), log.keep_answer(base)
    assert log.delete([stored.id, queued.id, stored.id, "not an id!"]) == 2
    assert log.get(stored.id) is None and log.get(queued.id) is None and log.get(other.id) == other
    assert log.get_many([other.id, stored.id, other.id]) == [other]
    log.close()
    assert AnswerLog(path, keep=100).get(stored.id) is None  # gone from the file too


def test_a_conversation_exports_with_footnotes_kept_apart() -> None:
    from ui.web.export import conversation_markdown

    one = Answer(
        answer="OECD: “Recommendations are adopted by Council.” [1]",
        mode="extractive",
        question="Who adopts them?",
        standalone_question="Who adopts them?",
        citations=[citation(1, "Recommendations are adopted by Council.")],
        id="AAAAAAAAAAAA",
    )
    two = one.model_copy(update={"question": "And are they binding?", "id": "BBBBBBBBBBBB"})
    md = conversation_markdown([one, two], "http://host", missing=1)
    assert md.startswith("# PolicyQA conversation\n")
    assert "1 answer(s) of this conversation are no longer kept" in md
    assert md.index("## Who adopts them?") < md.index("## And are they binding?")
    assert "[^1-1]" in md and "[^2-1]" in md and "\n[^1-1]: " in md and "\n[^2-1]: " in md
    assert "[^1]" not in md  # every footnote label is unique in the document
    assert "http://host/a/AAAAAAAAAAAA" in md and "http://host/a/BBBBBBBBBBBB" in md


@pytest.mark.slow
def test_a_conversation_exports_and_deletes_through_the_api(client: TestClient) -> None:
    ids = []
    for question in (QUESTION, "When was it last revised?"):
        r = client.post("/api/ask", json={"question": question})
        assert r.status_code == 200, r.text
        ids.append(r.json()["id"])
    joined = ",".join([*ids, "prunedAnswer1"])
    md = client.get(f"/api/conversation?ids={joined}")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "policyqa-conversation.md" in md.headers["content-disposition"]
    assert f"## {QUESTION}" in md.text and "## When was it last revised?" in md.text
    assert "1 answer(s) of this conversation are no longer kept" in md.text
    as_json = client.get(f"/api/conversation?ids={joined}&format=json").json()
    assert [a["id"] for a in as_json["answers"]] == ids and as_json["missing"] == ["prunedAnswer1"]
    Answer.model_validate(as_json["answers"][0])

    for bad, why in [
        ("", "at least one"),
        ("a,b", "not an answer id"),
        (",".join(["abcdefgh"] * 201), "at most"),
    ]:
        r = client.get(f"/api/conversation?ids={bad}")
        assert r.status_code == 422 and why in r.text
    assert client.get("/api/conversation?ids=nosuchanswer1").status_code == 404

    assert client.request("DELETE", f"/api/conversation?ids={ids[0]}").json() == {"deleted": 1}
    assert client.get(f"/a/{ids[0]}").status_code == 404  # the permalink is gone with it
    assert client.delete(f"/api/answers/{ids[1]}").status_code == 204
    assert client.delete(f"/api/answers/{ids[1]}").status_code == 404
    assert client.get(f"/api/conversation?ids={joined}").status_code == 404


def test_an_answer_quoting_a_date_links_to_its_day_on_the_timeline() -> None:
    from ui.web.render import answer_block_html

    quote = "The Recommendation was revised by the OECD Council on 8 November 2023."
    dated = Answer(
        answer=f"“{quote}” [1]",
        mode="extractive",
        question="When was it revised?",
        standalone_question="When was it revised?",
        citations=[citation(1, quote)],
        id="AbCdEfGhIjKl",
    )
    html = answer_block_html(dated, 0)
    assert "/timeline?doc=oecd-recommendation-on-ai-2024#d-2023-11-08" in html
    undated = dated.model_copy(
        update={"citations": [citation(1, "Recommendations are not legally binding.")]}
    )
    assert "/timeline" not in answer_block_html(undated, 0)


@pytest.mark.slow
def test_kept_answers_survive_a_server_restart(make_client) -> None:  # type: ignore[no-untyped-def]
    with make_client() as first:
        kept = first.post("/api/ask", json={"question": QUESTION}).json()
    with make_client() as restarted:  # a new app: a new answer log over the same answers.sqlite
        again = restarted.get(f"/api/answers/{kept['id']}")
        assert again.status_code == 200 and again.json()["answer"] == kept["answer"]
        assert restarted.get(f"/api/conversation?ids={kept['id']}").status_code == 200
