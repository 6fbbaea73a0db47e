"""Structure-aware chunking for policy and legal text.

``chunk_document`` follows the document's own structure (markdown headings, articles,
numbered paragraphs, lettered and roman points, EO sections, NIST categories, numbered
principles and paragraphs) and packs it into chunks of ``min_words``..``max_words`` words.

How it works
------------
1. *Blocks*: the text is cut into heading lines and body paragraphs.  Besides markdown
   headings, a few stand-alone lines act as headings: a short numbered title line
   (``1.1 Understanding ...`` in NIST), ``Section A`` lines inside annexes and, in documents
   with no markdown heading below the title (communiqués, statements), a bold-only line
   (``**Ukraine**``) that does not end in ``:``.  A ``#`` line that is really body text (ends
   in ``,``/``;`` or starts in lower case) is treated as body.
2. *Structure*: headings are nested by kind (Part > Chapter/Annex/Sec. > EU Section > Article,
   dotted numbers by depth), unnumbered and numbered-item headings by markdown level.  Body
   paragraphs are nested by label style with a stack: ``1.``, ``(a)``, ``(i)``, ``(A)``,
   ``(1)``, ``a)``, ``i.``, CoE's bare ``1``/``a``, NIST ``GOVERN 1``/``GOVERN 1.1``.  A label
   that is both a letter and a roman numeral (``(i)``, ``(v)``, ``(x)``) is read as the letter when
   it continues the letter sequence, as the numeral when it continues the roman one, and for
   ``(i)`` right after ``(h)`` by looking ahead for ``(ii)`` (roman) or ``(j)`` (letter).
   In legal texts (documents with articles or ``Sec.`` sections) an unlabelled paragraph after
   labelled points belongs to the top-level point (the "subparagraph" convention); elsewhere
   it ends the list.  Bullets belong to the paragraph before them.  The OECD's operative
   paragraphs ``I.``/``II.`` always start a new top-level list.
3. *Atoms*: sentences (``rag.text.sentences.sentence_spans``) of body paragraphs and whole
   heading lines.  A chunk is a run of consecutive atoms, so no chunk ever cuts a sentence.
4. *Segmentation*: dynamic programming over atom boundaries.  Cutting at a heading is free,
   between sibling points cheap (cheaper the shallower), between paragraphs of one unit
   dearer, inside a paragraph (between sentences) dearest, and right after a heading almost
   forbidden; crossing into a new heading inside a chunk costs by heading kind.  Chunk sizes
   below ``min_words`` pay a small penalty, below ~40 words a large one; above ``max_words`` is
   only allowed for a single over-long sentence (with its headings).  The cheapest
   segmentation keeps whole structural units together, merges short sibling points and splits
   at the deepest boundary that keeps chunks in range.

Chunk text is ``text[start:end]`` and includes the heading lines that open it; between two
chunks there is only whitespace.  Heading lines are therefore never lost either.

Section paths
-------------
``section`` is the heading path joined by `` › ``, starting with the short title: numbered
headings show their label only (``Chapter II``, ``Article 5``, ``Sec. 4``, ``4.2``, ``Annex III``,
``Part 1``, ``7``), unnumbered ones their text cut to 60 characters.  The last element names
the points: ``1(f)``, ``(b)(i)``, ``GOVERN 1.1``, ``Recital 12``, or a range ``1(e)–(g)``,
``Article 3–4`` when the chunk spans several units.

Canonical reference ids (``Chunk.refs``)
----------------------------------------
Lower-case ids for every structural unit with text in the chunk, plus all its ancestors, in
document order.  The grammar (shared with the question parser):

* ``article N``, ``article N(P)``, ``article N(P)(x)``, deeper points append: ``article 5(1)(h)(iii)``;
  a point directly under an article: ``article 3(12)`` (EU definitions), ``article 23(2)(a)`` (CoE).
* ``annex iii``, ``annex iii(4)``, ``annex iii(4)(a)``; dotted annex points ``annex vii(3.1)``.
* ``recital N`` (numbered ``(N)`` paragraphs of a preamble before the first heading of a
  document that has articles).
* ``chapter ii`` (roman lower case, as printed), ``part 1``, ``appendix a``.
* ``section 4``, ``section 4.2``, ``section 4.2(b)``, ``section 4.2(b)(i)`` (EO 14110 ``Sec. 4.``,
  OECD ``Section 1:`` and ``1.4.`` headings, e.g. OECD principle 1.4(b) -> ``section 1.4(b)``).
  In a document with dotted section numbers (NIST ``1.2.1``), its ``## 1.`` headings are
  ``section 1`` too.
* ``govern 6``, ``govern 6.1``, ``map 1.1``, ``measure 2.3``, ``manage 4`` (NIST categories and
  subcategories; flat, no ancestors of their own).
* Bare numbered top-level items (``## 7.`` principles/actions, numbered paragraphs of a
  communiqué or resolution, Japan guidelines ``1)`` items): both ``item N`` and
  ``paragraph N``; their points append: ``item 4(a)``, ``paragraph 4(a)``.  Numbered body
  paragraphs only get these ids when no numbered heading is open above them (a list under
  ``## E.`` has no id of its own).
* Letters are lower-cased (``(A)`` -> ``(a)``).  No ids for: anything inside a
  "Notes"/"Footnotes" heading, EU chapter sections (``SECTION 1``), lettered headings
  (``## A.``), ``(1)``-style headings, the OECD's ``I.``/``II.`` paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rag.text.sentences import sentence_spans

__all__ = ["Chunk", "chunk_document"]

PATH_SEPARATOR = " › "
RANGE_DASH = "–"
_UNNUMBERED_LABEL_CHARS = 60


@dataclass(frozen=True)
class Chunk:
    text: str  # exactly doc_text[start:end]
    start: int
    end: int
    section: str  # heading path joined by " › ", first element = the document's short title
    refs: tuple[str, ...]  # canonical structural references contained in this chunk
    seq: int  # 0-based position in the document
    words: int


# --------------------------------------------------------------------------- structure nodes


@dataclass(eq=False)
class _Node:
    kind: str  # "root", "heading" or "item"
    style: str
    label: str
    refs: tuple[str, ...] = ()
    # Prefixes that child points append "(x)" to; empty when children get no ids from here.
    child_prefixes: tuple[str, ...] = ()
    weight: float = 0.0  # cost of letting a chunk run into this heading
    rank: int = 0  # heading nesting: a heading closes open headings of equal or higher rank
    hashes: int = 0
    weak: bool = False
    notes: bool = False
    standalone: bool = False  # label replaces the parent's in a path ("3.1", "GOVERN 1.1")


@dataclass
class _Block:
    start: int
    end: int
    heading: bool
    hashes: int = 0
    text: str = ""  # heading text (markup stripped) or the first line of a body block


@dataclass
class _Atom:
    start: int
    end: int
    words: int
    heading: bool
    block: int
    headings: tuple[_Node, ...]  # heading nodes, root first
    items: tuple[_Node, ...] = ()
    weight: float = 0.0  # heading atoms: cost of merging across into them
    bullet: bool = False


# --------------------------------------------------------------------------- public entry


def chunk_document(text: str, short_title: str, *, min_words: int = 150, max_words: int = 350) -> list[Chunk]:
    """Split a cleaned document into structure-aware chunks (see the module docstring).

    Returns an empty list for a document without text.  ``min_words`` is clamped to
    ``max_words``; a ``max_words`` below 1 raises ``ValueError``.
    """
    if max_words < 1:
        raise ValueError("max_words must be positive")
    min_words = max(0, min(min_words, max_words))
    blocks = _split_blocks(text)
    if not blocks:
        return []
    atoms = _Structurer(text, blocks, short_title).atoms()
    if not atoms:
        return []
    bounds = _segment(atoms, min_words, max_words)
    return [_make_chunk(text, atoms[i:j], seq, short_title) for seq, (i, j) in enumerate(bounds)]


# --------------------------------------------------------------------------- blocks

_MD_HEADING = re.compile(r"(#{1,6})(?=\s|$)(.*)")
_DOTTED_TITLE = re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\.?[ \t]+([A-Z][^\n]*)")
_SECTION_LINE = re.compile(r"(?:Section|SECTION)[ \t]+([A-Z]|\d{1,2})\b(?:[ \t]*[.:—–-])?[ \t]*([^\n]*)")
_BULLET = re.compile(r"[-•‒–—*·▪◦][ \t]")
_NEW_BLOCK_LINE = re.compile(
    r"""(?:
        [-•‒–—*·▪◦][ \t]
      | \(\s?\d{1,3}\s?\)[ \t] | \([A-Za-z]{1,5}\)[ \t]
      | \d{1,3}(?:\.\d{1,3})*[.)](?:[ \t]|$)
      | [A-Za-z]{1,5}[.)][ \t]
      | \d{1,2}[ \t]+[A-Z] | [a-z][ \t]+\S
      | \[\d{1,4}\] | \*\*
    )""",
    re.VERBOSE,
)
_TERMINAL_END = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")


def _split_blocks(text: str) -> list[_Block]:
    """Cut the text into heading lines and body paragraphs (offsets exclude surrounding space)."""
    blocks: list[_Block] = []
    body: _Block | None = None
    prev_line = ""
    pos = 0
    length = len(text)
    while pos <= length:
        newline = text.find("\n", pos)
        line_end = length if newline == -1 else newline
        line = text[pos:line_end]
        stripped = line.strip()
        if not stripped:
            body = None
        else:
            lead = len(line) - len(line.lstrip())
            start, end = pos + lead, pos + len(line.rstrip())
            heading = _MD_HEADING.match(stripped)
            if heading and not _is_body_like_heading(heading.group(2).strip(), blocks, body):
                body = None
                blocks.append(_Block(start, end, True, len(heading.group(1)), heading.group(2).strip()))
            elif body is not None and not _starts_new_block(stripped, prev_line):
                body.end = end
            else:
                body = _Block(start, end, False, text=stripped)
                blocks.append(body)
        prev_line = stripped
        if newline == -1:
            break
        pos = newline + 1
    # Converters that produced no markdown headings below the title kept section titles as
    # bold lines; where real headings exist, bold lines are emphasis (e.g. an act's title page).
    bold_titles = sum(1 for b in blocks if b.heading) <= 1
    return [_promote_pseudo_heading(b, bold_titles) for b in blocks]


def _is_body_like_heading(heading_text: str, blocks: list[_Block], body: _Block | None) -> bool:
    # A "#" line ending mid-sentence was a body line mis-tagged by the converter.
    if heading_text.endswith((",", ";")):
        return True
    previous_is_heading = body is None and bool(blocks) and blocks[-1].heading
    return heading_text[:1].islower() and not previous_is_heading


def _starts_new_block(line: str, prev_line: str) -> bool:
    return bool(_NEW_BLOCK_LINE.match(line) or _TERMINAL_END.search(prev_line))


def _promote_pseudo_heading(block: _Block, bold_titles: bool) -> _Block:
    """Stand-alone title lines that are not markdown headings still open a section."""
    line = block.text
    if block.heading or block.end - block.start != len(line):
        return block  # already a heading, or a multi-line paragraph
    title = _pseudo_heading_text(line, bold_titles)
    if title is None:
        return block
    return _Block(block.start, block.end, True, 7, title)


def _pseudo_heading_text(line: str, bold_titles: bool) -> str | None:
    if len(line) > 4 and line.startswith("**") and line.endswith("**"):
        title = line.replace("**", "").strip()
        # A bold line ending in ":" introduces a list; "(Text with ...)" is a remark.
        if bold_titles and title and title[0].isupper() and not title.endswith(":"):
            return title if len(title.split()) <= 15 else None
        return None
    dotted = _DOTTED_TITLE.fullmatch(line)
    if dotted and len(line.split()) <= 12 and not line.endswith((".", ":", ";", ",")):
        return line
    section = _SECTION_LINE.fullmatch(line)
    if section and len(line.split()) <= 25 and not line.endswith((".", ":", ";", ",")):
        return line
    return None


# --------------------------------------------------------------------------- heading kinds


@dataclass(frozen=True)
class _HeadingSpec:
    style: str
    label: str
    number: str = ""
    rank: int = 0  # 0: rank decided by context (weak or unnumbered headings)
    weight: float = 8.0
    weak: bool = True
    unnumbered: bool = False
    empty_title: bool = False


_ROMAN = r"[IVXLC]+"
_HEADING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", re.compile(rf"(?:Part|PART)[ \t]+(\d+|{_ROMAN})\b[.:]?[ \t]*(.*)")),
    ("chapter", re.compile(rf"(?:Chapter|CHAPTER)[ \t]+({_ROMAN}|\d+)\b[.:]?[ \t]*(.*)")),
    ("annex", re.compile(rf"(?:Annex|ANNEX)[ \t]+({_ROMAN}|\d+|[A-Z])\b[.:]?[ \t]*(.*)")),
    ("appendix", re.compile(r"(?:Appendix|APPENDIX)[ \t]+([A-Z]|\d+)\b[.:]?[ \t]*(.*)")),
    ("article", re.compile(r"(?:Article|ARTICLE)[ \t]+(\d+[a-z]?)(?:[ \t]*$|[ \t]*[—–:.-][ \t]*(.*))")),
    ("eu-section", re.compile(r"(?:SECTION[ \t]+(\d+)\b|Section[ \t]+(\d+)[ \t]+[—–-])[ \t—–-]*(.*)")),
    ("sec", re.compile(r"(?:Sec\.|Section|SECTION)[ \t]*(\d+)\.(?:[ \t]+(.*)|$)")),
    ("oecd-section", re.compile(r"(?:Section|SECTION)[ \t]+(\d+)[ \t]*:[ \t]*(.*)")),
    ("dotted", re.compile(r"(\d{1,2}(?:\.\d{1,2})+)\.?(?:[ \t]+(.*)|$)")),
    ("h-num-dot", re.compile(r"(\d{1,3})\.[ \t]*(\S.*|$)")),
    ("h-num-paren", re.compile(r"(\d{1,3})\)[ \t]*(.*)")),
    ("h-paren-num", re.compile(r"\((\d{1,3})\)[ \t]*(.*)")),
    ("h-letter-dot", re.compile(r"([A-Z])\.[ \t]+(.*)")),
    ("h-roman-dot", re.compile(rf"({_ROMAN})\.[ \t]+(.*)")),
    ("h-section", re.compile(r"(?:Section|SECTION)[ \t]+([A-Z]|\d{1,2})\b[.:—–-]?[ \t]*(.*)")),
)
_NOTES_TITLE = re.compile(r"\b(?:foot ?notes?|notes|endnotes)\b", re.IGNORECASE)


def _heading_spec(title: str) -> _HeadingSpec:
    title = title.replace("**", "").strip()
    if not title:
        return _HeadingSpec("empty", "", weight=0.0, unnumbered=True)
    for style, pattern in _HEADING_PATTERNS:
        match = pattern.fullmatch(title)
        if match:
            number = next(g for g in match.groups() if g is not None)
            rest = (match.groups()[-1] or "").strip(" \t:.—–-")
            return _numbered_spec(style, number, rest)
    return _HeadingSpec("unnumbered", _shorten(title), unnumbered=True)


def _numbered_spec(style: str, number: str, rest: str) -> _HeadingSpec:
    empty = not rest
    if style == "part":
        return _HeadingSpec(style, f"Part {number}", number, 10, 40.0, False, empty_title=empty)
    if style in ("chapter", "annex", "appendix"):
        word = style.capitalize()
        rank = 20 if style == "chapter" else 10
        return _HeadingSpec(style, f"{word} {number}", number, rank, 30.0, False, empty_title=empty)
    if style == "article":
        return _HeadingSpec(style, f"Article {number}", number, 40, 20.0, False, empty_title=empty)
    if style == "eu-section":
        return _HeadingSpec(style, f"Section {number}", number, 30, 25.0, False, empty_title=empty)
    if style == "sec":
        return _HeadingSpec(style, f"Sec. {number}", number, 20, 30.0, False, empty_title=empty)
    if style == "oecd-section":
        return _HeadingSpec("sec", f"Section {number}", number, 20, 30.0, False, empty_title=empty)
    if style == "dotted":
        depth = number.count(".")
        return _HeadingSpec(style, number, number, 20 + 10 * depth, 20.0, False, empty_title=empty)
    if style == "h-section":
        return _HeadingSpec(style, f"Section {number}", number, 0, 10.0, True, empty_title=empty)
    return _HeadingSpec(style, number, number, 0, 12.0, True, empty_title=empty)


def _shorten(title: str, limit: int = _UNNUMBERED_LABEL_CHARS) -> str:
    title = re.sub(r"\s+", " ", title.replace("**", "").replace("*", "")).strip().rstrip(":")
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:—–-") + "…"


# --------------------------------------------------------------------------- point labels


@dataclass(frozen=True)
class _Label:
    style: str
    value: int
    display: str
    part: str  # "(x)" piece appended to the parent's reference id
    token: str  # raw label text, for look-ahead comparisons
    strict: bool = False  # needs sequence evidence: bare "1 The" / "a facilitating" styles
    needs_colon: bool = False
    standalone: bool = False
    numeric: bool = False
    nist: str = ""
    continue_only: bool = False


_NIST_CATEGORY = re.compile(r"\*\*(GOVERN|MAP|MEASURE|MANAGE)[ \t]+(\d{1,2}):?\*\*")
_NIST_SUBCATEGORY = re.compile(r"[-•][ \t]+(GOVERN|MAP|MEASURE|MANAGE)[ \t]+(\d{1,2}\.\d{1,2}):")
_LABEL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("paren-num", re.compile(r"\(\s?(\d{1,3})\s?\)(?=\s)")),
    ("paren-lower", re.compile(r"\(([a-z]{1,5})\)(?=\s)")),
    ("paren-upper", re.compile(r"\(([A-Z]{1,5})\)(?=\s)")),
    ("dotted", re.compile(r"(\d{1,3}(?:\.\d{1,3})+)\.?(?=\s)")),
    ("num-dot", re.compile(r"(\d{1,3})\.(?=\s|[A-Z])")),  # "24.We welcome" (typo in the source)
    ("num-comma", re.compile(r"(\d{1,3}),(?=[ \t]+[A-Z])")),  # "11, We are" (typo in the source)
    ("num-paren", re.compile(r"(\d{1,3})\)(?=\s)")),
    ("lower-paren", re.compile(r"([a-z]{1,5})\)(?=\s)")),
    ("lower-dot", re.compile(r"([a-z]{1,5})\.(?=\s)")),
    ("upper-dot", re.compile(r"([A-Z]{1,5})\.(?=\s)")),
    ("num-space", re.compile(r"(\d{1,2})[ \t]+(?=[A-Z])")),
    ("lower-space", re.compile(r"([a-z])[ \t]+(?=\S)")),
)
# Styles that only ever open a top-level list: NIST categories and the OECD's operative
# paragraphs "I. AGREES", "II. RECOMMENDS" (which must not nest under the point before them).
_OUTERMOST_STYLES = frozenset({"nist-cat", "upper-dot/roman", "upper-dot/letter"})
# The reference grammar has no ids for the OECD's operative paragraphs.
_UNREFERENCED_STYLES = frozenset({"upper-dot/roman", "upper-dot/letter"})
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}


def _roman_value(token: str) -> int:
    token = token.lower()
    if not token or any(ch not in "ivx" for ch in token):
        return 0
    total = 0
    for index, ch in enumerate(token):
        value = _ROMAN_VALUES[ch]
        nxt = _ROMAN_VALUES[token[index + 1]] if index + 1 < len(token) else 0
        total += -value if value < nxt else value
    return total if total > 0 and _to_roman(total) == token else 0


def _to_roman(value: int) -> str:
    pairs = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = []
    for number, symbol in pairs:
        while value >= number:
            out.append(symbol)
            value -= number
    return "".join(out)


def _letter_value(token: str) -> int:
    token = token.lower()
    if len(token) == 1 and token.isalpha():
        return ord(token) - 96
    if len(token) == 2 and token[0] == token[1] and token.isalpha():
        return 26 + ord(token[0]) - 96  # (aa), (bb) ... follow (z)
    return 0


def _label_candidates(line: str) -> list[_Label]:
    """All readings of the label opening ``line`` (two for ``(i)``-like tokens)."""
    nist = _NIST_CATEGORY.match(line)
    if nist:
        fn, number = nist.group(1), nist.group(2)
        return [
            _Label(
                "nist-cat",
                int(number),
                f"{fn} {number}",
                "",
                f"{fn} {number}",
                standalone=True,
                nist=f"{fn.lower()} {number}",
            )
        ]
    nist = _NIST_SUBCATEGORY.match(line)
    if nist:
        fn, number = nist.group(1), nist.group(2)
        return [
            _Label(
                "nist-sub",
                int(number.split(".")[1]),
                f"{fn} {number}",
                "",
                f"{fn} {number}",
                standalone=True,
                nist=f"{fn.lower()} {number}",
            )
        ]
    for style, pattern in _LABEL_PATTERNS:
        match = pattern.match(line)
        if match:
            return _readings(style, match.group(1))
    return []


def _readings(style: str, token: str) -> list[_Label]:
    if style in ("paren-num", "num-dot", "num-paren", "num-space", "num-comma"):
        value = int(token)
        display = f"({value})" if style == "paren-num" else str(value)
        if style == "num-comma":
            # Only a mistyped "N." when it continues a numbered list ("10." then "11, We").
            return [
                _Label(
                    "num-dot",
                    value,
                    display,
                    f"({value})",
                    token,
                    strict=True,
                    numeric=True,
                    continue_only=True,
                )
            ]
        return [_Label(style, value, display, f"({value})", token, strict=style == "num-space", numeric=True)]
    if style == "dotted":
        return [_Label(style, 0, token, f"({token})", token, standalone=True)]
    if style == "lower-space":
        return [
            _Label(
                style, _letter_value(token), f"({token})", f"({token})", token, strict=True, needs_colon=True
            )
        ]
    # "A." / "IV." print bare; every other letter or numeral style prints as "(x)".
    display = token if style == "upper-dot" else f"({token})"
    part = f"({token.lower()})"
    readings = []
    letter, roman = _letter_value(token), _roman_value(token)
    if letter:
        # A capital letter and a period also opens ordinary lines ("R. METSOLA"), so that
        # reading needs sequence evidence.
        readings.append(_Label(style + "/letter", letter, display, part, token, strict=style == "upper-dot"))
    if roman:
        readings.append(_Label(style + "/roman", roman, display, part, token))
    return readings


# --------------------------------------------------------------------------- structuring


@dataclass
class _ItemEntry:
    label: _Label
    node: _Node


@dataclass
class _Structurer:
    text: str
    blocks: list[_Block]
    short_title: str
    root: _Node = field(init=False)
    heading_stack: list[_Node] = field(init=False)
    item_stack: list[_ItemEntry] = field(init=False)
    last_items: tuple[_Node, ...] = ()
    prev_body_text: str = ""
    has_articles: bool = False
    has_dotted_sections: bool = False
    legal: bool = False
    specs: list[_HeadingSpec | None] = field(init=False)

    def __post_init__(self) -> None:
        self.root = _Node("root", "root", self.short_title)
        self.heading_stack = [self.root]
        self.item_stack = []
        self.specs = [_heading_spec(b.text) if b.heading else None for b in self.blocks]
        specs = [spec for spec in self.specs if spec is not None]
        self.has_articles = any(s.style == "article" for s in specs)
        self.has_dotted_sections = any(s.style == "dotted" for s in specs)
        self.legal = self.has_articles or any(s.style == "sec" for s in specs)

    # -- driver

    def atoms(self) -> list[_Atom]:
        atoms: list[_Atom] = []
        for index, block in enumerate(self.blocks):
            if block.heading:
                atoms.append(self._heading_atom(index, block))
            else:
                atoms.extend(self._body_atoms(index, block))
        return atoms

    def _heading_atom(self, index: int, block: _Block) -> _Atom:
        weight = self._open_heading(index, block)
        self.item_stack = []
        self.last_items = ()
        return _Atom(
            block.start,
            block.end,
            _count_words(self.text, block.start, block.end),
            True,
            index,
            tuple(self.heading_stack),
            weight=weight,
        )

    def _body_atoms(self, index: int, block: _Block) -> list[_Atom]:
        items, bullet = self._place_body(index, block)
        self.prev_body_text = self.text[block.start : block.end]
        headings = tuple(self.heading_stack)
        atoms = []
        for start, end in sentence_spans(self.text[block.start : block.end]):
            s, e = block.start + start, block.start + end
            atoms.append(
                _Atom(s, e, _count_words(self.text, s, e), False, index, headings, items, bullet=bullet)
            )
        return atoms

    # -- headings

    def _open_heading(self, index: int, block: _Block) -> float:
        """Update the heading stack for a heading block; returns its merge weight."""
        if self._is_title(index, block) or self._continues_previous_heading(index, block):
            return 0.0
        spec = self._spec(index)
        if spec.style == "empty":
            return 0.0
        if spec.unnumbered:
            self._pop_while(lambda top: top.hashes >= block.hashes)
            rank = self.heading_stack[-1].rank + 1
        elif spec.weak:
            rank = self._pop_to_weak_sibling(spec.style, block.hashes)
        else:
            rank = spec.rank
            self._pop_while(lambda top: top.rank >= rank or (top.weak and top.hashes >= block.hashes))
        weight = 6.0 if block.hashes == 7 and spec.unnumbered else spec.weight
        node = self._heading_node(spec, rank, block, weight)
        self.heading_stack.append(node)
        return weight

    def _spec(self, index: int) -> _HeadingSpec:
        return self.specs[index] or _heading_spec(self.blocks[index].text)

    def _is_title(self, index: int, block: _Block) -> bool:
        # The document title is the "#" heading that opens it; the root node stands for it.
        return index == 0 and block.hashes == 1

    def _continues_previous_heading(self, index: int, block: _Block) -> bool:
        if index == 0 or not self.blocks[index - 1].heading:
            return False
        if block.text[:1].islower():
            return True
        previous, following = self._spec(index - 1), self._spec(index)
        return previous.empty_title and not previous.unnumbered and following.unnumbered

    def _pop_while(self, condition: Callable[[_Node], bool]) -> None:
        while len(self.heading_stack) > 1 and condition(self.heading_stack[-1]):
            self.heading_stack.pop()

    def _pop_to_weak_sibling(self, style: str, hashes: int) -> int:
        for depth in range(len(self.heading_stack) - 1, 0, -1):
            if self.heading_stack[depth].style == style:
                rank = self.heading_stack[depth].rank
                del self.heading_stack[depth:]
                return rank
        self._pop_while(lambda top: top.style in ("unnumbered", "empty") and top.hashes >= hashes)
        return self.heading_stack[-1].rank + 1

    def _heading_node(self, spec: _HeadingSpec, rank: int, block: _Block, weight: float) -> _Node:
        notes = self.heading_stack[-1].notes or bool(spec.unnumbered and _NOTES_TITLE.search(block.text))
        refs: tuple[str, ...] = () if notes else self._heading_refs(spec)
        base = refs if spec.style not in ("part", "chapter") else ()
        return _Node(
            "heading",
            spec.style,
            spec.label,
            refs,
            base,
            weight,
            rank,
            block.hashes,
            spec.weak or spec.unnumbered,
            notes=notes,
        )

    def _heading_refs(self, spec: _HeadingSpec) -> tuple[str, ...]:
        number = spec.number.lower()
        if spec.style in ("part", "chapter", "annex", "appendix", "article"):
            return (f"{spec.style} {number}",)
        if spec.style in ("sec", "dotted"):
            return (f"section {number}",)
        if spec.style in ("h-num-dot", "h-num-paren"):
            if self.has_dotted_sections:
                return (f"section {number}",)
            return (f"item {number}", f"paragraph {number}")
        return ()

    # -- body paragraphs

    def _place_body(self, index: int, block: _Block) -> tuple[tuple[_Node, ...], bool]:
        """Assign a body block its point chain; returns ``(items, is_bullet)``."""
        first_line = block.text.split("\n", 1)[0]
        label = self._choose_label(index, _label_candidates(first_line))
        if label is not None:
            self._push_item(label)
            self.last_items = tuple(entry.node for entry in self.item_stack)
            return self.last_items, False
        if _BULLET.match(first_line):
            return self.last_items, True
        if any(entry.label.nist for entry in self.item_stack):
            # NIST tables end at the first running-text paragraph after them.
            self.item_stack = []
            self.last_items = ()
            return (), False
        if self.legal:
            # Legal drafting: an unlabelled paragraph after points is a further subparagraph
            # of the numbered paragraph (or top-level point) they belong to.
            self.last_items = tuple(entry.node for entry in self.item_stack[:1])
        else:
            # Elsewhere numbered paragraphs are single paragraphs; running text ends the list.
            self.item_stack = []
            self.last_items = ()
        return self.last_items, False

    def _choose_label(self, index: int, readings: list[_Label]) -> _Label | None:
        if not readings:
            return None
        if len(readings) == 1:
            chosen = readings[0]
        else:
            chosen = self._disambiguate(index, readings[0], readings[1])
        return chosen if self._label_is_plausible(chosen) else None

    def _disambiguate(self, index: int, letter: _Label, roman: _Label) -> _Label:
        letter_at = self._continues(letter)
        roman_at = self._continues(roman)
        if letter_at is not None and roman_at is not None:
            return roman if roman_at > letter_at else letter
        if roman_at is not None:
            return roman
        if letter_at is not None:
            if roman.value == 1 and self._roman_list_follows(index, roman.token):
                return roman
            return letter
        if roman.value == 1:
            return roman
        if letter.value == 1:
            return letter
        if self._stack_index(roman.style) is not None:
            return roman
        if self._stack_index(letter.style) is not None:
            return letter
        # Nothing to go by: "IV." and "(ii)" are numerals; a lone "(v)" is more likely a letter,
        # a lone "V." (a capital) a numeral.
        return roman if len(roman.token) > 1 or roman.token.isupper() else letter

    def _roman_list_follows(self, index: int, token: str) -> bool:
        """After "(h)", is "(i)" a sub-list? Look for "(ii)" before "(j)" in the same section."""
        second = "ii" if token.islower() else "II"
        letter_j = "j" if token.islower() else "J"
        for block in self.blocks[index + 1 :]:
            if block.heading:
                return False
            for reading in _label_candidates(block.text.split("\n", 1)[0]):
                if reading.token == second:
                    return True
                if reading.token == letter_j:
                    return False
        return False

    def _continues(self, label: _Label) -> int | None:
        at = self._stack_index(label.style)
        if at is not None and self.item_stack[at].label.value == label.value - 1:
            return at
        return None

    def _stack_index(self, style: str) -> int | None:
        for at in range(len(self.item_stack) - 1, -1, -1):
            if self.item_stack[at].label.style == style:
                return at
        return None

    def _label_is_plausible(self, label: _Label) -> bool:
        if label.continue_only:
            return self._continues(label) is not None
        if not label.strict:
            return True
        if label.style in ("num-space", "lower-space") and not any(
            h.style == "article" for h in self.heading_stack
        ):
            return False  # bare "1 The ..." / "a the ..." points are a treaty-article convention
        at = self._stack_index(label.style)
        if at is not None and self.item_stack[at].label.value < label.value:
            return label.style not in ("num-space", "lower-space") or (
                self.item_stack[at].label.value == label.value - 1
            )
        if label.value != 1:
            return False
        return not label.needs_colon or self.prev_body_text.rstrip().endswith(":")

    def _push_item(self, label: _Label) -> None:
        at = self._stack_index(label.style)
        if at is not None:
            del self.item_stack[at:]
        elif label.style in _OUTERMOST_STYLES:
            self.item_stack = []
        parent = self.item_stack[-1].node if self.item_stack else None
        refs = self._item_refs(label, parent)
        node = _Node(
            "item",
            label.style,
            self._item_display(label, parent),
            refs,
            refs,
            notes=self.heading_stack[-1].notes,
            standalone=label.standalone,
        )
        self.item_stack.append(_ItemEntry(label, node))

    def _item_display(self, label: _Label, parent: _Node | None) -> str:
        if parent is None and label.style == "paren-num" and self._in_preamble():
            return f"Recital {label.value}"
        return label.display

    def _in_preamble(self) -> bool:
        return self.has_articles and len(self.heading_stack) == 1

    def _item_refs(self, label: _Label, parent: _Node | None) -> tuple[str, ...]:
        if self.heading_stack[-1].notes or label.style in _UNREFERENCED_STYLES:
            return ()
        if label.nist:
            return (label.nist,)
        if parent is not None:
            prefixes = self._dotted_prefixes(label) if label.style == "dotted" else parent.child_prefixes
            return tuple(prefix + label.part for prefix in prefixes)
        base = next((h for h in reversed(self.heading_stack) if h.child_prefixes), None)
        if base is not None:
            return tuple(prefix + label.part for prefix in base.child_prefixes)
        if not label.numeric or any(
            not h.style.startswith(("root", "unnumbered")) for h in self.heading_stack
        ):
            # Bare "item N" ids are for paragraphs numbered across a document, not for lists
            # under a numbered or lettered heading that has no reference of its own.
            return ()
        if label.style == "paren-num" and self._in_preamble():
            return (f"recital {label.value}",)
        return (f"item {label.value}", f"paragraph {label.value}")

    def _dotted_prefixes(self, label: _Label) -> tuple[str, ...]:
        # "3.1." under "3." names itself fully: annex vii(3.1), not annex vii(3)(3.1).
        for entry in reversed(self.item_stack):
            if entry.label.style not in ("dotted", "num-dot"):
                return entry.node.child_prefixes
        base = next((h for h in reversed(self.heading_stack) if h.child_prefixes), None)
        return base.child_prefixes if base is not None else ()


def _count_words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


# --------------------------------------------------------------------------- segmentation

_CUT_AFTER_HEADING = 200.0
_CUT_IN_PARAGRAPH = 40.0
_CUT_BETWEEN_PARAGRAPHS = 10.0
_CUT_BEFORE_BULLET = 12.0
_PER_CHUNK = 0.5
_MAX_OVERSIZE_ATOMS = 8
# Bounds the work per atom on pathological input (thousands of one-word sentences); real
# chunks in the corpus hold at most ~30 atoms.
_MAX_ATOMS_PER_CHUNK = 64


def _boundary_costs(atoms: list[_Atom]) -> tuple[list[float], list[float]]:
    """``cut[k]``/``merge[k]``: cost of cutting / not cutting between atoms k-1 and k."""
    cut = [0.0] * len(atoms)
    merge = [0.0] * len(atoms)
    for k in range(1, len(atoms)):
        before, after = atoms[k - 1], atoms[k]
        if before.heading:
            cut[k] = _CUT_AFTER_HEADING
        elif after.heading:
            merge[k] = after.weight
        elif before.block == after.block:
            cut[k] = _CUT_IN_PARAGRAPH
        else:
            cut[k] = _item_boundary_cost(before, after)
    return cut, merge


def _item_boundary_cost(before: _Atom, after: _Atom) -> float:
    a, b = before.items, after.items
    common = 0
    while common < len(a) and common < len(b) and a[common] is b[common]:
        common += 1
    if common == len(a) == len(b):
        return _CUT_BEFORE_BULLET if after.bullet else _CUT_BETWEEN_PARAGRAPHS
    if common == len(a):
        return 8.0 + 3.0 * common  # keep a list's lead-in with its first points
    if common == len(b):
        return 6.0 + 3.0 * common
    return 1.0 + 3.0 * common


def _size_cost(words: int, min_words: int) -> float:
    if words >= min_words:
        return 0.0
    deficit = (min_words - words) / min_words
    tiny = min(40, min_words // 2)
    return 10.0 * deficit * deficit + (60.0 if words < tiny else 0.0)


def _segment(atoms: list[_Atom], min_words: int, max_words: int) -> list[tuple[int, int]]:
    """Cheapest split of ``atoms`` into runs; returns ``(start, end)`` atom index pairs."""
    n = len(atoms)
    cut, merge = _boundary_costs(atoms)
    words = [0] * (n + 1)
    merged = [0.0] * (n + 1)
    bodies = [0] * (n + 1)
    for k, atom in enumerate(atoms):
        words[k + 1] = words[k] + atom.words
        merged[k + 1] = merged[k] + merge[k]
        bodies[k + 1] = bodies[k] + (0 if atom.heading else 1)
    size_costs = [_size_cost(size, min_words) for size in range(max_words + 1)]
    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    # opening[i]: everything a chunk starting at atom i pays that does not depend on its end;
    # merge[i] is the boundary before the chunk, so only merges from i + 1 on count.
    opening = [0.0] * (n + 1)
    for j in range(1, n + 1):
        i = j - 1
        opening[i] = best[i] + (cut[i] if i else 0.0) - merged[i + 1]
        closing = merged[j] + _PER_CHUNK
        words_j, bodies_j = words[j], bodies[j]
        best_j, back_j = inf, i
        lowest = max(0, j - _MAX_ATOMS_PER_CHUNK)
        while i >= lowest:
            size = words_j - words[i]
            if size > max_words:
                if j - i > _MAX_OVERSIZE_ATOMS or bodies_j - bodies[i] > 1:
                    break
                cost = opening[i] + closing
            else:
                cost = opening[i] + size_costs[size] + closing
            if cost < best_j:
                best_j, back_j = cost, i
            i -= 1
        best[j], back[j] = best_j, back_j
    bounds = []
    j = n
    while j > 0:
        bounds.append((back[j], j))
        j = back[j]
    return bounds[::-1]


# --------------------------------------------------------------------------- chunk assembly


def _make_chunk(text: str, atoms: list[_Atom], seq: int, short_title: str) -> Chunk:
    start, end = atoms[0].start, atoms[-1].end
    body = [a for a in atoms if not a.heading] or atoms
    chunk_text = text[start:end]
    return Chunk(
        chunk_text, start, end, _section_path(body, short_title), _refs(atoms), seq, len(chunk_text.split())
    )


def _refs(atoms: Iterable[_Atom]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for atom in atoms:
        for node in atom.headings + atom.items:
            for ref in node.refs:
                seen.setdefault(ref, None)
    return tuple(seen)


def _section_path(atoms: list[_Atom], short_title: str) -> str:
    parts = [short_title]
    first, last = atoms[0].headings[1:], atoms[-1].headings[1:]
    common = _common_prefix([a.headings[1:] for a in atoms])
    parts.extend(node.label for node in common)
    if all(len(a.headings) - 1 == len(common) for a in atoms):
        element = _items_element([a.items for a in atoms])
    else:
        opener = first[len(common)] if len(first) > len(common) else None
        closer = last[len(common)] if len(last) > len(common) else None
        element = _range(opener.label, closer.label) if opener and closer else ""
    if element:
        parts.append(element)
    return PATH_SEPARATOR.join(p for p in parts if p)


def _items_element(chains: list[tuple[_Node, ...]]) -> str:
    prefix = _common_prefix(chains)
    depth = len(prefix)
    deeper = [chain for chain in chains if len(chain) > depth]
    if not deeper:
        return _join_labels(prefix)
    opener, closer = deeper[0], deeper[-1]
    if opener[depth] is closer[depth]:
        return _join_labels(prefix + (opener[depth],))
    # Name the first point exactly and the last one at the level where they differ: 1(e)–(g).
    return _join_labels(opener) + RANGE_DASH + _strip_shared_words(opener[depth].label, closer[depth].label)


def _join_labels(nodes: tuple[_Node, ...]) -> str:
    out = ""
    for node in nodes:
        if node.standalone or not out:
            out = node.label
        elif node.label.startswith("("):
            out += node.label
        else:
            out += " " + node.label
    return out


def _range(first: str, last: str) -> str:
    if first == last:
        return first
    label = first + RANGE_DASH + _strip_shared_words(first, last)
    if len(label) <= _UNNUMBERED_LABEL_CHARS:
        return label
    half = (_UNNUMBERED_LABEL_CHARS - len(RANGE_DASH)) // 2
    return _shorten(first, half) + RANGE_DASH + _shorten(last, half)


def _strip_shared_words(first: str, last: str) -> str:
    """ "Article 3" .. "Article 4" -> "4"; "GOVERN 1.1" .. "GOVERN 1.3" -> "1.3"."""
    a, b = first.split(" "), last.split(" ")
    if len(a) == len(b) > 1 and a[:-1] == b[:-1]:
        return b[-1]
    return last


def _common_prefix(sequences: list[tuple[_Node, ...]]) -> tuple[_Node, ...]:
    if not sequences:
        return ()
    prefix = sequences[0]
    for seq in sequences[1:]:
        limit = min(len(prefix), len(seq))
        k = 0
        while k < limit and prefix[k] is seq[k]:
            k += 1
        prefix = prefix[:k]
        if not prefix:
            break
    return prefix
