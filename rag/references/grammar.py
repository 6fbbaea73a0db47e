"""Clause ids in question text: the many ways people write a clause, read as the chunker's ids.

Canonical grammar, all lowercase:

    article N | article N(P) | article N(P)(x)        annex iii | annex iii(4) | annex iii(4)(a)
    recital N | chapter ii | part 1                   section 4 | section 4.2 | section 4.2(b)(i)
    govern 6 | govern 6.1 | map 1.1 | measure 2.3 | manage 4          item N | paragraph N

Numbered top-level items (Hiroshima principles and actions, communiqué and resolution paragraphs)
are tagged with both `item N` and `paragraph N`, so "action 7" → `item 7` and "para 38" →
`paragraph N` both land. OECD principles are numbered sections (1.1–2.5) → `section 1.4`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from rag.text.clauses import ROMAN_LOWER, int_to_roman, roman_to_int

# Credit per level of ancestry: a chunk of Article 5(1) answers half of a question on 5(1)(f).
ANCESTOR_CREDIT = 0.5

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
    rf"""{_B}annex(?:es)?{_E}\s*(?P<n>{ROMAN_LOWER}|[0-9]{{1,2}}){_E}(?P<subs>(?:{_SUB})*)
        (?:\s*,?\s*(?:(?:point|section|paragraph|item){_E}|no\.)\s*\(?(?P<pp>[0-9]{{1,2}})\)?{_E}
           (?P<subs2>(?:{_SUB})*))?
        (?:\s*,?\s*{_POINT_KW}\s*\(?\s*(?P<pt>[a-z])\s*\)(?![^\W_]))?""",
    re.VERBOSE,
)
# "point 5(b) of Annex III", "paragraph 4 of Annex III"
_ANNEX_REVERSED = re.compile(
    rf"""{_B}(?:points?|paragraphs?|sections?|items?){_E}\s*\(?(?P<pp>[0-9]{{1,2}})\)?(?P<subs2>(?:{_SUB})*)
        \s*,?\s*(?:of|in)\s+(?:the\s+)?{_B}annex{_E}\s*(?P<n>{ROMAN_LOWER}|[0-9]{{1,2}}){_E}""",
    re.VERBOSE,
)
_ANNEX_MORE = re.compile(rf"{_SEP}(?:annex\s*)?(?P<n>{ROMAN_LOWER}|[0-9]{{1,2}}){_E}(?P<subs>(?:{_SUB})*)")

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
_CHAPTER = re.compile(rf"{_B}chapters?{_E}\s*(?P<n>{ROMAN_LOWER}|[0-9]{{1,2}}){_E}")
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


def find_refs(text: str, oecd_named: bool) -> tuple[str, ...]:
    """Canonical clause ids in normalized question text, most specific first, then in order of mention.

    With an OECD document named, "principle 1.4" and "principle 2" are its numbered sections.
    """
    return _order_refs(_find_refs(text, oecd_named))


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
