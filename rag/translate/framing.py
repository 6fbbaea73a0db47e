"""An English extractive answer framed for a Japanese reader.

The evidence stays verbatim English with its [n] citations (the documents are English, and a quote must
be checkable against them); around it go a Japanese lead line naming the provision, and the dates the
quotes give, restated in Japanese form.
"""

from __future__ import annotations

import re

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


# What the reader found missing (rag/reader/answerability.py, `missing_detail`), worded for a Japanese
# reader: the abstention is in Japanese, and its reason should be too. A wording not listed stays English.
_DETAILS_JA: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^a figure$"), "数値"),
    (re.compile(r"^a date$"), "日付"),
    (re.compile(r"^a penalty$"), "罰則"),
    (re.compile(r"^a place$"), "場所"),
    (re.compile(r"^who holds the role$"), "その役職にある人"),
    (re.compile(r"^who its members are$"), "その構成員"),
    (re.compile(r"^who wrote it$"), "著者"),
    (
        re.compile(r"^whether it happened by (.+) \(their texts are older\)$"),
        r"\1までに実現したかどうか（文書はそれより前のものです）",
    ),
    (re.compile(r"^who signed or joined it$"), "署名・参加した国や組織"),
    (re.compile(r"^what came of it"), "その結果（文書はこれから先のこととしてしか述べていません）"),
    (re.compile(r"^what the (.+) itself says"), r"「\1」そのものの内容（文書は言及しているだけです）"),
    (re.compile(r"^whether (.+) signed or joined it$"), r"\1が署名・参加したかどうか"),
    (re.compile(r"^where (.+) stood on it$"), r"\1の立場"),
    (re.compile(r"^version (.+) of the text$"), r"文書の\1版"),
    (re.compile(r"^the name of a person$"), "人物の名前"),
    (re.compile(r"^the name of a company$"), "企業名"),
    (re.compile(r"^the name of a country$"), "国名"),
    (re.compile(r"^the name of a product$"), "製品名"),
    (re.compile(r"^the name of the (.+)$"), r"「\1」の名称"),
]


def missing_detail_warning(detail: str, question_language: str | None = None) -> str:
    """The user's warning that the passages found lack `detail`, in the question's language."""
    if question_language == "ja":
        for pattern, japanese in _DETAILS_JA:
            if pattern.search(detail):
                return f"見つかった箇所には、質問が求める{pattern.sub(japanese, detail)}が書かれていません"
    return f"the passages found do not give {detail}, which the question asks for"
