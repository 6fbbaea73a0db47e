"""Support checking: do these passages back this sentence?

Deliberately conservative about facts (numbers, dates, percentages, money, names): one fabricated
year or actor is enough to drop a sentence, because that is the error users cannot spot. Wording is
judged loosely (content-word overlap, optionally embedding similarity), because paraphrase is the
answerer's job.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.citations.alignment import swapped_detail
from rag.citations.analysis import EDGE_PUNCT, Doc, analyse, squash, union
from rag.citations.coverage import DEFAULT_MIN_WORD_SIMILARITY, Coverage, near_restated, restated_sentence
from rag.citations.facts import satisfied
from rag.citations.markers import sentence_ranges
from rag.citations.modality import (
    added_cause,
    dropped_attempt,
    modal_sentence,
    modality_conflict,
    narrowed_scope,
    restatement_conflict,
    widened_scope,
)
from rag.citations.names import ALIASES, NAME_WINDOW, is_acronym, word_forms
from rag.citations.polarity import negation_conflict
from rag.retrieval.glossary import Glossary

EmbedFn = Callable[[list[str]], np.ndarray]

# Calibration: evals/data/support_pairs.jsonl (built by evals/support_pairs.py: perturbed corpus
# sentences, hand-written paraphrases and mistakes, the first 88 hand labels), dev split only. Tuned for
# precision, because a wrong "verified" costs more trust than a dropped sentence: with the claim checks
# (modality, scope, added words: rag/citations/modality.py, coverage.py) and the glossary, dev precision
# went from 0.42 to 0.96 at recall 0.81; without them every added attribute and modal shift passed.
# Content-word overlap separates unrelated text: supported pairs ≥ 0.54, unrelated ≤ 0.33, so 0.45 sits in
# the gap. With the bundled MiniLM, unrelated pairs reach cosine 0.56 and paraphrases 0.61-0.94: 0.6 lets
# embeddings rescue low-overlap paraphrases without admitting unrelated text.
DEFAULT_MIN_OVERLAP = 0.45
DEFAULT_MIN_SIMILARITY = 0.6
DEFAULT_MIN_PARAPHRASE_OVERLAP = 0.25
_MIN_CONTENT_WORDS = 2
_SHORT_SENTENCE_WORDS = 3
_QUOTED_RE = re.compile(r'"([^"]{12,})"')
_ELLIPSIS_RE = re.compile(r"\.\.\.|…")


@dataclass
class SupportVerdict:
    supported: bool
    score: float
    reason: str


class SupportChecker:
    """Decides whether passages support a sentence.

    Facts are a hard gate: every date, number, percentage, amount and name in the sentence must
    occur in the passages. Then the wording: content-word overlap of at least `min_overlap`, or,
    when an embedding function is given, cosine similarity of at least `min_similarity` to some
    passage sentence together with a lower lexical floor (`min_paraphrase_overlap`), so that a
    fluent paraphrase passes but an on-topic sentence with unrelated content does not.
    A sentence found verbatim in the passages always passes.
    """

    def __init__(
        self,
        embed: EmbedFn | None = None,
        *,
        min_overlap: float = DEFAULT_MIN_OVERLAP,
        min_similarity: float = DEFAULT_MIN_SIMILARITY,
        min_paraphrase_overlap: float = DEFAULT_MIN_PARAPHRASE_OVERLAP,
        check_negation: bool = True,
        check_claims: bool = True,
        glossary: Glossary | None = None,
        max_added_words: int = 0,
        min_word_similarity: float = DEFAULT_MIN_WORD_SIMILARITY,
        embed_cache_size: int = 4096,
        japanese: Any = None,
    ) -> None:
        self.embed = embed
        # rag.citations.japanese.JapaneseChecker: a Japanese sentence (an LLM answer to a Japanese
        # question) is read through the question translator; without one it fails the English checks.
        self.japanese = japanese
        self.check_claims = check_claims
        self.max_added_words = max_added_words
        self.coverage = Coverage(glossary, self._vectors if embed is not None else None, min_word_similarity)
        self.min_overlap = min_overlap
        self.min_similarity = min_similarity
        self.min_paraphrase_overlap = min_paraphrase_overlap
        self.check_negation = check_negation
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = embed_cache_size
        self._cache_lock = threading.Lock()  # one checker serves concurrent requests in the API

    def check(self, sentence: str, passages: Sequence[str]) -> SupportVerdict:
        """The verdict on one sentence against the union of `passages`."""
        passages = [p for p in passages if p and p.strip()]
        if not passages:
            return SupportVerdict(False, 0.0, "no source text")
        sent = analyse(sentence)
        evidence = union([analyse(p) for p in passages])
        if self.japanese is not None and self.japanese.applies(sentence):
            return self.japanese.verdict(sentence, evidence)
        if _is_verbatim(sent.norm, evidence.squashed):
            return SupportVerdict(True, 1.0, "verbatim quote")
        overlap = self.overlap(sentence, passages)
        problem = (
            missing_fact(sent, evidence) or _missing_quote(sent, evidence) or _missing_name(sent, evidence)
        )
        if problem:
            return SupportVerdict(False, overlap, problem)
        if self.check_negation and negation_conflict(sent.clauses, evidence.clauses):
            return SupportVerdict(False, overlap, "negation does not match source")
        swapped = swapped_detail(sentence, passages) if self.check_claims else ""
        if swapped:
            return SupportVerdict(False, overlap, swapped)
        # Below the paraphrase floor the sentence is about something else, and "low overlap" says so better.
        claims = self.check_claims and overlap >= self.min_paraphrase_overlap
        problem = self._claim_problem(sent, evidence, passages) if claims else ""
        if problem:
            return SupportVerdict(False, overlap, problem)
        return self._wording_verdict(sentence, passages, sent, overlap)

    def _claim_problem(self, sent: Doc, evidence: Doc, passages: Sequence[str]) -> str:
        """What the sentence claims beyond its source: another modality, a wider scope, added words."""
        claim = modal_sentence(sent.norm, sent.stems)
        conflict = modality_conflict(claim, evidence.modal) or restatement_conflict(claim, evidence.modal)
        if conflict:
            return f"modality: {conflict}"
        scope = widened_scope(sent.norm, evidence.norm, evidence.words) or narrowed_scope(
            sent.norm, evidence.norm
        )
        if scope:
            return f"scope: {scope}"
        cause = added_cause(sent.norm, evidence.norm)
        if cause:
            return f"causal: {cause}"
        restated = restated_sentence(sent.norm, evidence.norm)
        done = dropped_attempt(sent.norm, restated) if restated else ""
        if done:
            return f"overclaim: {done}"
        added = self.coverage.added(sent.norm, evidence.norm)
        if len(added) > self.max_added_words:
            return f"adds {', '.join(repr(w) for w in added[:3])}: not in source"
        near = near_restated(sent.norm, [analyse(p).norm for p in passages])
        if near is None:
            return ""
        fact = missing_fact(sent, analyse(near))
        if fact:
            return f"{fact} near the sentence it restates"
        borrowed = self.coverage.borrowed(sent.norm, near)
        if len(borrowed) > self.max_added_words:
            return f"takes {', '.join(repr(w) for w in borrowed[:3])} from elsewhere in the source"
        return ""

    def _wording_verdict(
        self, sentence: str, passages: Sequence[str], sent: Doc, overlap: float
    ) -> SupportVerdict:
        """Facts and polarity are fine; is enough of the wording backed?"""
        has_facts = any(f.kind for f in sent.facts)
        if not has_facts and len(sent.stems) < _MIN_CONTENT_WORDS:
            # "It applies." shares a word with almost anything: there is no claim to back.
            return SupportVerdict(False, overlap, "too little content to verify")
        if not has_facts and len(sent.stems) < _SHORT_SENTENCE_WORDS and overlap < 1.0:
            # In a short line ("Key points:") half the words is one word: all of them must be found.
            return SupportVerdict(False, overlap, f"low overlap {overlap:.2f}")
        if overlap >= self.min_overlap:
            return SupportVerdict(True, overlap, f"overlap {overlap:.2f}")
        if not sent.stems and has_facts:
            # "Since 11 May 2023." answers a "when" question with nothing but facts, all found above.
            return SupportVerdict(True, 1.0, "all facts found")
        if self.embed is None:
            return SupportVerdict(False, overlap, f"low overlap {overlap:.2f}")
        similarity = self.similarity(sentence, passages)
        if similarity >= self.min_similarity and overlap >= self.min_paraphrase_overlap:
            return SupportVerdict(True, similarity, f"similarity {similarity:.2f}, overlap {overlap:.2f}")
        return SupportVerdict(
            False, max(overlap, similarity), f"low overlap {overlap:.2f}, similarity {similarity:.2f}"
        )

    def as_english(self, sentence: str) -> str:
        """The sentence as its words are matched against English sources: a Japanese one by its terms."""
        if self.japanese is not None and self.japanese.applies(sentence):
            return self.japanese.english(sentence)
        return sentence

    def overlap(self, sentence: str, passages: Sequence[str]) -> float:
        """Share of the sentence's content words (stemmed) that occur in the passages."""
        stems = analyse(sentence).stems
        if not stems:
            return 0.0
        evidence = frozenset().union(*(analyse(p).stems for p in passages)) if passages else frozenset()
        return len(stems & evidence) / len(stems)

    def similarity(self, sentence: str, passages: Sequence[str]) -> float:
        """Best cosine between the sentence and any single passage sentence (or whole passage)."""
        if self.embed is None:
            return 0.0
        candidates: list[str] = []
        for passage in passages:
            candidates.append(passage)
            candidates.extend(passage[a:b] for a, b in sentence_ranges(passage) if b - a > 1)
        candidates = [c.strip() for c in candidates if c.strip()][:256]
        if not candidates:
            return 0.0
        vectors = self._vectors([sentence, *candidates])
        return float(np.clip(np.max(vectors[1:] @ vectors[0]), -1.0, 1.0))

    def _vectors(self, texts: list[str]) -> np.ndarray:
        """Embeddings of `texts`, from an LRU cache: the same passages are checked sentence after sentence."""
        if self.embed is None:
            raise ValueError("this SupportChecker has no embedding function")
        with self._cache_lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            rows = np.asarray(self.embed(missing), dtype=np.float32).reshape(len(missing), -1)
            found.update(zip(missing, rows, strict=True))
        with self._cache_lock:
            for text in texts:
                self._cache[text] = found[text]
                self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])


def _is_verbatim(sentence: str, squashed_evidence: str) -> bool:
    """The sentence (or each "..."-separated piece of it) occurs word for word in the evidence."""
    pieces = [squash(p).strip(EDGE_PUNCT) for p in _ELLIPSIS_RE.split(sentence)]
    pieces = [p for p in pieces if p]
    # A four-word floor keeps "It applies." from passing just because those words occur somewhere.
    if not pieces or sum(len(p.split()) for p in pieces) < 4:
        return False
    return all(p in squashed_evidence for p in pieces)


def missing_fact(sent: Doc, evidence: Doc) -> str:
    for fact in sent.facts:
        if fact.kind and not all(satisfied(alts, evidence.keys) for alts in fact.needs):
            return f"{fact.kind} {fact.display} not in source"
    return ""


def _missing_quote(sent: Doc, evidence: Doc) -> str:
    for m in _QUOTED_RE.finditer(sent.norm):
        quoted = m.group(1)
        if len(quoted.split()) >= 3 and not _is_verbatim(quoted, evidence.squashed):
            return f'quote "{clip(quoted)}" not in source'
    return ""


def _missing_name(sent: Doc, evidence: Doc) -> str:
    for name in sent.names:
        if name.initials in evidence.words and len(name.tokens) > 1:
            continue  # "National Institute of Standards and Technology" backed by "NIST"
        for token in name.tokens:
            if not token_found(token, evidence):
                return f"name {token} not in source"
        # Every word present is not enough: "European Data Protection Board" must not pass on
        # "European Data Protection Supervisor ... the Board".
        for left, right in name.pairs:
            if not _near(left, right, evidence):
                return f"name {name.display} not in source"
    return ""


def _near(left: str, right: str, evidence: Doc) -> bool:
    lpos = sorted({i for f in word_forms(left) for i in evidence.positions.get(f, ())})
    rpos = sorted({i for f in word_forms(right) for i in evidence.positions.get(f, ())})
    if len(lpos) * len(rpos) > 250_000:  # a name made of very common words: don't spend time
        return True
    rset = set(rpos)
    return any(i + d in rset for i in lpos for d in range(-NAME_WINDOW, NAME_WINDOW + 1) if d)


def token_found(token: str, evidence: Doc) -> bool:
    forms = word_forms(token)
    if forms & evidence.words:
        return True
    if is_acronym(token):
        key = token.lower()[:-1] if token.endswith("s") and len(token) > 2 else token.lower()
        if key in evidence.initials or any(alias in evidence.squashed for alias in ALIASES.get(key, ())):
            return True
    return False


def clip(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters with an ellipsis, for warnings and reasons."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
