"""Exceptions shown to people: one line, whatever the library put in the message."""

from __future__ import annotations


def one_line(exc: BaseException, limit: int = 200) -> str:
    """The message, whitespace collapsed, at most `limit` characters; the type name if empty."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:limit]
