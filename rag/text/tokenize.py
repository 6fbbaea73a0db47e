"""The one tokenizer behind BM25, evidence scoring and extractive answers.

Questions and document text go through the same `tokenize`, so whatever normalisation happens here
happens on both sides. The point of a custom tokenizer is legal and policy identifiers: a stock word
tokenizer splits "Article 5(1)(f)" into "article", "5", "1", "f" and then a question about that clause
scores no better on the clause than on any sentence mentioning the number 5. Here:

* clause names stay whole and also come joined to their keyword: "Article 50(2)" gives `article`,
  `50(2)` and `article_50(2)`; "GOVERN 6.1" gives `govern`, `6.1`, `govern_6.1`. Abbreviations are
  canonicalised ("Art." → article, "Sec."/"§" → section, "para."/"¶" → paragraph) so a question's
  "Sec. 4.2" and the text's "Section 4.2" produce the same tokens;
* a nested clause also gives its ancestors joined to the keyword (`article_5(1)`, `article_5`), because
  the chunk that holds point (f) is headed "Article 5" and never spells "5(1)(f)"; bare ancestors are
  emitted too except a bare top-level number (`5(1)(f)` gives `5(1)` but not `5`; `annex iii(4)` not
  `iii`), which would match every date, count and list marker;
* other identifiers keep their punctuation: `30-4`, `14110`, `78/265`, `a/res/78/265` (plus its numeric
  tail `78/265`), `2024/1689`, `1.4(b)` (plus `1.4`), `10^26` (also from "10<sup>26</sup>" and "10²⁶");
* `10,000` and `10 000` become `10000`; "$1.5" gives `1.5`.

Stemming is deliberately plural-only (see `stem`). The citation checker measures content-word overlap
with a cruder stemmer and its own stop words (`overlap_stem`, `OVERLAP_STOP_WORDS`); both live here so
that all stemming has one home, but they are not interchangeable with the BM25 ones.
"""

from __future__ import annotations

import re

from rag.text.normalize import normalize

__all__ = ["OVERLAP_STOP_WORDS", "STOP_WORDS", "normalize", "overlap_stem", "stem", "tokenize"]

# Function words only. Not here on purpose: "us" (the country, far more common than the pronoun in
# this corpus), "who" (the WHO), "may" (the month), modal "shall"/"must" (BM25's IDF already damps them
# and they carry obligation in legal text), "no" is here because "CETS No. 225" is joined anyway. The
# last line is what contractions leave ("doesn't" → "doesn"): a question's word no passage has.
_STOP_WORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each eg etc few for from further
had has have having he her here hers herself him himself his how i ie if in into is it its itself me
more most my myself no nor not of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while whom why will with would
you your yours yourself yourselves
aren couldn didn doesn don hadn hasn haven isn ll re shouldn ve wasn weren won wouldn
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

# --- the token grammar -----------------------------------------------------------------------
_W = r"[^\W_]"  # a Unicode letter or digit
_PAREN = r"\((?:[0-9]{1,3}|[a-z]|[ivx]{2,5})\)"  # (1) (f) (iv): clause sub-levels, nothing longer
# At most three sub-levels: the deepest real clause has two ("4.2(b)(i)"), and an unbounded run would
# make the ancestor list quadratic on junk like "5(1)(1)(1)…".
_NUM_ID = rf"[0-9]+(?:\.[0-9]+)*(?:[ \t]?{_PAREN}){{0,3}}"
_ROMAN_ID = rf"[ivxl]+(?:[ \t]?{_PAREN}){{0,3}}"

# How a clause keyword is spelled → the keyword its joined token uses ("Sec. 4.2" → section_4.2).
# fmt: off
_KEYWORDS: dict[str, str] = {
    "article": "article", "articles": "article", "art.": "article",
    "annex": "annex", "annexes": "annex",
    "recital": "recital", "recitals": "recital",
    "chapter": "chapter", "chapters": "chapter",
    "section": "section", "sections": "section", "sec.": "section", "§": "section", "§§": "section",
    "paragraph": "paragraph", "paragraphs": "paragraph", "para.": "paragraph", "para": "paragraph",
    "¶": "paragraph",
    "govern": "govern", "map": "map", "measure": "measure", "manage": "manage",
    "principle": "principle", "action": "action", "item": "item", "part": "part", "title": "title",
    "cets": "cets",
}
# fmt: on
_ROMAN_KEYWORDS = frozenset({"annex", "chapter", "part", "title"})

_WORD_KWS = "|".join(sorted((k for k in _KEYWORDS if k.isalpha()), key=len, reverse=True))
_MARK_KWS = "|".join(
    re.escape(k) for k in sorted((k for k in _KEYWORDS if not k.isalpha()), key=len, reverse=True)
)
_TOKEN_RE = re.compile(
    rf"""
    (?P<clause>(?<!{_W})(?P<kw>(?:{_WORD_KWS})(?!{_W})|{_MARK_KWS})
        [ \t]*(?:no\.?[ \t]*)?                                             # "CETS No. 225"
        (?:\((?P<pnum>[0-9]+)\)|(?P<num>{_NUM_ID})|(?P<roman>{_ROMAN_ID}))
        (?!{_W}))
    |(?P<power>(?<![0-9.])[0-9]+[ \t]?\^[ \t]?[0-9]+)
    |(?P<abbr>(?<!{_W})(?:[a-z]\.){{2,}})                                  # u.s.c. e.u. e.o.
    |(?P<thousands>(?<![0-9.,])[0-9]{{1,3}}(?:(?:,[0-9]{{3}})+|(?:[ ][0-9]{{3}})+)(?:\.[0-9]+)?(?![0-9]))
    |(?P<tok>{_W}+(?:[/.\-]{_W}+)*(?:[ \t]?{_PAREN}){{0,3}})
    """,
    re.VERBOSE,
)
_SEPS = re.compile(r"[/.\-]")
_SPACE = re.compile(r"[ \t]+")

_WORD_CACHE: dict[str, str | None] = {}
_WORD_CACHE_MAX = 200_000


# Irregular plurals that the suffix rules below would get wrong, and words that look plural but are not.
# fmt: off
_IRREGULAR = {
    "biases": "bias", "aliases": "alias", "analyses": "analysis", "crises": "crisis", "bases": "basis",
    "hypotheses": "hypothesis", "theses": "thesis", "criteria": "criterion", "phenomena": "phenomenon",
    "indices": "index", "matrices": "matrix", "appendices": "appendix", "children": "child",
}
# fmt: on
_KEEP_S = ("ss", "us", "is", "news", "series", "species", "means", "bias", "alias", "atlas", "canvas")


def stem(word: str) -> str:
    """Strip English plural endings only.

    Why not -ing/-ed too: without Porter's e-restoration and measure rules they split common pairs
    instead of joining them ("managing" → "manag" but "manage" stays; "used" → "us", the country),
    and "MANAGE", "MEASURE" are NIST function names that must match exactly. The dense retriever
    covers morphology; BM25 here is for exact terms and identifiers.
    """
    if len(word) <= 3 or not word.endswith("s") and word not in _IRREGULAR:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(_KEEP_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"  # policies → policy (ties, lies stay: too short to tell)
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]  # processes → process, approaches → approach, annexes → annex
    return word[:-1]  # systems → system, purposes → purpose, uses → use


# Not STOP_WORDS plus extras, on purpose: an answer's "according to the sources", "may", "must" or
# "states" says nothing about whether the passage backs it, while BM25 keeps obligation words ("must").
# "e.g"/"i.e" never match (the checker's words stop at a dot) but are kept as they were.
_OVERLAP_STOP_WORDS_TEXT = """
a about above across after again against all also although am among an and any are as at be
because been before being below between both but by can could did do does doing done down during
each either etc even ever every for from further had has have having he her here hers him his how
however i if in into is it its itself just may me might more most must my neither no nor not now of
off on once only or other our ours out over own per rather same she should since so some such than
that the their theirs them then there these they this those though through thus to too under until
up upon us very via was we were what when where whether which while who whom whose why will with
within without would yet you your yours shall also e.g i.e namely including include includes
according source sources passage passages document documents text states state stated says say
said notes note non
"""
OVERLAP_STOP_WORDS: frozenset[str] = frozenset(_OVERLAP_STOP_WORDS_TEXT.split())

# Order matters: the first suffix that fits is the only one stripped, so longer forms come first.
_OVERLAP_SUFFIXES = tuple(
    """izations isations ization isation ational atives ations ation atory ments ment ities ity ness
    ings ing ives ive ates ated ate ers er ed es ly al s""".split()
)
_OVERLAP_STEM_LEN = 5


def overlap_stem(word: str) -> str:
    """Suffix strip then a 5-letter prefix: crude, but symmetric and good enough for word overlap.

    Unlike `stem` it conflates derivations ("regulation", "regulatory" → "regul"), which is what a
    paraphrase check needs and what exact-term BM25 must not do.
    """
    if len(word) > 4 and word.endswith(("ies", "ied")):  # applies, applied → apply
        return (word[:-3] + "y")[:_OVERLAP_STEM_LEN]
    for suffix in _OVERLAP_SUFFIXES:
        # "ly" needs a long word: "apply" and "only" are not adverbs of "app" and "on".
        if word.endswith(suffix) and len(word) - len(suffix) >= (4 if suffix == "ly" else 3):
            word = word[: -len(suffix)]
            break
    return word[:_OVERLAP_STEM_LEN]


def _word(w: str) -> str | None:
    """Stop-word filter + stem, memoised: the corpus has ~20k distinct words and ~220k occurrences."""
    got = _WORD_CACHE.get(w, "")
    if got != "":
        return got
    if w in STOP_WORDS or (len(w) == 1 and w.isascii()):
        out = None  # single ASCII letters are list markers "(a)", initials, possessive "s"
    else:
        out = stem(w)
        if out in STOP_WORDS:
            out = None
    if len(_WORD_CACHE) >= _WORD_CACHE_MAX:
        _WORD_CACHE.clear()
    _WORD_CACHE[w] = out
    return out


def _paren_ancestors(ident: str) -> list[str]:
    """`4.2(b)(i)` → [`4.2(b)`, `4.2`]: drop trailing sub-levels one at a time."""
    out = []
    while ident.endswith(")"):
        ident = ident[: ident.rindex("(")]
        out.append(ident)
    return out


def _ancestors(ident: str) -> list[str]:
    """All structural ancestors: `4.2(b)` → [`4.2`, `4`]; `6.1` → [`6`]."""
    out = _paren_ancestors(ident)
    base = out[-1] if out else ident
    while "." in base:
        base = base[: base.rindex(".")]
        out.append(base)
    return out


def _emit_clause(kw: str, ident: str, out: list[str]) -> None:
    out.append(kw)
    out.append(ident)
    out.append(f"{kw}_{ident}")
    for anc in _ancestors(ident):
        out.append(f"{kw}_{anc}")
    out.extend(a for a in _paren_ancestors(ident) if "(" in a or "." in a)


def _emit_compound(tok: str, out: list[str]) -> None:
    """A run of letters/digits joined by / . - with optional (x) sub-levels."""
    if "(" in tok:
        base = tok[: tok.index("(")].rstrip(" \t")
        if not any(c.isdigit() for c in base):
            _emit_compound(base, out)  # "system (a)": the (a) is a list marker, not part of a name
            return
        tok = _SPACE.sub("", tok)
        out.append(tok)
        out.extend(a for a in _paren_ancestors(tok) if "(" in a or "." in a)
        return
    if not any(c.isdigit() for c in tok):
        parts = _SEPS.split(tok)
        for p in parts:
            w = _word(p)
            if w:
                out.append(w)
        if "-" in tok and len(parts) > 1:
            # "co-operation" must meet "cooperation", "re-identify" "reidentify".
            joined = _word("".join(_SEPS.split(tok)))
            if joined:
                out.append(joined)
        return
    out.append(tok)  # 14110, 2024/1689, 30-4, covid-19, g7, 1.5
    parts = _SEPS.split(tok)
    if len(parts) > 1:
        for p in parts:
            if p.isalpha():
                w = _word(p)
                if w:
                    out.append(w)
        if "/" in tok:
            # a/res/78/265 should also meet "resolution 78/265".
            tail = tok.split("/")
            i = len(tail)
            while i > 0 and tail[i - 1].isdigit():
                i -= 1
            if 0 < i < len(tail) - 1:
                out.append("/".join(tail[i:]))


def tokenize(text: str) -> list[str]:
    """Lowercased, normalised, stop-word-free, plural-stemmed tokens with identifiers kept whole."""
    text = normalize(text)
    out: list[str] = []
    append = out.append
    for m in _TOKEN_RE.finditer(text):
        group = m.lastgroup
        if group == "tok":
            tok = m.group()
            if tok.isalpha():
                w = _word(tok)
                if w:
                    append(w)
            else:
                _emit_compound(tok, out)
        elif group == "clause":
            kw = _KEYWORDS[m.group("kw")]
            ident = m.group("pnum") or m.group("num") or m.group("roman")
            if m.group("roman") and kw not in _ROMAN_KEYWORDS:
                # "section iv" is not a clause name we know; keep the words only.
                append(kw)
                _emit_compound(ident, out)
                continue
            _emit_clause(kw, _SPACE.sub("", ident), out)
        elif group == "thousands":
            append(m.group().replace(",", "").replace(" ", ""))
        elif group == "power":
            append(_SPACE.sub("", m.group()))
        elif group == "abbr":
            w = _word(m.group().replace(".", ""))
            if w:
                append(w)
    return out
