"""What a question points at: clause ids ("article 5(1)(f)") and documents ("the AI Act").

The chunker tags every chunk with canonical structural ids (`refs`); this module turns the many ways
people write a clause into the same ids, so retrieval can rank the chunk that *is* Article 50(2)
above chunks that merely talk about transparency. Canonical grammar, all lowercase:

    article N | article N(P) | article N(P)(x)        annex iii | annex iii(4) | annex iii(4)(a)
    recital N | chapter ii | part 1                   section 4 | section 4.2 | section 4.2(b)(i)
    govern 6 | govern 6.1 | map 1.1 | measure 2.3 | manage 4          item N | paragraph N

Numbered top-level items (Hiroshima principles and actions, communiqué and resolution paragraphs)
are tagged with both `item N` and `paragraph N`, so "action 7" → `item 7` and "para 38" →
`paragraph N` both land. OECD principles are numbered sections (1.1–2.5) → `section 1.4`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.text.tokenize import normalize

__all__ = [
    "DocAlias",
    "QueryRefs",
    "doc_aliases_from_manifest",
    "int_to_roman",
    "parse_query",
    "ref_ancestors",
    "ref_score",
    "roman_to_int",
]

# Credit per level of ancestry: a chunk of Article 5(1) answers half of a question on 5(1)(f).
ANCESTOR_CREDIT = 0.5


@dataclass(frozen=True)
class DocAlias:
    doc_id: str
    names: tuple[str, ...]  # title, short_title, aliases


@dataclass(frozen=True)
class QueryRefs:
    refs: tuple[str, ...] = ()  # canonical ids named in the question, most specific first
    doc_ids: tuple[str, ...] = ()  # documents the question names, in order of mention


# --- roman numerals ----------------------------------------------------------------------------
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]  # fmt: skip
_ROMAN_VALUE = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def int_to_roman(n: int) -> str:
    """Lowercase roman numeral; '' for n <= 0."""
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def roman_to_int(s: str) -> int | None:
    """Value of a well-formed roman numeral (any case), else None: "iiii" and "ic" are not numerals."""
    s = s.lower()
    if not s or any(c not in _ROMAN_VALUE for c in s):
        return None
    total = 0
    for i, c in enumerate(s):
        v = _ROMAN_VALUE[c]
        total += -v if i + 1 < len(s) and _ROMAN_VALUE[s[i + 1]] > v else v
    return total if int_to_roman(total) == s else None


# --- clause patterns ---------------------------------------------------------------------------
# Patterns run on `normalize(question)`: lowercase, straight quotes, NFKC. Each consumed span is
# blanked before the next pattern runs, so "paragraph 1" inside "Article 5 paragraph 1" is not
# also read as a stand-alone `paragraph 1`.
_SUB = r"\s*\(\s*(?:[0-9]{1,3}|[a-z]{1,2}|[ivxl]{1,5})\s*\)"  # (1) (f) (aa) (iv)
_SUB_ITEM = re.compile(r"\(\s*([0-9a-z]+)\s*\)")
_B = r"(?<![^\W_])"  # no letter/digit just before
_E = r"(?![^\W_])"  # no letter/digit just after
_SEP = r"\s*(?:,|and|or|&|/)\s*"  # separators in "articles 5, 6 and 7"

_ART_KW = rf"{_B}(?:articles?{_E}|arts?\.|arts?{_E})"
_PARA_KW = rf"(?:{_B}(?:paragraphs?{_E}|paras?(?:\.|{_E})|pars?\.)|¶¶?)"
_POINT_KW = rf"{_B}(?:points?|letters?|pts?)(?:\.|{_E})"

# "point (f) of paragraph 1 of Article 5", "point (f) of Article 5(1)", "paragraph 2 of Article 50"
_ART_REVERSED = re.compile(
    rf"""(?:{_POINT_KW}\s*\(?\s*(?P<pt>[a-z]{{1,2}})\s*\)?\s*,?\s*(?:of|in)\s+)?
        (?:{_PARA_KW}\s*\(?\s*(?P<pp>[0-9]{{1,3}})\s*\)?\s*,?\s*(?:of|in)\s+)?
        {_ART_KW}\s*(?P<n>[0-9]{{1,3}})(?P<subs>(?:{_SUB})*){_E}""",
    re.VERBOSE,
)
# "Article 5(1)(f)", "Art. 5 (1) (f)", "Article 5 paragraph 1 point (f)", "Article 5(1), point (f)"
_ART = re.compile(
    rf"""{_ART_KW}\s*(?:no\.?\s*)?(?P<n>[0-9]{{1,3}})(?P<subs>(?:{_SUB})*){_E}
        (?:\s*,?\s*{_PARA_KW}\s*\(?\s*(?P<pp>[0-9]{{1,3}})\s*\)?{_E})?
        (?:\s*,?\s*(?:(?:first|second|third|fourth|fifth)\s+subparagraph\s*,?\s*)?
            {_POINT_KW}\s*\(?\s*(?P<pt>[a-z]{{1,2}})\s*\)(?![^\W_]))?""",
    re.VERBOSE,
)
_ART_MORE = re.compile(rf"{_SEP}(?:{_ART_KW}\s*)?(?P<n>[0-9]{{1,3}})(?P<subs>(?:{_SUB})*){_E}")

# "Annex III", "Annex III point 4", "Annex III, point 4(a)", "annex iii(4)(a)", "Annex 3"
_ANNEX = re.compile(
    rf"""{_B}annex(?:es)?{_E}\s*(?P<n>[ivxl]+|[0-9]{{1,2}}){_E}(?P<subs>(?:{_SUB})*)
        (?:\s*,?\s*(?:(?:point|section|paragraph|item){_E}|no\.)\s*\(?(?P<pp>[0-9]{{1,2}})\)?{_E}
           (?P<subs2>(?:{_SUB})*))?
        (?:\s*,?\s*{_POINT_KW}\s*\(?\s*(?P<pt>[a-z])\s*\)(?![^\W_]))?""",
    re.VERBOSE,
)
# "point 5(b) of Annex III", "paragraph 4 of Annex III"
_ANNEX_REVERSED = re.compile(
    rf"""{_B}(?:points?|paragraphs?|sections?|items?){_E}\s*\(?(?P<pp>[0-9]{{1,2}})\)?(?P<subs2>(?:{_SUB})*)
        \s*,?\s*(?:of|in)\s+(?:the\s+)?{_B}annex{_E}\s*(?P<n>[ivxl]+|[0-9]{{1,2}}){_E}""",
    re.VERBOSE,
)
_ANNEX_MORE = re.compile(rf"{_SEP}(?:annex\s*)?(?P<n>[ivxl]+|[0-9]{{1,2}}){_E}(?P<subs>(?:{_SUB})*)")

# "section 4.2(b)(i)", "Sec. 4.2", "§ 4.2", "§4.2"
_SECTION = re.compile(
    rf"(?:{_B}(?:sections?{_E}|secs?\.|secs?{_E})|§§?)\s*(?:no\.?\s*)?(?P<n>[0-9]{{1,3}}(?:\.[0-9]{{1,3}})*)"
    rf"(?![0-9]|\.[0-9])(?P<subs>(?:{_SUB})*)"
)
_SECTION_MORE = re.compile(
    rf"{_SEP}(?:§\s*)?(?P<n>[0-9]{{1,3}}(?:\.[0-9]{{1,3}})*)(?![0-9]|\.[0-9])(?P<subs>(?:{_SUB})*)"
)

# NIST AI RMF functions: "GOVERN 6", "Govern 6.1", "MAP 1.1", "measure 2.3", "MANAGE 4"
_NIST = re.compile(
    rf"{_B}(?P<fn>govern|map|measure|manage){_E}\s*(?P<n>[0-9]{{1,2}}(?:\.[0-9]{{1,2}})?)(?![0-9]|\.[0-9])"
)

# "action 7", "principle 9", "item 3", "commitment 2"; "principle 1.4(b)" (OECD)
_ITEM = re.compile(
    rf"{_B}(?P<kw>items?|actions?|principles?|commitments?){_E}\s*(?:no\.?\s*|number\s*|#\s*)?"
    rf"\(?\s*(?P<n>[0-9]{{1,3}}(?:\.[0-9]{{1,3}})?)(?![0-9]|\.[0-9])\s*\)?(?P<subs>(?:{_SUB})*)"
)
_ITEM_MORE = re.compile(
    rf"{_SEP}(?P<n>[0-9]{{1,3}}(?:\.[0-9]{{1,3}})?)(?![0-9]|\.[0-9])(?P<subs>(?:{_SUB})*)"
)

# "paragraph 38", "para 38", "para. 38", "¶ 38", "paragraph (38)"
_PARAGRAPH = re.compile(
    rf"{_PARA_KW}\s*(?:no\.?\s*)?\(?\s*(?P<n>[0-9]{{1,3}})\s*\)?{_E}(?P<subs>(?:{_SUB})*)"
)
_NUMBER_MORE = re.compile(rf"{_SEP}\(?\s*(?P<n>[0-9]{{1,3}})\s*\)?{_E}")

_RECITAL = re.compile(rf"{_B}recitals?{_E}\s*(?:no\.?\s*)?\(?\s*(?P<n>[0-9]{{1,3}})\s*\)?{_E}")
_CHAPTER = re.compile(rf"{_B}chapters?{_E}\s*(?P<n>[ivxl]+|[0-9]{{1,2}}){_E}")
_PART = re.compile(rf"{_B}part{_E}\s*(?P<n>[0-9]{{1,2}}|[ivx]+){_E}")


def _subs(text: str | None) -> list[str]:
    return _SUB_ITEM.findall(text or "")


def _levels(ident: str, levels: Sequence[str], limit: int = 2) -> str:
    """`5` + [1, f] → `5(1)(f)`; levels past the grammar's depth are dropped, not guessed."""
    return ident + "".join(f"({x})" for x in list(levels)[:limit])


def _roman(token: str) -> str | None:
    if token.isdigit():
        n = int(token)
        return int_to_roman(n) if 0 < n < 40 else None
    return token if roman_to_int(token) else None


_Builder = Callable[[re.Match[str]], "str | None"]


@dataclass
class _Found:
    start: int
    ref: str


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with the (sorted, disjoint) spans replaced by spaces: offsets stay valid."""
    parts, pos = [], 0
    for start, end in spans:
        parts += [text[pos:start], " " * (end - start)]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


_PLURAL_HEAD = re.compile(r"(?:s\.?|§§|¶¶)\s*(?:no\.?\s*)?\(?\s*$")


def _scan(
    text: str, pattern: re.Pattern[str], more: re.Pattern[str] | None
) -> Iterator[tuple[int, int, re.Match[str]]]:
    """Matches of `pattern`; after a plural keyword also the list that follows ("articles 5, 6 and 7")."""
    for m in pattern.finditer(text):
        yield m.start(), m.end(), m
        if more is None or not _PLURAL_HEAD.search(text, m.start(), m.start("n")):
            continue
        end = m.end()
        while nxt := more.match(text, end):
            yield nxt.start(), nxt.end(), nxt
            end = nxt.end()


def _find_refs(text: str, oecd_named: bool) -> list[_Found]:
    found: list[_Found] = []

    def take(pattern: re.Pattern[str], more: re.Pattern[str] | None, build: _Builder) -> None:
        nonlocal text
        spans = []
        for start, end, m in _scan(text, pattern, more):
            ref = build(m)
            if ref:
                found.append(_Found(start, ref))
                spans.append((start, end))
        text = _blank(text, spans)

    def article(m: re.Match[str]) -> str:
        gd = m.groupdict()
        levels = _subs(gd.get("subs"))
        if gd.get("pp") and not levels:
            levels.append(gd["pp"])
        if gd.get("pt") and len(levels) == 1:
            levels.append(gd["pt"])  # a point without its paragraph has no place in the grammar
        return "article " + _levels(m.group("n"), levels)

    def annex(m: re.Match[str]) -> str | None:
        gd = m.groupdict()
        num = _roman(m.group("n"))
        if num is None:
            return None
        levels = _subs(gd.get("subs"))
        if gd.get("pp") and not levels:
            levels = [gd["pp"], *_subs(gd.get("subs2"))]
        if gd.get("pt") and len(levels) == 1:
            levels.append(gd["pt"])
        return "annex " + _levels(num, levels)

    def section(m: re.Match[str]) -> str:
        return "section " + _levels(m.group("n"), _subs(m.group("subs")))

    def item(m: re.Match[str]) -> str:
        gd = m.groupdict()
        n = m.group("n")
        kw = gd.get("kw") or ""
        if "." in n or (oecd_named and kw.startswith("principle")):
            return "section " + _levels(n, _subs(gd.get("subs")))
        return f"item {n}"

    def chapter(m: re.Match[str]) -> str | None:
        num = _roman(m.group("n"))
        return f"chapter {num}" if num else None

    def part(m: re.Match[str]) -> str | None:
        n = m.group("n")
        value = int(n) if n.isdigit() else roman_to_int(n)
        return f"part {value}" if value else None

    # Only when it did reorder something; a plain "articles 5 and 6" is left to _ART and its list.
    take(_ART_REVERSED, None, lambda m: article(m) if m.group("pt") or m.group("pp") else None)
    take(_ART, _ART_MORE, article)
    take(_ANNEX_REVERSED, None, annex)
    take(_ANNEX, _ANNEX_MORE, annex)
    take(_SECTION, _SECTION_MORE, section)
    take(_NIST, None, lambda m: f"{m.group('fn')} {m.group('n')}")
    take(_ITEM, _ITEM_MORE, item)
    take(
        _PARAGRAPH,
        _NUMBER_MORE,
        lambda m: "paragraph " + _levels(m.group("n"), _subs(m.groupdict().get("subs"))),
    )
    take(_RECITAL, _NUMBER_MORE, lambda m: f"recital {m.group('n')}")
    take(_CHAPTER, None, chapter)
    take(_PART, None, part)
    return found


def _order_refs(found: list[_Found]) -> tuple[str, ...]:
    """Most specific first (deepest), then in the order the question names them; no duplicates."""
    seen: dict[str, tuple[int, int]] = {}
    for f in found:
        if f.ref not in seen:
            seen[f.ref] = (-len(ref_ancestors(f.ref)), f.start)
    return tuple(sorted(seen, key=seen.__getitem__))


# --- document names ----------------------------------------------------------------------------
_ABBR = re.compile(r"(?<![^\W_])(?:[a-z]\.){2,}")  # e.u. u.s. e.o.
_POSSESSIVE = re.compile(r"'s(?![^\W_])")
_NOT_KEY = re.compile(r"[^\w/]+|_+")
_STRAY_SLASH = re.compile(r"(?<![^\W_])/|/(?![^\W_])")
_ACRONYM = re.compile(r"(?<![\w/])[A-Za-z]{3,6}(?![\w/])")
_NUMERIC_ID = re.compile(r"(?<![\w/])(?:[0-9]+/[0-9]+|[0-9]{5,})(?![\w/])")
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")
_DROP_WORDS = frozenset({"the"})


def _key(text: str) -> str:
    """Comparable form of a name or question: words joined by single spaces, padded with spaces.

    Tolerates what people vary: case, accents, curly/straight apostrophes and possessives
    ("Leaders' Statement", "Japan's"), "the", and dotted abbreviations ("E.U." = "EU").
    """
    text = normalize(text)
    text = _ABBR.sub(lambda m: m.group().replace(".", ""), text)
    text = _POSSESSIVE.sub("", text).replace("'", "")
    text = _STRAY_SLASH.sub(" ", _NOT_KEY.sub(" ", text))
    words = [w for w in text.split() if w not in _DROP_WORDS]
    return " " + " ".join(words) + " " if words else ""


def _name_variants(name: str) -> set[str]:
    variants = {_key(name)}
    stripped = _PARENTHETICAL.sub("", name)  # "Japan's AI Diplomacy (The Diplomat)"
    if stripped and stripped != name:
        variants.add(_key(stripped))
    # "EU AI Act" is also asked as "AI Act"
    variants |= {v.replace(" eu ", " ", 1) for v in variants if " eu " in v}
    return {v for v in variants if len(v.strip()) >= 3}


def _derived_names(names: Sequence[str]) -> set[str]:
    """Acronyms used in two or more of a document's names (OECD, NIST, RMF, UNGA, CETS) and
    distinctive numbers (14110, 2024/1689, 78/265): people name documents by these alone."""
    out: set[str] = set()
    counts: dict[str, int] = {}
    for name in names:
        for a in {m.group() for m in _ACRONYM.finditer(name) if sum(c.isupper() for c in m.group()) >= 2}:
            counts[a.lower()] = counts.get(a.lower(), 0) + 1
        for m in _NUMERIC_ID.finditer(name):
            out.add(f" {m.group()} ")
    out.update(f" {a} " for a, n in counts.items() if n >= 2)
    return out


class _DocMatcher:
    """Longest-alias-wins matching of document names inside a question."""

    def __init__(self, docs: Sequence[DocAlias]) -> None:
        per_doc: dict[str, set[str]] = {}
        for d in docs:
            keys = per_doc.setdefault(d.doc_id, set())
            for name in d.names:
                keys |= _name_variants(name)
            keys |= _derived_names(d.names)
        # A name that also occurs inside another document's name ("G7 Leaders' Statement" inside
        # "G7 Leaders' Statement on the Hiroshima AI Process") cannot tell the two apart: drop it,
        # and let the longer name win when it is spelled out.
        self.names: list[tuple[str, str]] = []
        for doc_id, keys in per_doc.items():
            others = [k for other, ks in per_doc.items() if other != doc_id for k in ks]
            for k in keys:
                if not any(k in o for o in others):
                    self.names.append((k, doc_id))
        self.names.sort(key=lambda kd: (-len(kd[0]), kd[0], kd[1]))
        self.oecd_ids = frozenset(
            doc_id for doc_id, keys in per_doc.items() if any(" oecd " in k for k in keys)
        )

    def match(self, question: str) -> tuple[str, ...]:
        q = _key(question)
        if not q:
            return ()
        taken = bytearray(len(q))  # 1 where a longer name already matched
        hits: list[tuple[int, str]] = []
        for name, doc_id in self.names:  # longest first
            start = q.find(name)
            while start != -1:
                a, b = start + 1, start + len(name) - 1  # inside the padding spaces, which names share
                if taken.find(1, a, b) == -1:
                    taken[a:b] = b"\x01" * (b - a)
                    hits.append((start, doc_id))
                start = q.find(name, start + 1)
        ordered: dict[str, None] = {}
        for _, doc_id in sorted(hits):
            ordered.setdefault(doc_id, None)
        return tuple(ordered)


@lru_cache(maxsize=16)
def _cached_matcher(docs: tuple[DocAlias, ...]) -> _DocMatcher:
    return _DocMatcher(docs)


def _matcher(docs: Sequence[DocAlias]) -> _DocMatcher:
    try:
        return _cached_matcher(tuple(docs))
    except TypeError:  # names given as a list: unhashable, build afresh
        return _DocMatcher(docs)


# --- public API --------------------------------------------------------------------------------
def parse_query(question: str, docs: Sequence[DocAlias]) -> QueryRefs:
    """Clause ids and documents named in a question."""
    matcher = _matcher(docs)
    doc_ids = matcher.match(question)
    oecd_named = any(d in matcher.oecd_ids for d in doc_ids)
    refs = _order_refs(_find_refs(normalize(question), oecd_named))
    return QueryRefs(refs=refs, doc_ids=doc_ids)


def ref_ancestors(ref: str) -> tuple[str, ...]:
    """Enclosing ids, nearest first: `section 4.2(b)(i)` → 4.2(b), 4.2, 4; `govern 6.1` → govern 6."""
    kind, _, ident = ref.partition(" ")
    out = []
    while ident.endswith(")") and "(" in ident:
        ident = ident[: ident.rindex("(")]
        out.append(f"{kind} {ident}")
    while "." in ident:
        ident = ident[: ident.rindex(".")]
        out.append(f"{kind} {ident}")
    return tuple(out)


def _is_within(ref: str, container: str) -> bool:
    return ref.startswith(container) and ref[len(container) : len(container) + 1] in ("(", ".")


def ref_score(query_refs: Sequence[str], chunk_refs: Collection[str]) -> float:
    """How squarely a chunk sits on the clauses a question names.

    1.0 when the chunk carries a named clause or lies inside it (a chunk of Article 5(1) answers a
    question on Article 5); ANCESTOR_CREDIT per level when it only carries an enclosing clause
    (Article 5(1) for a question on 5(1)(f): 0.5; Article 5: 0.25); 0 otherwise. A query ref that
    merely encloses another query ref ("Article 5, point 5(1)(f)") is context, not a target.
    """
    if not query_refs or not chunk_refs:
        return 0.0
    targets = [q for q in query_refs if not any(o != q and _is_within(o, q) for o in query_refs)]
    best = 0.0
    for q in targets:
        if q in chunk_refs or any(_is_within(c, q) for c in chunk_refs):
            return 1.0
        for distance, anc in enumerate(ref_ancestors(q), start=1):
            if anc in chunk_refs:
                best = max(best, ANCESTOR_CREDIT**distance)
                break
    return best


def doc_aliases_from_manifest(manifest_path: Path) -> list[DocAlias]:
    """One DocAlias per manifest entry: doc_id is the file name without `.md`."""
    entries = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    out = []
    for e in entries:
        file = str(e.get("file") or "")
        if not file:
            continue
        doc_id = file[:-3] if file.endswith(".md") else Path(file).stem
        raw = [e.get("title"), e.get("short_title"), *(e.get("aliases") or [])]
        names = tuple(dict.fromkeys(str(n).strip() for n in raw if n and str(n).strip()))
        out.append(DocAlias(doc_id=doc_id, names=names))
    return out
