"""What a question points at: clause ids ("article 5(1)(f)") and documents ("the AI Act").

The chunker tags every chunk with canonical structural ids (`refs`); `grammar` turns the many ways
people write a clause into the same ids, so retrieval can rank the chunk that *is* Article 50(2)
above chunks that merely talk about transparency. `documents` finds the documents a question names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.references.documents import DocAlias, doc_aliases_from_manifest, matcher
from rag.references.grammar import ANCESTOR_CREDIT, find_refs, ref_ancestors, ref_score
from rag.text.clauses import int_to_roman, roman_to_int
from rag.text.normalize import normalize

__all__ = [
    "ANCESTOR_CREDIT",
    "DocAlias",
    "QueryRefs",
    "doc_aliases_from_manifest",
    "int_to_roman",
    "parse_query",
    "ref_ancestors",
    "ref_score",
    "roman_to_int",
]


@dataclass(frozen=True)
class QueryRefs:
    refs: tuple[str, ...] = ()  # canonical ids named in the question, most specific first
    doc_ids: tuple[str, ...] = ()  # documents the question names, in order of mention


def parse_query(question: str, docs: Sequence[DocAlias]) -> QueryRefs:
    """Clause ids and documents named in a question."""
    docs_matcher = matcher(docs)
    doc_ids = docs_matcher.match(question)
    # OECD principles are numbered sections, so naming the OECD changes how "principle N" reads.
    oecd_named = any(d in docs_matcher.oecd_ids for d in doc_ids)
    return QueryRefs(refs=find_refs(normalize(question), oecd_named), doc_ids=doc_ids)
