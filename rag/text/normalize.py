"""Text normalisation, one home for its three uses.

Each use needs a different canonical form, so there are three functions rather than one with flags:

* `normalize`: what the BM25 tokenizer sees (casefolded, Latin accents stripped);
* `normalize_surface`: what the citation checker compares (case and line breaks kept, exponents as
  `10^N`), because names are found by their capitals and sentences split on line breaks;
* `normalize_text`: what the eval metrics match gold quotes on (lower-case alphanumeric words only),
  because the quotes were copied from raw files whose punctuation and markup differ from ours.

They share the tables below; their remaining differences are deliberate and covered by tests.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["SUPERSCRIPT_DIGITS", "normalize", "normalize_surface", "normalize_text"]

SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

# Typographic quotes and hyphens that both the tokenizer and the citation checker straighten, so
# "US–Japan" and "US-Japan", "22–23" and "22-23" agree.
# fmt: off
_COMMON_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
}
# A token never holds a dash, so the tokenizer turns em dashes into plain spaces and drops soft hyphens.
_TOKEN_QUOTES = str.maketrans({
    **_COMMON_QUOTES, "\u00b4": "'", "\u00ad": "", "\u2014": " ", "\u2015": " ",
})
# The checker keeps an em dash as " - " so clause punctuation survives; guillemets are quotes.
_SURFACE_QUOTES = str.maketrans({
    **_COMMON_QUOTES, "\u00ab": '"', "\u00bb": '"', "\u2014": " - ", "\u2015": " - ",
})
# fmt: on

# --- normalize ----------------------------------------------------------------------------------
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_HTML_SUP = re.compile(r"<sup>\s*([0-9]+)\s*</sup>", re.IGNORECASE)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")  # Latin diacritics only: Japanese dakuten etc. survive


def _normalize_run(m: re.Match[str]) -> str:
    run = m.group()
    # Superscripts before NFKC, which would turn "10²⁶" into an unrecognisable "1026".
    run = _SUPERSCRIPT_RUN.sub(lambda s: "^" + s.group().translate(SUPERSCRIPT_DIGITS), run)
    run = unicodedata.normalize("NFKC", run).translate(_TOKEN_QUOTES).casefold()
    if run.isascii():
        return run
    return unicodedata.normalize("NFKC", _COMBINING.sub("", unicodedata.normalize("NFKD", run)))


def normalize(text: str) -> str:
    """NFKC, casefolded, straight quotes and hyphens, Latin accents stripped, superscripts as `^`."""
    if "<sup>" in text or "<SUP>" in text:
        text = _HTML_SUP.sub(r"^\1", text)
    if not text.isascii():
        # Only the non-ASCII runs need Unicode work (ASCII is already NFKC); whole-text NFKC/NFKD
        # would be half the cost of tokenising the corpus.
        text = _NON_ASCII.sub(_normalize_run, text)
    return text.lower()


# --- normalize_surface --------------------------------------------------------------------------
_SUP_TAG_RE = re.compile(r"<sup>\s*([-−]?\d+)\s*</sup>", re.IGNORECASE)
_SUP_CHARS_RE = re.compile(r"(?<=\d)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_POWER_RE = re.compile(r"(?<=\d)\s?(?:\*\*|\^)\s?(?=\d)")
_SCI_RE = re.compile(r"(?<![\w.])1(?:\.0)?[eE]\+?(\d{1,3})(?!\w)")
_DOTTED_ACRONYM_RE = re.compile(r"\b((?:[A-Z]\.){2,})")
_MARKDOWN_RE = re.compile(r"\*\*|__|`+|^#+\s*|^\s*[-*•]\s+", re.MULTILINE)
_HSPACE_RE = re.compile(r"[^\S\n]+")
_LINES_RE = re.compile(r"\s*\n\s*")


def normalize_surface(text: str) -> str:
    """Canonical surface form for comparison: exponents as 10^N, straight quotes, NFKC, one space.

    Line breaks survive (as one newline, or a blank line) because the sentence splitter uses them.
    """
    text = _SUP_TAG_RE.sub(r"^\1", text)
    text = _SUP_CHARS_RE.sub(lambda m: "^" + m.group(1).translate(SUPERSCRIPT_DIGITS), text)
    text = _POWER_RE.sub("^", text)
    text = _SCI_RE.sub(r"10^\1", text)
    text = unicodedata.normalize("NFKC", text).translate(_SURFACE_QUOTES)
    text = _DOTTED_ACRONYM_RE.sub(lambda m: m.group(1).replace(".", ""), text)
    text = _MARKDOWN_RE.sub(" ", text)
    text = _HSPACE_RE.sub(" ", text)
    return _LINES_RE.sub(lambda m: "\n\n" if m.group().count("\n") > 1 else "\n", text).strip()


# --- normalize_text -----------------------------------------------------------------------------
_SUP = re.compile(r"<sup>\s*([^<]*?)\s*</sup>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][^>]*>", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


def normalize_text(text: str) -> str:
    """Lower-case alphanumeric tokens joined by single spaces; punctuation, markup and accents dropped."""
    text = _SUP.sub(r" \1 ", text)  # "10<sup>26</sup>" and the cleaned "10^26" both become "10 26"
    text = _TAG.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    # Soft hyphens and other format characters vanish; combining accents go so "Ō" matches "O".
    text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Cf"))
    return " ".join(_WORD.findall(text.casefold()))
