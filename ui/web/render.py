"""HTML for answers, source cards and the document view.

Every string that comes from a document, a question or a model is passed through `html.escape` before
it is put into markup; markup is only ever added around already-escaped text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rag.core.models import Answer, Citation, Sentence, Source
from rag.timeline import stated_dates

CITE = re.compile(r"\[(\d{1,3})\]")
# Markdown heading markers at the start of a passage line; the card shows the heading path anyway.
_HEADING_MARK = re.compile(r"(?m)^#{1,6} ")


# Gradio's HTML component fills a JS/Handlebars template; encoding these too keeps document text inert there.
_TEMPLATE_CHARS = str.maketrans({"$": "&#36;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})


def esc(text: object) -> str:
    return html.escape(str(text), quote=True).translate(_TEMPLATE_CHARS)


def doc_href(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    url = f"/documents/{quote(doc_id, safe='')}"
    if start is not None and end is not None:
        url += f"?start={int(start)}&end={int(end)}#cited"
    return url


# The answer's labels follow the question's language; the quotes stay in the documents' English.
LABELS = {
    "en": {
        "not_covered": "Not covered by the corpus",
        "searched": "Searched for",
        "closest": "Closest passages",
        "sources": "Sources",
        "others": "Other retrieved passages",
        "open": "Open in the document ↗",
        "supports": "Supports",
        "unverified": "Not verified",
    },
    "ja": {
        "not_covered": "コーパスに記載なし",
        "searched": "検索した英語",
        "closest": "最も近い箇所",
        "sources": "出典",
        "others": "その他の検索結果",
        "open": "文書で開く ↗",
        "supports": "裏付ける文",
        "unverified": "未検証",
    },
}


def labels(answer: Answer) -> dict[str, str]:
    return LABELS.get(answer.question_language, LABELS["en"])


def card_id(turn: int, n: int) -> str:
    return f"pq-src-{turn}-{n}"


# -- answer text ----------------------------------------------------------------------------------------


def answer_text_html(answer: Answer, turn: int) -> str:
    """The answer with each [n] turned into a link to source card n of this turn, and each sentence that
    is shown but not verified (a flagged quote) marked, its reason on hover."""
    known = {s.n for s in answer.sources}

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in known:
            return match.group(0)
        return f'<a class="pq-cite" href="#{card_id(turn, n)}" aria-label="source {n}">[{n}]</a>'

    unverified = [
        s for s in answer.sentences if not s.verified and s.text.strip() and s.text in answer.answer
    ]
    lines = []
    for line in answer.answer.split("\n"):
        if line.strip():
            marked = _mark_unverified(esc(line), unverified, labels(answer)["unverified"])
            lines.append(CITE.sub(link, marked))
    return "".join(f"<p>{line}</p>" for line in lines)


def _mark_unverified(escaped_line: str, sentences: list[Sentence], label: str = "Not verified") -> str:
    for sentence in sentences:
        needle = esc(sentence.text.strip())
        if needle in escaped_line:
            # "[" in the reason would be taken for a citation marker by the link pass.
            reason = esc(f"{label}: {sentence.reason or 'its source does not support it'}").replace(
                "[", "&#91;"
            )
            span = f'<span class="pq-unverified" title="{reason}" tabindex="0">{needle}</span>'
            escaped_line = escaped_line.replace(needle, span, 1)
    return escaped_line


def draft_html(text: str) -> str:
    lines = [esc(line) for line in text.split("\n") if line.strip()]
    return "".join(f"<p>{line}</p>" for line in lines) or "<p class='pq-muted'>Searching the corpus…</p>"


# -- passages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _find_spans(passage: str, needles: Iterable[str]) -> list[Span]:
    spans: list[Span] = []
    for needle in needles:
        needle = needle.strip()
        if len(needle) < 3:
            continue
        at = passage.find(needle)
        if at < 0:
            # Quotes may have had their whitespace normalised; match on a whitespace-tolerant pattern.
            words = needle.split()
            if not words:
                continue
            m = re.search(r"\s+".join(re.escape(w) for w in words), passage)
            if m is None:
                continue
            spans.append(Span(m.start(), m.end()))
        else:
            spans.append(Span(at, at + len(needle)))
    return _merge(spans)


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s in sorted(spans, key=lambda s: s.start):
        if merged and s.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, s.end))
        else:
            merged.append(s)
    return merged


def highlighted(text: str, spans: list[Span], mark_attrs: str = "") -> str:
    """`text` escaped, with each span wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for s in spans:
        start, end = max(s.start, pos), min(s.end, len(text))
        if start >= end:
            continue
        out.append(esc(text[pos:start]))
        out.append(f"<mark{mark_attrs}>{esc(text[start:end])}</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def cited_sentences(answer: Answer, n: int) -> list[str]:
    texts = [s.text for s in answer.sentences if n in s.citations]
    cit = next((c for c in answer.citations if c.n == n), None)
    if cit is not None and cit.quote:
        texts.append(cit.quote)
    return texts


def _supported_by(answer: Answer, n: int) -> list[str]:
    return [s.text for s in answer.sentences if n in s.citations and s.verified]


def _meta_line(src: Source) -> str:
    parts = [p for p in (src.publisher, src.date) if p]
    return " · ".join(esc(p) for p in parts)


def _supports_html(supports: list[str], label: str) -> str:
    """Which sentences of the answer this source backs: a citation is a claim about a sentence."""
    if not supports:
        return ""
    items = "".join(f"<li>{esc(_clip(s))}</li>" for s in supports)
    return f'<div class="pq-supports"><span>{esc(label)}:</span><ul>{items}</ul></div>'


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def source_card(
    src: Source,
    turn: int,
    highlights: list[str],
    *,
    cited: bool,
    supports: list[str] | None = None,
    words: dict[str, str] = LABELS["en"],
) -> str:
    spans = _find_spans(src.text, highlights) if highlights else []
    if isinstance(src, Citation) and src.quote_start is not None and src.quote_end is not None:
        start, end = src.quote_start, src.quote_end
    elif spans:
        start, end = src.start + spans[0].start, src.start + spans[0].end
    else:
        start, end = src.start, src.end
    meta = _meta_line(src)
    # Passages often begin or end with blank lines; trimming them keeps the quote block tight.
    lead = len(src.text) - len(src.text.lstrip())
    passage = src.text.strip()
    shown = [Span(s.start - lead, s.end - lead) for s in spans]
    section = f'<p class="pq-section">{esc(src.section)}</p>' if src.section else ""
    kind = "pq-card pq-cited" if cited else "pq-card"
    return (
        f'<article class="{kind}" id="{card_id(turn, src.n)}" tabindex="-1" aria-label="source {src.n}">'
        f'<header class="pq-card-head"><span class="pq-n">[{src.n}]</span>'
        f'<span class="pq-title">{esc(src.title)}</span></header>'
        + (f'<p class="pq-meta">{meta}</p>' if meta else "")
        + section
        + _supports_html(supports or [], words["supports"])
        + f'<blockquote class="pq-passage">{_HEADING_MARK.sub("", highlighted(passage, shown))}</blockquote>'
        f'<a class="pq-open" href="{esc(doc_href(src.doc_id, start, end))}" target="_blank" rel="noopener">'
        f"{esc(words['open'])}</a></article>"
    )


def source_cards_html(answer: Answer, turn: int) -> str:
    words = labels(answer)
    if answer.abstained:
        if not answer.sources:
            return ""
        cards = "".join(source_card(s, turn, [], cited=False, words=words) for s in answer.sources)
        return f'<div class="pq-sources"><h3 class="pq-sources-h">{esc(words["closest"])}</h3>{cards}</div>'
    cited_ns = {c.n for c in answer.citations}
    cited = "".join(
        source_card(
            c,
            turn,
            cited_sentences(answer, c.n),
            cited=True,
            supports=_supported_by(answer, c.n),
            words=words,
        )
        for c in answer.citations
    )
    others = [s for s in answer.sources if s.n not in cited_ns]
    more = ""
    if others:
        inner = "".join(source_card(s, turn, [], cited=False, words=words) for s in others)
        summary = f"<summary>{esc(words['others'])} ({len(others)})</summary>"
        more = f'<details class="pq-more">{summary}{inner}</details>'
    return f'<div class="pq-sources"><h3 class="pq-sources-h">{esc(words["sources"])}</h3>{cited}{more}</div>'


def answer_block_html(answer: Answer, turn: int) -> str:
    words = labels(answer)
    badge = (
        f'<span class="pq-badge pq-abstained">{esc(words["not_covered"])}</span>'
        if answer.abstained
        else f'<span class="pq-badge">{esc(answer.mode)}</span>'
    )
    rewritten = ""
    if answer.standalone_question.strip() and answer.standalone_question.strip() != answer.question.strip():
        rewritten = f'<p class="pq-muted">{esc(words["searched"])}: {esc(answer.standalone_question)}</p>'
    warnings = "".join(f"<li>{esc(w)}</li>" for w in answer.warnings)
    warn = f'<ul class="pq-warnings" aria-label="warnings">{warnings}</ul>' if warnings else ""
    cls = "pq-answer pq-answer-abstained" if answer.abstained else "pq-answer"
    return (
        f'<div class="{cls}">{badge}{rewritten}{answer_text_html(answer, turn)}{warn}{_share(answer)}</div>'
        + source_cards_html(answer, turn)
    )


def _share(answer: Answer) -> str:
    """Links to the kept answer: its permalink and its exports (none when the server keeps no answers)."""
    if not answer.id:
        return ""
    i = esc(answer.id)
    return (
        f'<p class="pq-share"><a href="/a/{i}" target="_blank" rel="noopener">permalink</a> · '
        f'<a href="/api/answers/{i}/markdown">Markdown</a> · '
        f'<a href="/api/answers/{i}" target="_blank" rel="noopener">JSON</a>{_on_timeline(answer)}</p>'
    )


def _on_timeline(answer: Answer) -> str:
    """A link to the answer's place on the timeline: the first date its quotes state, in its document."""
    for c in sorted(answer.citations, key=lambda c: c.n):
        dates = stated_dates(c.quote or "")
        if dates:
            href = f"/timeline?doc={quote(c.doc_id, safe='')}#d-{dates[0][1]}"
            return (
                f' · <a class="pq-on-timeline" href="{esc(href)}" target="_blank" rel="noopener">timeline</a>'
            )
    return ""


# -- the conversation ---------------------------------------------------------------------------------


def export_html(ids: list[str]) -> str:
    """The whole conversation's export links (nothing before the first kept answer)."""
    if not ids:
        return '<span class="pq-export"></span>'
    q = esc(quote(",".join(ids), safe=","))
    return (
        f'<span class="pq-export">Export conversation: <a href="/api/conversation?ids={q}">Markdown</a> · '
        f'<a href="/api/conversation?ids={q}&amp;format=json" target="_blank" rel="noopener">JSON</a></span>'
    )


WELCOME = (
    '<div class="pq-welcome"><p>Ask about the EU AI Act, the G7 Hiroshima Process, the NIST AI RMF, the OECD '
    "AI Principles, the Council of Europe convention and other public AI-governance texts.</p>"
    "<p>Every answer quotes the documents and cites them as [n]; follow a citation to its source passage. "
    "When the corpus does not cover a question, PolicyQA says so and shows the closest passages.</p></div>"
)


def transcript_html(turns: list[dict], pending: tuple[str, str] | None = None, notice: str = "") -> str:
    """The whole conversation; `pending` is (question, draft text) while an answer streams in."""
    parts: list[str] = []
    for i, turn in enumerate(turns):
        answer = Answer.model_validate(turn["answer"])
        parts.append(
            f'<section class="pq-turn" aria-label="question {i + 1}">'
            f'<div class="pq-q"><span class="pq-role">You</span><p>{esc(turn["question"])}</p></div>'
            f'<div class="pq-a"><span class="pq-role">PolicyQA</span>{answer_block_html(answer, i)}</div>'
            "</section>"
        )
    if pending is not None:
        question, draft = pending
        parts.append(
            f'<section class="pq-turn" aria-busy="true">'
            f'<div class="pq-q"><span class="pq-role">You</span><p>{esc(question)}</p></div>'
            f'<div class="pq-a"><span class="pq-role">PolicyQA</span>'
            f'<div class="pq-answer pq-streaming">{draft_html(draft)}</div></div></section>'
        )
    body = "".join(parts) or WELCOME
    if notice:
        body += f'<p class="pq-notice" role="alert">{esc(notice)}</p>'
    return f'<div class="pq-transcript" role="log" aria-live="polite" aria-relevant="additions">{body}</div>'


# -- the document view --------------------------------------------------------------------------------

# The document view carries its stylesheet inline (its CSP allows inline styles only).
DOC_CSS = (Path(__file__).resolve().parent / "static" / "document.css").read_text(encoding="utf-8")
CHAT_CSS = (Path(__file__).resolve().parent / "static" / "chat.css").read_text(encoding="utf-8")


def document_page(title: str, publisher: str, date: str, url: str, text: str, span: Span | None) -> str:
    spans = [span] if span else []
    body = highlighted(text, spans, mark_attrs=' id="cited" tabindex="-1"')
    meta = " · ".join(esc(p) for p in (publisher, date) if p)
    source = (
        f' · <a href="{esc(url)}" rel="noopener noreferrer">original</a>'
        if url.startswith(("http://", "https://"))
        else ""
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)} — PolicyQA</title><style>{DOC_CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{meta}{source} · <a href='/'>back to PolicyQA</a></p></header>"
        f"<main><pre>{body}</pre></main></body></html>"
    )
