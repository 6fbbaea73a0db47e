"""What a question points at: clause ids ("article 5(1)(f)") and documents ("the AI Act").

The chunker tags every chunk with canonical structural ids (`refs`); `grammar` turns the many ways
people write a clause into the same ids, so retrieval can rank the chunk that *is* Article 50(2)
above chunks that merely talk about transparency. `documents` finds the documents a question names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.reader.question import is_multi_part, question_type
from rag.references.definitions import defined_term
from rag.references.document_date import asks_document_date, described_document
from rag.references.documents import DocAlias, doc_aliases_from_manifest, matcher
from rag.references.grammar import ANCESTOR_CREDIT, find_refs, ref_ancestors, ref_score
from rag.references.in_force import IN_FORCE
from rag.references.legal_force import LEGAL_FORCE
from rag.references.membership import JOINING, LEAVING
from rag.references.own_statements import StatementAsked, asked_topic, kind_words
from rag.references.penalties import PENALTY_ASKED
from rag.references.review import REVIEW
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
    # Documents it points at by their issuer when it names none (rag/references/cues.py): searched
    # first, but not quoted one by one as named documents are.
    cued_doc_ids: tuple[str, ...] = ()
    # It asks when the one document it names came about ("When was the AI Act signed?"): the document's
    # own dated statement is then looked for (rag/references/document_date.py).
    document_date: bool = False
    # The term it asks the meaning of ("deployer"): a retrieved passage that defines it is quoted first
    # (rag/references/definitions.py).
    defined_term: str = ""
    # It asks what breaking the named clause costs (rag/references/penalties.py).
    penalty: bool = False
    # It asks what the texts it names say of themselves (whether they bind, how they will be reviewed):
    # their own statements are quoted first (rag/references/own_statements.py).
    statement: StatementAsked | None = None


_TOPICS = (LEGAL_FORCE, REVIEW, LEAVING, JOINING, IN_FORCE)


def parse_query(question: str, docs: Sequence[DocAlias]) -> QueryRefs:
    """Clause ids and documents named in a question."""
    docs_matcher = matcher(docs)
    doc_ids = docs_matcher.match(question)
    # OECD principles are numbered sections, so naming the OECD changes how "principle N" reads.
    oecd_named = any(d in docs_matcher.oecd_ids for d in doc_ids)
    refs = find_refs(normalize(question), oecd_named)
    # A two-part question ("labelled in Europe? And punished in Japan?") may cue one side only.
    cued = () if doc_ids or is_multi_part(question) else docs_matcher.cues.match(question)
    only = next((d for d in docs if d.doc_id == doc_ids[0]), None) if len(doc_ids) == 1 else None
    names = list(only.names) if only else []
    dated = False
    if only and not refs and question_type(question) in ("date", "fact"):
        dated = asks_document_date(question, names, only.date)
    if not doc_ids and not refs:
        described = described_document(question, cued, {d.doc_id: d.names for d in docs})
        if described:
            doc_ids, cued, dated = (described,), (), True
    term = defined_term(question, names) if not refs and not dated else ""
    topic = asked_topic(question, _TOPICS) if doc_ids and not refs and not dated and not term else None
    statement = None
    if topic is not None:
        statement = StatementAsked(topic, kind_words(n for d in docs if d.doc_id in doc_ids for n in d.names))
    if only and not refs and not dated and not term:
        doc_ids += docs_matcher.cues.other_side(question, doc_ids)
    penalty = bool(refs) and bool(PENALTY_ASKED.search(question))
    return QueryRefs(
        refs=refs,
        doc_ids=doc_ids,
        cued_doc_ids=cued,
        document_date=dated,
        defined_term=term,
        penalty=penalty,
        statement=statement,
    )
