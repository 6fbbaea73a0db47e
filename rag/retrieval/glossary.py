"""Lay-to-legal query expansion: "loan" also searches "creditworthiness", "chatbot" also searches
"interacting with an AI system".

People ask in everyday words; the documents use their own terms, and a paraphrased question shares too
few words with its passage for search to find it. The expansions go to BM25 (rag/retrieval/searcher.py;
a second dense query of them stopped paying and was dropped) and the reader's features, never to evidence
scoring: that cost hit@5 on dev. The mapping is
data (`rag/data/glossary.tsv`, lay phrase → corpus phrase; a test checks every corpus phrase occurs in the
corpus). Matching is on our tokenizer's stems, longest lay phrase first, so "credit score" wins over
"credit" and plural or possessive forms match too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from rag.text.tokenize import tokenize

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "glossary.tsv"

# "have to / need to / supposed to …" are stop words to our tokenizer, so "do we legally have to follow it"
# lost its modal and matched no "must follow" entry. Each is read as "must", in the entries and the questions.
_MODAL = re.compile(
    r"\b(?:have|has|had|need|needs|ought|required|obliged|obligated|supposed|got)\s+to\b", re.I
)


# Idioms whose words are not their sense: "is it still doing its job?" asks whether a text works, not about
# employment (fresh users dev, stop 54: "job" → "employment", "world of work" outranked the review clause).
_IDIOM = re.compile(r"\b(?:do|does|doing|did|done)\s+(?:its|their|the|a good|a)\s+job\b", re.I)


def _stems(text: str) -> list[str]:
    return tokenize(_MODAL.sub("must", _IDIOM.sub(" ", text)))


class Glossary:
    def __init__(self, entries: list[tuple[str, str]]) -> None:
        self._targets: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self._target_tokens: dict[str, frozenset[str]] = {}  # tokenized once, not per question
        for lay, legal in entries:
            key = tuple(_stems(lay))
            if key and legal not in self._targets[key]:
                self._targets[key].append(legal)
                self._target_tokens[legal] = frozenset(tokenize(legal))
        self._longest = max((len(k) for k in self._targets), default=0)

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> Glossary:
        entries = []
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                lay, legal = line.split("\t")
                entries.append((lay.strip(), legal.strip()))
        return cls(entries)

    def __len__(self) -> int:
        return sum(len(v) for v in self._targets.values())

    def matches(self, text: str) -> list[tuple[str, list[str]]]:
        """(lay phrase as tokens, its corpus phrases) for each lay phrase of `text`, longest first."""
        toks = _stems(text)
        out: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(toks):
            for n in range(min(self._longest, len(toks) - i), 0, -1):
                targets = self._targets.get(tuple(toks[i : i + n]))
                if targets:
                    out.append((" ".join(toks[i : i + n]), targets))
                    i += n
                    break
            else:
                i += 1
        return out

    def expansions(self, question: str) -> list[str]:
        """Corpus phrases for the lay phrases of `question` whose words the question does not already use."""
        have = set(tokenize(question))
        out: list[str] = []
        for _, targets in self.matches(question):
            out += [t for t in targets if t not in out and not self._target_tokens[t] <= have]
        return out


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary.load()
