"""An English extractive answer framed for a Japanese reader.

The evidence stays verbatim English with its [n] citations (the documents are English, and a quote must
be checkable against them); around it go a Japanese lead line naming the provision, and the dates the
quotes give, restated in Japanese form.
"""

from __future__ import annotations

from rag.core.models import Citation
from rag.translate.numbers import japanese_dates

ABSTAIN_TEXT_JA = "コーパスにはこの質問に答える記述が見つかりませんでした。最も近い箇所を下に示します。"
_LEAD = "該当する規定"
_DATES = "日付"


def frame_answer(english_answer: str, citations: list[Citation]) -> str:
    """`english_answer` under a Japanese lead line (the first cited provision) and its dates in Japanese."""
    lines: list[str] = []
    if citations:
        first = citations[0]
        where = " › ".join(x for x in (first.title, first.section) if x)
        lines.append(f"{_LEAD}: {where} [{first.n}]")
    dates = japanese_dates(english_answer)
    if dates:
        lines.append(f"{_DATES}: {'、'.join(dates)}")
    return "\n".join([*lines, english_answer]) if lines else english_answer
