"""A Japanese question as an English search query, without an LLM.

Three layers, most specific first:
1. numbers, dates and clause references in the corpus's own forms (numbers.py);
2. the policy glossary (rag/data/glossary_ja_en.tsv, curated; every English side occurs in the corpus),
   longest match first over the raw text, so 広島AIプロセス is one term and not 広島 + AI + プロセス;
3. for the remaining nouns, their dictionary forms (SudachiPy) looked up in the glossary, then in a
   JMdict subset (rag/data/jmdict_ja_en.tsv; the first sense's first two glosses). ASCII runs (EO 14110,
   G7, NIST, 78/265) are kept as they are.

Every glossary phrase goes into the question (they are the corpus's own words); of a JMdict entry only
the first gloss, and the second into the search expansion, which weighs less: the likeliest sense counts
more, and a stray sense ("sphere" for 分野) does not dilute the question the reader judges.

The result reads like a terse English question ("When Hiroshima AI Process International Code of
Conduct published?"): the wh-word comes from the Japanese interrogative, so the reader and the
composer see the question type they would see in English.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rag.translate.numbers import fold, normalise_japanese

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parents[1] / "data"
GLOSSARY_PATH = DATA / "glossary_ja_en.tsv"
JMDICT_PATH = DATA / "jmdict_ja_en.tsv"
_ASCII_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,()/%&'’-]*[A-Za-z0-9)%]|[A-Za-z0-9]")
_DENIALS = frozenset({"ない", "ぬ", "ず", "ん"})
# しなければなりません ("must") is a double negative, not a denial
_OBLIGATION = re.compile(
    r"(?:なければ|なくては|なくちゃ|ねば|なきゃ)(?:なら|なり|いけ|だめ)(?:ない|なかった|ません|ず)?|ざるを得"
)
_PROHIBITION = re.compile(r"禁止|禁じ|禁ず")
_CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
# One-kanji words are dropped as too vague, but for these: 国 is what "何か国" and "共同提案国" count and
# name (a glossary entry would match inside 国際 and 国防 too, where the analyser keeps one word).
_ONE_KANJI = {"国": "countries"}
# Lemmas that carry no content of their own: light verbs, formal nouns, interrogatives (handled below).
_EMPTY = frozenset(
    "する ある いる なる できる れる られる せる こと もの よう ため とき ところ 何 なん"
    " どれ どの どんな どう いつ 誰 どこ いくら いくつ 方 点 場合 中 際 上 以上 以下 以内"
    " 内 等 など 関する 対する よる 係る おける 教える 知る 言う いう 思う 分かる 見る"
    " ください 下さる 頂く いただく いい よい 良い"
    # Hedges and frames a question wraps itself in ("具体的に", "実際に", "どの程度", "どういう立場の"):
    # their glosses (concrete, reality, degree, position) matched nothing asked (ja dev, 2026-12-05).
    " 具体 具体的 実際 程度 立場".split()
)
# Japanese interrogatives → the English question word that gives the same question type.
_WH = (
    # Before "When", whose 何年 they contain: an interval (何年おき, 間隔: how often) or a span of time
    # (何年間, 任期は何年: how long), not a point in time.
    (re.compile(r"何年(?:ごと|おき|毎)|間隔|頻度"), "How often"),
    (re.compile(r"何年間|(?:任期|期間|保存|保管|有効)[^。？?]{0,8}何年"), "How long"),
    # A calendar day (何月何日, 日付): "What date" asks the answer for a day of a month, not a year.
    (re.compile(r"何月何日|何日に|日付|日にち"), "What date"),
    (re.compile(r"いつ|何年|何月|期限|時期"), "When"),
    # 拠出額 / 出資額 / 投資額: a sum (a Japanese probe written blind, stop 44, lost its question word)
    (re.compile(r"いくら|金額|予算|費用|拠出額|出資額|投資額|資金額"), "How much"),
    # 何か国: the countries are counted, and a figure must stand beside them (rag/reader/answerability.py)
    (re.compile(r"何か国|何カ国|何ヶ国"), "How many countries"),
    # The other counters that say what is counted: 何社 (companies), 何人 / 何名 / 人数 (people)
    # Not 何人か / 何社か ("some people", "a few companies"): no count is asked
    (re.compile(r"何社(?!か)"), "How many companies"),
    (re.compile(r"何人(?!か)|何名(?!か)|人数"), "How many people"),
    # 何票 / 票数: votes, which no text of the corpus counts (fresh ja dev, 2026-12-06: 「賛成は何票」 lost
    # its question word and was searched as a statement)
    (re.compile(r"何票|票数"), "How many votes"),
    (
        re.compile(
            r"何日|何か月|何ヶ月|何カ月|何週間|何時間|どのくらい|どれくらい|何人(?!か)|いくつ|何%|何パーセント|上限|件数|何件"
            # Counters: 何か国 (how many countries), 何社 (companies), 何名, 何回, 何種類 …
            r"|何か国|何カ国|何ヶ国|何社(?!か)|何名(?!か)|何回|何個|何種類|何本|何団体|何機関|何か所|何カ所|何ヶ所"
        ),
        "How many",
    ),
    # どの企業 / 企業って…どこ: the companies' names are asked for (rag/reader/answerability.py, name_missing)
    (re.compile(r"(?:どの|どこの)(?:企業|会社)|(?:企業|会社)[^。？?]{0,8}どこ"), "Which companies"),
    # A place: どこで / どこに / どの都市 (not どこが or 機関はどこ, which ask who: the next entry)
    # 場所はどこ: "where" too (a probe written blind, 2026-12-06, lost its question word); not どこですか,
    # which asks which one ("署名した国って、どこですか": which countries)
    (
        re.compile(r"どこで(?!す)|どこに|どこの(?:都市|町|場所)|どの(?:都市|町|場所)|開催地|所在地|場所"),
        "Where",
    ),
    (
        re.compile(
            r"誰|だれ|どの機関|どこの機関|どの組織|どの当局|どこが|どの国|どの省"
            r"|(?:団体|組織|機関|当局|国|省|企業|会社)(?:って|は)[^。？?]{0,4}どこ"
        ),
        "Who",
    ),
    (
        # A list: "どんな項目", "何がありますか", "3つの基本理念って何" (ja dev, 2026-12-05: the list was
        # found and its lead sentence quoted without the items when asked as "What").
        re.compile(
            r"(?:どのような|どんな)[^。？?]*(?:もの|こと|種類|分野|項目|テーマ|課題|特徴)|挙げて|一覧|すべて|全て"
            r"|何と何|どれとどれ|何があ(?:る|り)|[0-9０-９一二三四五六七八九十]+つの"
        ),
        "Which are",
    ),
    (re.compile(r"どのような|どんな|どういう|何を|何が|何で|何か|何と|とは"), "What"),
    # "どう評価されてる", "どう違う": how, not a yes/no question
    (re.compile(r"どう(?!か|しても|せ)"), "How"),
)
_YES_NO_END = re.compile(r"(?:ですか|ますか|でしょうか|のか|か|の|いい|よい)\s*[?？]?\s*$")


class AnalyzerMissingError(RuntimeError):
    """The Japanese analyser is not installed: the message names the package."""


@dataclass
class Term:
    japanese: str
    english: str
    via: str  # number, glossary, jmdict, ascii


@dataclass
class Translation:
    english: str  # the wh-word, the glossary's phrases and JMdict's first glosses: what is matched on
    terms: list[Term] = field(default_factory=list)
    wh: str = ""
    # JMdict's second glosses: searched as an expansion, at its lower weight, so that they help find a
    # passage without diluting the question.
    alternatives: list[str] = field(default_factory=list)


def load_table(path: Path) -> dict[str, list[str]]:
    """A `ja<TAB>en` table; a term on several lines keeps every English side, in file order."""
    table: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ja, _, en = line.partition("\t")
        ja, en = fold(ja.strip()), en.strip()
        if ja and en and en not in table.setdefault(ja, []):
            table[ja].append(en)
    return table


class JapaneseTranslator:
    def __init__(
        self, glossary: dict[str, list[str]], jmdict: dict[str, list[str]], tokenizer: Any = None
    ) -> None:
        self.glossary = glossary
        self.jmdict = jmdict
        self._tokenizer = tokenizer
        self._longest = max((len(k) for k in glossary), default=0)

    @classmethod
    def load(cls) -> JapaneseTranslator:
        return cls(load_table(GLOSSARY_PATH), load_table(JMDICT_PATH))

    @cached_property
    def tokenizer(self) -> Any:
        if self._tokenizer is not None:
            return self._tokenizer
        try:
            from sudachipy import Dictionary
        except ImportError as exc:
            raise AnalyzerMissingError(
                "Japanese questions need SudachiPy and a dictionary: pip install sudachipy sudachidict-small"
            ) from exc
        try:
            return Dictionary(dict="small").create()
        except Exception as exc:  # the dictionary package is missing or broken
            raise AnalyzerMissingError(
                f"the Sudachi dictionary could not be loaded ({exc}): pip install sudachidict-small"
            ) from exc

    def translate(self, question: str) -> Translation:
        text = normalise_japanese(question)
        terms: list[Term] = []
        for piece, is_term in self._glossary_pass(text, terms):
            if not is_term:
                terms += self._words(piece)
        wh = self._wh(fold(question))
        primary: dict[str, str] = {}
        alternatives: list[str] = []
        words = [wh] if wh else []
        for term in terms:
            # Every corpus phrase of the glossary goes into the question; of JMdict's glosses the first.
            if term.via != "jmdict" or term.japanese not in primary:
                primary.setdefault(term.japanese, term.english)
                words.append(term.english)
            elif term.english not in alternatives:
                alternatives.append(term.english)
        english = " ".join(dict.fromkeys(w for w in words if w)).strip()
        alternatives = [a for a in alternatives if a not in words]
        return Translation(
            english=f"{english}?" if english else "", terms=terms, wh=wh, alternatives=alternatives
        )

    def topic(self, question: str) -> str:
        """The question's English terms without its wh-word: what a follow-up that points back to it
        carries along ("それって軍事も対象?" after "いつ採択?" asks no date)."""
        translation = self.translate(question)
        return translation.english.removeprefix(translation.wh).strip()

    def denies(self, sentence: str) -> bool:
        """Whether a Japanese sentence is negated: the auxiliary ない/ぬ (ません)/ず, or the adjective ない
        ("there is no …"); not the ない inside 少ない or 危ない, which the analyser keeps as one word,
        nor an obligation (_OBLIGATION). A prohibition (禁止) denies too."""
        text = _OBLIGATION.sub("", fold(sentence))
        if _PROHIBITION.search(text):
            return True
        for m in self.tokenizer.tokenize(text):
            pos, lemma = m.part_of_speech()[0], m.dictionary_form()
            if (pos == "助動詞" and lemma in _DENIALS) or (pos == "形容詞" and lemma in ("ない", "無い")):
                return True
        return False

    def _glossary_pass(self, text: str, terms: list[Term]) -> list[tuple[str, bool]]:
        """`text` cut into glossary terms (appended to `terms`) and the stretches between them."""
        out: list[tuple[str, bool]] = []
        rest, i = "", 0
        while i < len(text):
            for n in range(min(self._longest, len(text) - i), 0, -1):
                key = text[i : i + n]
                if key in self.glossary and not key.isascii() and not _inside_katakana(key, text, i + n):
                    if rest:
                        out.append((rest, False))
                        rest = ""
                    terms += [Term(key, en, "glossary") for en in self.glossary[key]]
                    out.append((key, True))
                    i += n
                    break
            else:
                rest += text[i]
                i += 1
        if rest:
            out.append((rest, False))
        return out

    def _words(self, piece: str) -> list[Term]:
        terms: list[Term] = []
        last = 0
        for m in _ASCII_RUN.finditer(piece):
            terms += self._japanese_words(piece[last : m.start()])
            terms.append(Term(m.group(0), m.group(0).strip(), "ascii"))
            last = m.end()
        return terms + self._japanese_words(piece[last:])

    def _japanese_words(self, piece: str) -> list[Term]:
        if not piece.strip():
            return []
        tokenizer = self.tokenizer  # raises AnalyzerMissingError, naming the package, when absent
        from sudachipy import SplitMode

        terms: list[Term] = []
        for m in tokenizer.tokenize(piece, SplitMode.C):
            lemma, pos = m.dictionary_form(), m.part_of_speech()[0]
            # a kept one-kanji word whatever its part of speech (か国's 国 is a suffix): _lookup knows it
            vague = pos not in _CONTENT_POS or lemma in _EMPTY or len(lemma) < 2 and not lemma.isascii()
            if vague and lemma not in _ONE_KANJI:
                continue
            # JMdict only for nouns: a question's verbs are mostly generic ("make", "put out"), and the
            # policy verbs that matter (採択, 施行, 禁止) are in the glossary.
            nouns = pos != "動詞"
            parts = [
                sub.dictionary_form()
                for sub in m.split(SplitMode.A)
                if len(sub.surface()) > 1 or sub.surface() in _ONE_KANJI
            ]
            terms += self._lookup(lemma, nouns) or [t for part in parts for t in self._lookup(part, nouns)]
        return terms

    def _lookup(self, lemma: str, jmdict: bool = True) -> list[Term]:
        if lemma in _ONE_KANJI:
            return [Term(lemma, _ONE_KANJI[lemma], "glossary")]
        if lemma in self.glossary:
            return [Term(lemma, en, "glossary") for en in self.glossary[lemma]]
        glosses = self.jmdict.get(lemma) if jmdict else None
        if not glosses:
            return []
        senses = [g.strip() for g in glosses[0].split(";") if g.strip()]
        # The first gloss goes into the question; the second only into the expansion (see Translation).
        return [Term(lemma, _bare(s), "jmdict") for s in senses[:2]]

    @staticmethod
    def _wh(question: str) -> str:
        for pattern, word in _WH:
            if pattern.search(question):
                return word
        return "Does" if _YES_NO_END.search(question) else ""


_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")  # letters and the long-vowel mark, not the dot ・


def _inside_katakana(key: str, text: str, end: int) -> bool:
    """A katakana term that the text's word runs on past is only the start of another loanword: アプリ
    ("app") in アプリア (Apulia, ja dev ja-017). A longer entry, if any, has matched before this one."""
    return bool(_KATAKANA.match(key[-1])) and end < len(text) and bool(_KATAKANA.match(text[end]))


def _bare(gloss: str) -> str:
    """ "to use" → "use": the corpus writes the verb without its infinitive marker."""
    return gloss.removeprefix("to ").strip()
