"""Step 2: nest headings and points into a tree and cut body paragraphs into sentence atoms.

Headings are nested by kind (see headings.py).  Body paragraphs are nested by label style with a stack
(see labels.py); a label with a letter and a numeral reading is read as the letter when it continues the
letter sequence, as the numeral when it continues the roman one, and for ``(i)`` right after ``(h)`` by
looking ahead for ``(ii)`` (roman) or ``(j)`` (letter).  In legal texts (documents with articles or
``Sec.`` sections) an unlabelled paragraph after labelled points belongs to the top-level point (the
"subparagraph" convention); elsewhere it ends the list.  Bullets belong to the paragraph before them.
The OECD's operative paragraphs ``I.``/``II.`` always start a new top-level list.

Atoms are the sentences (``rag.text.sentences.sentence_spans``) of body paragraphs and whole heading
lines, so no chunk ever cuts a sentence.

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

from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.chunking.blocks import BULLET, PSEUDO_HEADING_HASHES
from ingest.chunking.headings import NOTES_TITLE, HeadingSpec, heading_spec
from ingest.chunking.labels import OUTERMOST_STYLES, UNREFERENCED_STYLES, Label, label_candidates
from ingest.chunking.model import Atom, Block, Node
from rag.text.sentences import sentence_spans

__all__ = ["Structurer"]

# Bold or numbered title lines (communiqué sections) are looser than markdown headings: cheap to merge.
_PSEUDO_TITLE_WEIGHT = 6.0


@dataclass
class _ItemEntry:
    label: Label
    node: Node


@dataclass
class Structurer:
    """Walks the blocks once, keeping a stack of open headings and one of open points."""

    text: str
    blocks: list[Block]
    short_title: str
    root: Node = field(init=False)
    heading_stack: list[Node] = field(init=False)
    item_stack: list[_ItemEntry] = field(init=False)
    last_items: tuple[Node, ...] = ()
    prev_body_text: str = ""
    has_articles: bool = False
    has_dotted_sections: bool = False
    legal: bool = False
    specs: list[HeadingSpec | None] = field(init=False)

    def __post_init__(self) -> None:
        self.root = Node("root", "root", self.short_title)
        self.heading_stack = [self.root]
        self.item_stack = []
        self.specs = [heading_spec(b.text) if b.heading else None for b in self.blocks]
        specs = [spec for spec in self.specs if spec is not None]
        self.has_articles = any(s.style == "article" for s in specs)
        self.has_dotted_sections = any(s.style == "dotted" for s in specs)
        self.legal = self.has_articles or any(s.style == "sec" for s in specs)

    # -- driver

    def atoms(self) -> list[Atom]:
        """The document's atoms in order, each with its heading and point chains."""
        atoms: list[Atom] = []
        for index, block in enumerate(self.blocks):
            if block.heading:
                atoms.append(self._heading_atom(index, block))
            else:
                atoms.extend(self._body_atoms(index, block))
        return atoms

    def _heading_atom(self, index: int, block: Block) -> Atom:
        weight = self._open_heading(index, block)
        self.item_stack = []
        self.last_items = ()
        return Atom(
            block.start,
            block.end,
            _count_words(self.text, block.start, block.end),
            True,
            index,
            tuple(self.heading_stack),
            weight=weight,
        )

    def _body_atoms(self, index: int, block: Block) -> list[Atom]:
        items, bullet = self._place_body(index, block)
        self.prev_body_text = self.text[block.start : block.end]
        headings = tuple(self.heading_stack)
        atoms = []
        for start, end in sentence_spans(self.text[block.start : block.end]):
            s, e = block.start + start, block.start + end
            atoms.append(
                Atom(s, e, _count_words(self.text, s, e), False, index, headings, items, bullet=bullet)
            )
        return atoms

    # -- headings

    def _open_heading(self, index: int, block: Block) -> float:
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
        weight = (
            _PSEUDO_TITLE_WEIGHT if block.hashes == PSEUDO_HEADING_HASHES and spec.unnumbered else spec.weight
        )
        node = self._heading_node(spec, rank, block, weight)
        self.heading_stack.append(node)
        return weight

    def _spec(self, index: int) -> HeadingSpec:
        return self.specs[index] or heading_spec(self.blocks[index].text)

    def _is_title(self, index: int, block: Block) -> bool:
        # The document title is the "#" heading that opens it; the root node stands for it.
        return index == 0 and block.hashes == 1

    def _continues_previous_heading(self, index: int, block: Block) -> bool:
        if index == 0 or not self.blocks[index - 1].heading:
            return False
        if block.text[:1].islower():
            return True
        previous, following = self._spec(index - 1), self._spec(index)
        return previous.empty_title and not previous.unnumbered and following.unnumbered

    def _pop_while(self, condition: Callable[[Node], bool]) -> None:
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

    def _heading_node(self, spec: HeadingSpec, rank: int, block: Block, weight: float) -> Node:
        notes = self.heading_stack[-1].notes or bool(spec.unnumbered and NOTES_TITLE.search(block.text))
        refs: tuple[str, ...] = () if notes else self._heading_refs(spec)
        base = refs if spec.style not in ("part", "chapter") else ()
        return Node(
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
            title=spec.title,
        )

    def _heading_refs(self, spec: HeadingSpec) -> tuple[str, ...]:
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

    def _place_body(self, index: int, block: Block) -> tuple[tuple[Node, ...], bool]:
        """Assign a body block its point chain; returns ``(items, is_bullet)``."""
        first_line = block.text.split("\n", 1)[0]
        label = self._choose_label(index, label_candidates(first_line))
        if label is not None:
            self._push_item(label)
            self.last_items = tuple(entry.node for entry in self.item_stack)
            return self.last_items, False
        if BULLET.match(first_line):
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

    def _choose_label(self, index: int, readings: list[Label]) -> Label | None:
        if not readings:
            return None
        if len(readings) == 1:
            chosen = readings[0]
        else:
            chosen = self._disambiguate(index, readings[0], readings[1])
        return chosen if self._label_is_plausible(chosen) else None

    def _disambiguate(self, index: int, letter: Label, roman: Label) -> Label:
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
            for reading in label_candidates(block.text.split("\n", 1)[0]):
                if reading.token == second:
                    return True
                if reading.token == letter_j:
                    return False
        return False

    def _continues(self, label: Label) -> int | None:
        at = self._stack_index(label.style)
        if at is not None and self.item_stack[at].label.value == label.value - 1:
            return at
        return None

    def _stack_index(self, style: str) -> int | None:
        for at in range(len(self.item_stack) - 1, -1, -1):
            if self.item_stack[at].label.style == style:
                return at
        return None

    def _label_is_plausible(self, label: Label) -> bool:
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

    def _push_item(self, label: Label) -> None:
        at = self._stack_index(label.style)
        if at is not None:
            del self.item_stack[at:]
        elif label.style in OUTERMOST_STYLES:
            self.item_stack = []
        parent = self.item_stack[-1].node if self.item_stack else None
        refs = self._item_refs(label, parent)
        node = Node(
            "item",
            label.style,
            self._item_display(label, parent),
            refs,
            refs,
            notes=self.heading_stack[-1].notes,
            standalone=label.standalone,
        )
        self.item_stack.append(_ItemEntry(label, node))

    def _item_display(self, label: Label, parent: Node | None) -> str:
        if parent is None and label.style == "paren-num" and self._in_preamble():
            return f"Recital {label.value}"
        return label.display

    def _in_preamble(self) -> bool:
        return self.has_articles and len(self.heading_stack) == 1

    def _item_refs(self, label: Label, parent: Node | None) -> tuple[str, ...]:
        if self.heading_stack[-1].notes or label.style in UNREFERENCED_STYLES:
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

    def _dotted_prefixes(self, label: Label) -> tuple[str, ...]:
        # "3.1." under "3." names itself fully: annex vii(3.1), not annex vii(3)(3.1).
        for entry in reversed(self.item_stack):
            if entry.label.style not in ("dotted", "num-dot"):
                return entry.node.child_prefixes
        base = next((h for h in reversed(self.heading_stack) if h.child_prefixes), None)
        return base.child_prefixes if base is not None else ()


def _count_words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())
