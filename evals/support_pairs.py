"""Builds the support checker's labelled pairs (evals/data/support_pairs.jsonl) from four sources.

- perturbed: corpus sentences and deterministic rewrites of them (evals/perturb.py), a sample of
  every document, picked by hash so that no one chooses which sentences are easy;
- handwritten: paraphrases and plausible mistakes written by hand (support_handwritten.jsonl);
- generated: sentences the local LLM really wrote, labelled by a rubric (support_generated.jsonl);
- labelled: the first 88 hand-labelled pairs (support_labels.jsonl).

Pairs made from the same corpus sentence share a split, so a rule tuned on dev never sees a test
sentence's twin. `python -m evals.support_pairs` rewrites the file; the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from evals.dataset import DATA_DIR, SUPPORT_LABELS_PATH, SupportPair, hash_split
from evals.perturb import perturbations
from rag.text.sentences import sentence_spans

log = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
PAIRS_PATH = DATA_DIR / "support_pairs.jsonl"
HANDWRITTEN_PATH = DATA_DIR / "support_handwritten.jsonl"
GENERATED_PATH = DATA_DIR / "support_generated.jsonl"
SENTENCES_PER_DOCUMENT = 14
_MIN_WORDS, _MAX_WORDS = 12, 60
_PASSAGE_CHARS = 1400  # about one retrieved chunk


@dataclass(frozen=True)
class Source:
    doc_id: str
    title: str
    sentence: str
    passage: str


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _is_prose(paragraph: str) -> bool:
    return not paragraph.startswith(("#", "|")) and len(paragraph.split()) >= 15


def _passage(paragraphs: list[str], i: int) -> str:
    """The paragraph with its neighbours, as much as fits in about one chunk."""
    parts = [paragraphs[i]]
    for j in (i - 1, i + 1):
        if 0 <= j < len(paragraphs) and len("\n\n".join(parts)) + len(paragraphs[j]) <= _PASSAGE_CHARS:
            parts.insert(0 if j < i else len(parts), paragraphs[j])
    return "\n\n".join(parts)


def _titles(corpus: Path) -> dict[str, str]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    return {Path(entry["file"]).stem: entry["title"] for entry in manifest}


def corpus_sources(corpus: Path = CORPUS_DIR, per_document: int = SENTENCES_PER_DOCUMENT) -> list[Source]:
    """A hash-picked sample of each document's prose sentences, each in its passage."""
    out: list[Source] = []
    for doc_id, title in sorted(_titles(corpus).items()):
        paragraphs = _paragraphs((corpus / f"{doc_id}.md").read_text(encoding="utf-8"))
        found: list[Source] = []
        for i, paragraph in enumerate(paragraphs):
            if not _is_prose(paragraph):
                continue
            flat = " ".join(paragraph.split())
            for a, b in sentence_spans(flat):
                sentence = flat[a:b].removeprefix("- ")
                if _MIN_WORDS <= len(sentence.split()) <= _MAX_WORDS and sentence.endswith("."):
                    found.append(Source(doc_id, title, sentence, _passage(paragraphs, i)))
        unique = {
            s.sentence: s for s in reversed(found)
        }  # a repeated sentence counts once, its first passage
        out += sorted(unique.values(), key=lambda s: _digest(s.sentence))[:per_document]
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _locate(doc_id: str, sentence: str, corpus: Path) -> str:
    """The passage around `sentence` in document `doc_id`; "" when the sentence is not there."""
    paragraphs = _paragraphs((corpus / f"{doc_id}.md").read_text(encoding="utf-8"))
    wanted = " ".join(sentence.split())
    for i, paragraph in enumerate(paragraphs):
        if wanted in " ".join(paragraph.split()):
            return _passage(paragraphs, i)
    return ""


def perturbed_pairs(corpus: Path = CORPUS_DIR) -> Iterator[dict]:
    seen: set[str] = set()
    for source in corpus_sources(corpus):
        key = _digest(source.sentence)[:10]
        if key in seen:  # the G7 texts repeat each other's sentences
            continue
        seen.add(key)
        for made in perturbations(source.sentence, source.passage, seed=key):
            if made.perturbation == "verbatim" and int(key, 16) % 3:
                continue  # a third keep their verbatim twin: it passes trivially and would pad the recall
            yield {
                "id": f"p-{key}-{made.perturbation}",
                "group": key,
                "sentence": made.sentence,
                "passage": source.passage,
                "doc_id": source.doc_id,
                "title": source.title,
                "label": made.label,
                "perturbation": made.perturbation,
                "origin": "perturbed",
            }


def _attached(path: Path, origin: str, corpus: Path) -> Iterator[dict]:
    """Records that name a corpus sentence (`source_sentence`), with the passage found around it."""
    if not path.exists():
        return
    titles = _titles(corpus)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        passage = raw.get("passage") or _locate(raw["doc_id"], raw["source_sentence"], corpus)
        if not passage:
            log.warning(
                "%s %s: source sentence not found in %s; skipped", path.name, raw["id"], raw["doc_id"]
            )
            continue
        yield {
            "id": raw["id"],
            "group": _digest(raw.get("source_sentence") or raw["sentence"])[:10],
            "sentence": raw["sentence"],
            "passage": passage,
            "doc_id": raw["doc_id"],
            "title": titles.get(raw["doc_id"], ""),
            "label": raw["label"],
            "perturbation": raw.get("perturbation") or "none",
            "origin": origin,
        }


def _labelled(corpus: Path) -> Iterator[dict]:
    titles = _titles(corpus)
    for line in SUPPORT_LABELS_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            yield {
                **raw,
                "group": _digest(raw["passage"])[:10],
                "title": titles.get(raw.get("doc_id", ""), ""),
                "origin": "labelled",
            }


def build_pairs(corpus: Path = CORPUS_DIR) -> list[SupportPair]:
    records = [
        *perturbed_pairs(corpus),
        *_attached(HANDWRITTEN_PATH, "handwritten", corpus),
        *_attached(GENERATED_PATH, "generated", corpus),
        *_labelled(corpus),
    ]
    pairs = [SupportPair.model_validate({**r, "split": hash_split(r.pop("group"))}) for r in records]
    ids = [p.id for p in pairs]
    if len(ids) != len(set(ids)):
        raise ValueError("support pair ids repeat")
    return pairs


def write_pairs(pairs: list[SupportPair], path: Path = PAIRS_PATH) -> None:
    lines = [json.dumps(p.model_dump(), ensure_ascii=False) for p in pairs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    pairs = build_pairs()
    write_pairs(pairs)
    log.info("wrote %d pairs to %s", len(pairs), PAIRS_PATH)


if __name__ == "__main__":
    main()
