"""Normalise converted documents into plain markdown text without changing their wording.

The corpus was converted from PDFs and web pages, which leaves markup artefacts behind.
``clean_text`` removes them while keeping every word and the markdown headings the chunker
relies on.  Rules, applied in one pass and repeated until the text stops changing (so the
function is idempotent by construction):

* HTML comments (``<!-- -->``, used as list separators) are removed.
* HTML entities with a terminating ``;`` are unescaped (``&amp;`` -> ``&``, ``&#8217;`` -> ``’``).
  Entities without the semicolon are left alone: in prose "R&D" or "&para" are more likely text.
* ``<sup>`` after a digit: a number becomes an exponent (``10<sup>26</sup>`` -> ``10^26``), an
  ordinal suffix is joined (``12<sup>th</sup>`` -> ``12th``).  Any other ``<sup>`` (after a word,
  a space or punctuation) is a footnote marker and is kept as ``[26]``: dropping it would lose the
  pointer to the document's notes section, gluing it on would turn "law<sup>3</sup>" into "law3".
* ``<sub>``: digits after a letter are joined (``CO<sub>2</sub>`` -> ``CO2``); other subscripts
  after a letter or digit become ``_x``; anywhere else the content is kept as is.
* Other *known* HTML tags are stripped (block-level tags and ``<br>`` become line breaks).  Only
  real HTML tag names are touched, so text such as ``<Academic discipline>`` survives.
* U+037E GREEK QUESTION MARK -> ``;``; non-breaking and narrow no-break spaces -> space; soft
  hyphens, zero-width spaces and BOMs removed; CRLF, CR, U+2028/U+2029 -> LF.
* Trailing whitespace is trimmed on every line; runs of 3+ blank lines become 2 blank lines;
  leading blank lines are dropped and a non-empty result ends with exactly one newline.
"""

from __future__ import annotations

import html
import html.entities
import re

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")

_BLOCK_TAGS = (
    "address|article|aside|blockquote|body|br|caption|center|dd|div|dl|dt|figcaption|figure|"
    "footer|h[1-6]|head|header|hr|html|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|"
    "thead|title|tr|ul"
)
_INLINE_TAGS = (
    "a|abbr|acronym|b|bdi|bdo|big|cite|code|del|dfn|em|font|i|img|ins|kbd|mark|meta|link|q|s|"
    "samp|small|span|strike|strong|time|tt|u|var|wbr"
)
# A tag is only stripped when its name is a real HTML tag and the rest looks like attributes.
_TAG_TAIL = r"\b(?:\s+[^<>]*)?/?>"
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS}){_TAG_TAIL}", re.IGNORECASE)
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS}){_TAG_TAIL}", re.IGNORECASE)

_SUP = re.compile(r"<sup\b[^<>]*>([^<>]*)</sup\s*>", re.IGNORECASE)
_SUB = re.compile(r"<sub\b[^<>]*>([^<>]*)</sub\s*>", re.IGNORECASE)
_STRAY_SUPSUB = re.compile(r"</?su[pb]\b[^<>]*>", re.IGNORECASE)

_EXPONENT = re.compile(r"[-+−]?\d+(?:\.\d+)?")
_ORDINAL = re.compile(r"(?:st|nd|rd|th|er|e|re|ème)", re.IGNORECASE)

_CHAR_MAP = {
    "\u037e": ";",  # Greek question mark, a look-alike of the semicolon in converted text
    "\u00a0": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\u00ad": "",  # soft hyphen: invisible in the source, splits words in ours
    "\u200b": "",
    "\ufeff": "",
    "\u2028": "\n",
    "\u2029": "\n",
}
_MANY_BLANK_LINES = re.compile(r"\n{4,}")


def clean_text(raw: str) -> str:
    """Return ``raw`` with conversion artefacts removed; idempotent."""
    text = raw
    while True:
        cleaned = _clean_once(text)
        if cleaned == text:
            return cleaned
        text = cleaned


def _clean_once(text: str) -> str:
    # Every step either shortens the text or removes a special character, so repeating the
    # pass until nothing changes always terminates.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _COMMENT.sub("", text)
    text = _unescape_entities(text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _INLINE_TAG.sub("", text)
    text = _SUP.sub(_replace_sup, text)
    text = _SUB.sub(_replace_sub, text)
    text = _STRAY_SUPSUB.sub("", text)
    text = _replace_chars(text)
    text = text.replace("\r", "\n")  # entities may have produced carriage returns
    return _normalise_whitespace(text)


def _unescape_entities(text: str) -> str:
    return _ENTITY.sub(_unescape_entity, text)


def _unescape_entity(match: re.Match[str]) -> str:
    entity = match.group(0)
    # html.unescape would also expand a known prefix ("&notanentity;" -> "¬anentity;").
    if entity[1] != "#" and entity[1:] not in html.entities.html5:
        return entity
    return html.unescape(entity)


def _replace_sup(match: re.Match[str]) -> str:
    content = match.group(1).strip()
    before = match.string[match.start() - 1] if match.start() > 0 else ""
    if not content:
        return ""
    if before.isdigit() and _EXPONENT.fullmatch(content):
        return "^" + content.replace("−", "-")
    if before.isdigit() and _ORDINAL.fullmatch(content):
        return content
    return f"[{content}]"


def _replace_sub(match: re.Match[str]) -> str:
    content = match.group(1).strip()
    before = match.string[match.start() - 1] if match.start() > 0 else ""
    if not content:
        return ""
    if before.isalpha() and content.isdigit():
        return content
    if before.isalnum():
        return "_" + content
    return content


def _replace_chars(text: str) -> str:
    # Chained str.replace is an order of magnitude faster than str.translate with a dict.
    for char, replacement in _CHAR_MAP.items():
        if char in text:
            text = text.replace(char, replacement)
    return text


def _normalise_whitespace(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _MANY_BLANK_LINES.sub("\n\n\n", text)
    text = text.lstrip("\n").rstrip("\n")
    return text + "\n" if text else ""
