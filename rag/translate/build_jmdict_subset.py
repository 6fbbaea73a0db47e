"""Builds rag/data/jmdict_ja_en.tsv, the part of JMdict that Japanese questions are translated with.

    pip install jamdict-data        # 311 MB, only here: answering reads the 1 MB subset
    python -m rag.translate.build_jmdict_subset

Kept: JMdict's common words (a news/ichi/spec/gai priority tag) that are nouns, verbs or adjectives,
with the English glosses of their first sense whose words occur in the corpus (a gloss the corpus
never uses cannot help to find a passage). Same JMdict and corpus → same file.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

from rag.text.tokenize import STOP_WORDS

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "rag" / "data" / "jmdict_ja_en.tsv"
MAX_GLOSSES = 3
_COMMON = re.compile(r"^(news1|ichi1|spec1|spec2|gai1|news2|ichi2|gai2)$")
# Matched at the start of each part-of-speech label: "nouns which may take the genitive case particle
# 'no'" is a noun, not a particle.
_CONTENT_POS = re.compile(r"^(?:noun|nouns|\w+ verb|verb|adjective|adverb)", re.I)
_FUNCTION_POS = re.compile(
    r"^(?:particle|auxiliary|conjunction|interjection|pronoun|prefix|suffix|counter)", re.I
)
_WORD = re.compile(r"[a-z][a-z'-]+")


def corpus_vocabulary(corpus: Path = ROOT / "corpus") -> set[str]:
    words: set[str] = set()
    for path in corpus.glob("*.md"):
        words |= set(_WORD.findall(path.read_text(encoding="utf-8").lower()))
    return words


def _database() -> Path:
    try:
        import jamdict_data
    except ImportError as exc:
        raise SystemExit(
            "install jamdict-data (pip install jamdict-data) to rebuild the JMdict subset"
        ) from exc
    return Path(jamdict_data.__file__).with_name("jamdict.db")


def _gloss_ok(gloss: str, vocabulary: set[str]) -> bool:
    words = [w for w in _WORD.findall(gloss.lower()) if w not in STOP_WORDS]
    return bool(words) and all(w in vocabulary for w in words)


def build(db_path: Path, vocabulary: set[str]) -> list[tuple[str, str]]:
    db = sqlite3.connect(db_path)
    kanji_tags = "SELECT k.idseq, k.text, p.text FROM Kanji k JOIN KJP p ON p.kid = k.ID"
    kana_tags = "SELECT k.idseq, k.text, p.text FROM Kana k JOIN KNP p ON p.kid = k.ID"
    priorities: set[tuple[str, str]] = set()
    common: set[int] = set()
    for kind, sql in (("kanji", kanji_tags), ("kana", kana_tags)):
        for idseq, text, tag in db.execute(sql):
            common.add(idseq)
            if _COMMON.match(tag or ""):
                priorities.add((kind, text))
    first_sense: dict[int, int] = {}
    for idseq, sid in db.execute("SELECT idseq, MIN(ID) FROM Sense GROUP BY idseq"):
        if idseq in common:
            first_sense[idseq] = sid
    pos: dict[int, list[str]] = defaultdict(list)
    for sid, text in db.execute("SELECT sid, text FROM pos"):
        pos[sid].append(text or "")
    glosses: dict[int, list[str]] = defaultdict(list)
    for sid, lang, text in db.execute("SELECT sid, lang, text FROM SenseGloss ORDER BY rowid"):
        if lang in (None, "", "eng") and text:
            glosses[sid].append(re.sub(r"\s*\([^)]*\)", "", text).strip())
    forms: dict[int, list[str]] = defaultdict(list)
    for idseq, text in db.execute("SELECT idseq, text FROM Kanji ORDER BY ID"):
        if ("kanji", text) in priorities:
            forms[idseq].append(text)
    for idseq, text, nokanji in db.execute("SELECT idseq, text, nokanji FROM Kana ORDER BY ID"):
        if ("kana", text) in priorities and (nokanji or not forms.get(idseq)):
            forms[idseq].append(text)
    rows: dict[str, list[str]] = {}
    for idseq, sid in sorted(first_sense.items()):
        kinds = pos.get(sid, [])
        if not any(_CONTENT_POS.match(k) for k in kinds) or any(_FUNCTION_POS.match(k) for k in kinds):
            continue
        kept = [g for g in dict.fromkeys(glosses.get(sid, [])) if _gloss_ok(g, vocabulary)][:MAX_GLOSSES]
        if not kept:
            continue
        for form in forms.get(idseq, []):
            if len(form) >= 2 and form not in rows:  # one-character forms are mostly ambiguous
                rows[form] = kept
    return sorted((form, "; ".join(g)) for form, g in rows.items())


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = build(_database(), corpus_vocabulary())
    header = (
        "# JMdict (EDRDG, CC BY-SA 4.0) common words → English glosses found in the corpus.\n"
        "# Built by python -m rag.translate.build_jmdict_subset; do not edit by hand.\n"
    )
    OUT.write_text(header + "".join(f"{ja}\t{en}\n" for ja, en in rows), encoding="utf-8")
    log.info("wrote %d entries to %s", len(rows), OUT)


if __name__ == "__main__":
    main()
