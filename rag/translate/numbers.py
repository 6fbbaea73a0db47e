"""Japanese numbers, dates and clause references in the English corpus's forms, and back.

"2024年4月10日" is searched as "10 April 2024", "6か月" as "six months", "令和6年" as "2024",
"第5条1項(f)" as "Article 5(1)(f)"; `to_japanese_date` restates "2 August 2026" as "2026年8月2日" for a
Japanese reader.
"""

from __future__ import annotations

import re
import unicodedata

from rag.text.months import MONTH_NAMES, month_number

MONTHS = MONTH_NAMES
_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()
_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_UNITS = {
    "日": "days",
    "か月": "months",
    "ヶ月": "months",
    "カ月": "months",
    "ケ月": "months",
    "箇月": "months",
    "年間": "years",
    "週間": "weeks",
    "時間": "hours",
}
_FULL_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_YEAR_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?!\d)")
_ERA_YEAR = re.compile(r"(令和|平成|昭和)(\d{1,2}|元)年")
_YEAR = re.compile(r"(\d{4})年(?!度)")
_FISCAL = re.compile(r"(\d{4})年度")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_DURATION = re.compile(r"(\d+)\s*(" + "|".join(map(re.escape, _UNITS)) + r")")
_ARTICLE = re.compile(r"第?(\d+)条(?:第?(\d+)項)?(?:第?(\d+)号)?((?:\([a-z]\)|（[a-z]）)?)")
_ANNEX = re.compile(r"附属書\s*([IVXLC]+|\d+)")
_SECTION = re.compile(r"第?(\d+(?:\.\d+)*)節")
# 第1.1版 / 1.1版: a text's version, which the answerability check compares with the passages' (stop 51:
# "AI事業者ガイドライン第1.1版の公表予定日は?" was searched with a bare "1.1", which names no version)
_EDITION = re.compile(r"第?(\d+(?:\.\d+)*)版")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|パーセント)")
# 1億1000万ドル, 29億ドル, 3500万ユーロ, 1200億円: myriad units, written as the corpus writes amounts.
_NUM = r"\d+(?:\.\d+)?"
_LARGE = re.compile(
    rf"(?:({_NUM})兆)?(?:({_NUM})億)?(?:({_NUM})万)?(\d+)?(米ドル|ドル|ユーロ|円)?(?<=[兆億万ルロ円])"
)
_MYRIADS = (10**12, 10**8, 10**4, 1)
_EN_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})\b")
_EN_US_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r") (\d{1,2}), (\d{4})\b")


def fold(text: str) -> str:
    """Full-width digits, letters and brackets as ASCII (NFKC), so "２０２４" is "2024"."""
    return unicodedata.normalize("NFKC", text)


def _count(n: str, unit: str) -> str:
    value = int(n)
    word = _NUMBER_WORDS[value] if value < len(_NUMBER_WORDS) else str(value)
    plural = unit if value != 1 else unit[:-1]
    return f"{word} {plural} {value} {plural}" if word != str(value) else f"{value} {plural}"


def normalise_japanese(text: str) -> str:
    """`text` with its dates, durations, percentages and clause references written as the corpus writes
    them (the rest untouched)."""
    text = fold(text)
    text = _ERA_YEAR.sub(
        lambda m: f"{_ERAS[m.group(1)] + (1 if m.group(2) == '元' else int(m.group(2)))}年", text
    )
    text = _FULL_DATE.sub(lambda m: f" {int(m.group(3))} {MONTHS[int(m.group(2)) - 1]} {m.group(1)} ", text)
    text = _YEAR_MONTH.sub(lambda m: f" {MONTHS[int(m.group(2)) - 1]} {m.group(1)} ", text)
    text = _FISCAL.sub(lambda m: f" fiscal year {m.group(1)} ", text)
    text = _YEAR.sub(lambda m: f" {m.group(1)} ", text)
    text = _MONTH_DAY.sub(lambda m: f" {int(m.group(2))} {MONTHS[int(m.group(1)) - 1]} ", text)
    text = _DURATION.sub(lambda m: f" {_count(m.group(1), _UNITS[m.group(2)])} ", text)
    text = _PERCENT.sub(lambda m: f" {m.group(1)}% ", text)
    text = _LARGE.sub(_large, text)
    text = _ARTICLE.sub(_article, text)
    text = _ANNEX.sub(lambda m: f" Annex {m.group(1)} ", text)
    text = _SECTION.sub(lambda m: f" Section {m.group(1)} ", text)
    text = _EDITION.sub(lambda m: f" version {m.group(1)} ", text)
    return text


def _large(m: re.Match[str]) -> str:
    """ "1億1000万ドル" → "$110 million", "3500万ユーロ" → "EUR 35 000 000", "1200億円" → "120 billion
    yen"."""
    parts = m.groups()[:4]
    if not any(parts[:3]):  # a bare currency after digits ("100ドル"): no myriad unit to read
        return m.group(0) if not parts[3] else _money(int(parts[3]), m.group(5))
    value = sum(float(p) * unit for p, unit in zip(parts, _MYRIADS, strict=True) if p)
    return _money(round(value), m.group(5))


def _money(value: int, currency: str | None) -> str:
    if currency == "ユーロ":
        return f" EUR {value:,} ".replace(",", " ")
    size, word = next(((s, w) for s, w in ((10**9, "billion"), (10**6, "million")) if value >= s), (1, ""))
    scaled = f"{value / size:.3f}".rstrip("0").rstrip(".") if word else f"{value:,}"
    amount = f"{scaled} {word}".strip()
    if currency in ("ドル", "米ドル"):
        return f" ${amount} "
    return f" {amount} yen " if currency == "円" else f" {amount} "


def _western_year(m: re.Match[str]) -> str:
    """令和6年 → 2024年 (元年 is the era's first year)."""
    year = 1 if m.group(2) == "元" else int(m.group(2))
    return f"{_ERAS[m.group(1)] + year}年"


def _article(m: re.Match[str]) -> str:
    ref = f"Article {m.group(1)}"
    for part in (m.group(2), m.group(3)):
        if part:
            ref += f"({part})"
    point = (m.group(4) or "").replace("（", "(").replace("）", ")")
    return f" {ref}{point} "


def to_japanese_date(english: str) -> str:
    """ "2 August 2026" or "August 2, 2026" as "2026年8月2日"; "" when `english` holds no such date."""
    m = _EN_DATE.search(english)
    if m:
        return f"{m.group(3)}年{month_number(m.group(2))}月{int(m.group(1))}日"
    m = _EN_US_DATE.search(english)
    if m:
        return f"{m.group(3)}年{month_number(m.group(1))}月{int(m.group(2))}日"
    return ""


def japanese_dates(text: str) -> list[str]:
    """Every full date of an English text restated in Japanese form, in order, without repeats."""
    found = [to_japanese_date(m.group(0)) for m in _EN_DATE.finditer(text)]
    found += [to_japanese_date(m.group(0)) for m in _EN_US_DATE.finditer(text)]
    return list(dict.fromkeys(d for d in found if d))
