"""Which language a question is in. Script detection is enough to tell Japanese from English, and Unicode
ranges need no model: any kana, or CJK ideographs making up a fair share of the letters, is Japanese."""

from __future__ import annotations

import re

_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LETTER = re.compile(r"[^\W\d_]")
_MIN_CJK_SHARE = 0.2


def detect_language(text: str) -> str:
    """ "ja" or "en"."""
    if _KANA.search(text):
        return "ja"
    letters = len(_LETTER.findall(text))
    return "ja" if letters and len(_CJK.findall(text)) / letters >= _MIN_CJK_SHARE else "en"


# それ/その/これ/この/同…: a Japanese follow-up points back with a demonstrative; a word count cannot
# tell (a whitespace count makes every Japanese question one "word").
_BACK_REFERENCE = re.compile(
    r"それ|その|これ|この|あれ|あの|そこ|同(?:法|規則|条|令|文書|機関)|前述|上記|そちら|こちら"
)


def refers_back(question: str) -> bool:
    """A Japanese question that needs the previous one to be understood."""
    return bool(_BACK_REFERENCE.search(question)) or len(question.strip()) <= 12
