"""Whether a question has anything to search for once markup and punctuation are set aside."""

from __future__ import annotations

import re

# Script and style elements hold code, not words: `<script>alert(1)</script>` asks nothing.
_CODE_ELEMENT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]{2,}|\d")


def has_words(text: str) -> bool:
    """True when `text`, without markup, holds a word of two letters or a digit ("EO 14110", "5")."""
    plain = _TAG.sub(" ", _CODE_ELEMENT.sub(" ", text))
    return _WORD.search(plain) is not None
