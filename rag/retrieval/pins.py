"""What a question names exactly ranks first among the search's hits, as a named clause would: the clause
itself, the document's dated statement when it asks when the document was made, the passage that defines
the term it asks about, or the named text's statement of its own legal force. A pinned hit's `ref` is set
(1.0, or ANCESTOR_CREDIT for a related clause); the searcher sorts by it before the fused score."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from rag.references import ANCESTOR_CREDIT, DocAlias, QueryRefs, ref_score
from rag.references.definitions import defines
from rag.references.document_date import states_date
from rag.references.own_statements import StatementAsked, states
from rag.references.penalties import penalty_provisions
from rag.retrieval.table import ChunkTable
from rag.store.index import chunk_body
from rag.text.sentences import split_sentences

if TYPE_CHECKING:
    from rag.retrieval.searcher import Hit


class Pins:
    """One search's pinning, over the chunk table it searched."""

    def __init__(self, table: ChunkTable, aliases: list[DocAlias], hit: Callable[[str], Hit | None]) -> None:
        self.table = table
        self.aliases = aliases
        self._hit = hit  # the hit for a chunk id, added to the search's hits if it was not among them

    def pin(self, parsed: QueryRefs, base: np.ndarray, named: tuple[str, ...], hits: dict[str, Hit]) -> None:
        """What the question names exactly ranks first: its clause, the document's dated statement when it
        asks when the document was made, or the passage that defines the term it asks about."""
        if parsed.refs:
            rows = self._clause_rows(parsed, base & (self.table.mask(None, named) if named else base))
            if not (parsed.penalty and self._mark_penalty_hits(parsed.refs[0], rows, hits)):
                self._add_clause_hits(rows, hits)
        elif parsed.document_date and named:
            self._add_date_hit(named[0], base, hits)
        elif parsed.defined_term:
            _mark_definition(parsed.defined_term, hits, named, self.table)
        elif parsed.statement is not None:
            for doc_id in named[:2]:
                self._add_statement_hit(doc_id, base, parsed.statement, hits)

    def _add_date_hit(self, doc_id: str, mask: np.ndarray, hits: dict[str, Hit]) -> None:
        """The document's first chunk that states its own date ranks first, as a named clause would."""
        table = self.table
        for i in table.rows_of.get(doc_id, ()):
            if not mask[i]:
                continue
            doc = table.doc(i)  # its text: read from disk for a store too large to hold
            if states_date(chunk_body(doc), str(doc.metadata.get("date", ""))):
                self._pin_row(i)
                return
        self._add_companion_date_hit(doc_id, mask, hits)

    def _add_statement_hit(
        self, doc_id: str, mask: np.ndarray, asked: StatementAsked, hits: dict[str, Hit]
    ) -> None:
        """The document's chunk that states what the question asks of it (its legal force, how it will be
        reviewed) ranks first, as a named clause would: the first chunk that states it by the topic's
        first pattern any of them matches (rag/references/own_statements.py)."""
        patterns = asked.topic.states
        best: tuple[int, int] | None = None  # (pattern index, row): the best stated so far
        for i in (i for i in self.table.rows_of.get(doc_id, ()) if mask[i]):
            body = chunk_body(self.table.doc(i))  # each chunk read once, whatever the number of patterns
            for n, pattern in enumerate(patterns[: best[0] if best else None]):
                # the cheap test first: the AI Act's 3,000 chunks are split only where one matches
                if pattern.search(body) and any(
                    states(pattern, x, asked.kinds) for x in split_sentences(body)
                ):
                    best = (n, i)
                    break
            if best is not None and best[0] == 0:
                break
        if best is not None:
            self._pin_row(best[1])

    def _pin_row(self, row: int) -> None:
        """The chunk at this row ranks first, as a named clause would."""
        h = self._hit(self.table.ids[row])
        if h is not None:
            h.ref = 1.0

    def _add_companion_date_hit(self, doc_id: str, mask: np.ndarray, hits: dict[str, Hit]) -> None:
        """A text published with another that states no date of its own (the Hiroshima principles and code
        of conduct, issued with the G7 leaders' statement of the same day): the first chunk of a document
        of the same date that states that date and names this text ranks first instead."""
        own = next((a for a in self.aliases if a.doc_id == doc_id), None)
        if own is None or not own.date:
            return
        names = [n.lower() for n in own.names if len(n) > 8]
        for other in (a.doc_id for a in self.aliases if a.date == own.date and a.doc_id != doc_id):
            for i in (i for i in self.table.rows_of.get(other, ()) if mask[i]):
                doc = self.table.doc(i)
                body = chunk_body(doc)
                if states_date(body, own.date) and any(n in body.lower() for n in names):
                    self._pin_row(i)
                    return

    def _clause_rows(self, parsed: QueryRefs, mask: np.ndarray) -> list[tuple[int, float]]:
        """The masked chunks whose structural refs match the question's, with their match scores."""
        refs = {int(i): self.table.refs[i] for i in np.flatnonzero(mask)}
        scores = {i: ref_score(parsed.refs, set(r.strip("|").split("|"))) for i, r in refs.items() if r}
        return [(i, score) for i, score in scores.items() if score > 0]

    def _add_clause_hits(self, rows: list[tuple[int, float]], hits: dict[str, Hit]) -> None:
        for i, score in rows:
            h = self._hit(self.table.ids[i])
            if h is not None:
                h.ref = max(h.ref, score)

    def _mark_penalty_hits(self, ref: str, rows: list[tuple[int, float]], hits: dict[str, Hit]) -> bool:
        """The candidates that cite the named article and set a penalty rank first, as a related clause
        would: not as the clause itself, whose sentences would then be the whole answer."""
        # The texts, not their heading paths: a path's "Chapter XII — Penalties" sets no penalty.
        own = [chunk_body(self.table.doc(i)) for i, score in rows if score >= 1.0]
        texts = {cid: chunk_body(self.table.doc(self.table.by_id[cid])) for cid in hits}
        cited = penalty_provisions(ref, own, texts)
        for cid in cited:
            hits[cid].ref = max(hits[cid].ref, ANCESTOR_CREDIT)
        return bool(cited)


def _mark_definition(term: str, hits: dict[str, Hit], named: tuple[str, ...], table: ChunkTable) -> None:
    """The best-fused candidate that defines the term (one of a named document's, if it has one) ranks
    first, as a named clause would. Candidates are read best first, up to the first that defines it:
    reading all ~160 cost 25 ms at 100× the corpus."""
    ordered = sorted(hits.values(), key=lambda h: h.score, reverse=True)

    def first(candidates: Iterable[Hit]) -> Hit | None:
        return next((h for h in candidates if defines(chunk_body(table.doc(table.by_id[h.id])), term)), None)

    in_named = first(h for h in ordered if h.doc.metadata.get("doc_id") in named) if named else None
    found = in_named or first(ordered)
    if found is not None:
        found.ref = 1.0
