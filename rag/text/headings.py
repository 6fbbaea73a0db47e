"""Lines that are headings, not sentences: they are never quoted as an answer."""

from __future__ import annotations

import re

# "*Tokyo Report | Security | East Asia*": a page's section tags, labels joined by bars, not a sentence.
_LABEL = r"[\w’'&.-]+(?: [\w’'&.-]+){0,3}"  # up to four words
_LABEL_LINE = re.compile(rf"^[\W_]*{_LABEL}(?: \| {_LABEL})+[\W_]*$")
# So is a title line of capitalised labels between dashes: "A/RES/78/265 — United Nations — General
# Assembly" (with no full stop: "The Commission — acting alone — shall…" is a sentence).
_TITLE = r"[A-Z0-9][\w’'&./-]*(?: [\w’'&./-]+){0,3}"
_TITLE_LINE = re.compile(rf"^{_TITLE}(?: [—–] {_TITLE})+$")


# "## 9. Prioritize the development of advanced AI systems to address the world's greatest challenges…":
# the G7 principles and code, and the OECD's and Japan's numbered principles, are stated as headings. Each
# is a statement, and the answer to a question about it: a numbered line of seven words or more.
_NUMBERED_STATEMENT = re.compile(r"^#+\s*\(?\d+(?:\.\d+)*[.)]\s*\S+(?:\s+\S+){6,}")


def is_heading(text: str) -> bool:
    """A heading, a page's section tags or a title line: it names a topic and answers nothing."""
    line = text.strip()
    if line.startswith("#"):
        return not _NUMBERED_STATEMENT.match(line)
    return bool(_LABEL_LINE.match(line) or _TITLE_LINE.match(line))
