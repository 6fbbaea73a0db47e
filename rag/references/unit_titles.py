"""An article's, annex's or section's title beside its number in the label a quote is shown under.

"EU AI Act › Annex III › 4(a)" says where a quote sits; "Annex III — High-risk AI systems referred to in
Article 6(2) › 4(a)" also says what the list is, and a question whether a CV-screening tool is "a big
deal" turns on that (dev u-para-054), as "is it legal for an app to guess someone's religion from their
face?" turns on "Article 5 — Prohibited AI practices" (dev u-para-060). Legal citation gives the title
beside the number for the same reason. The titles come from the chunk's titled heading path (ingest's
`section_path(titled=True)`, which search already reads), so a user's own text gets them too.
"""

from __future__ import annotations

import re

from rag.text.clauses import PATH_SEPARATOR

# The units a reader cites by number; a range ("Article 12–14") has no one title.
_UNIT = re.compile(r"^(Article \d+|Annex [IVXLC]+|Sec\. \d+|Part \d+|Appendix [A-Z])(?=$|\()")
_TITLED = re.compile(r"^(.+?) — (.+)$")


def with_unit_title(label: str, titled_section: str) -> str:
    """`label` with the title of its innermost cited unit, when `titled_section` gives one."""
    titles: dict[str, str] = {}
    for part in titled_section.split(PATH_SEPARATOR.strip()):
        found = _TITLED.match(part.strip())
        if found:
            titles[found.group(1).casefold()] = found.group(2)
    if not titles:
        return label
    parts = label.split(PATH_SEPARATOR)
    for i in range(len(parts) - 1, -1, -1):
        unit = _UNIT.match(parts[i].strip())
        if unit is None:
            continue
        title = titles.get(unit.group(1).casefold())
        if title:
            parts[i] = f"{parts[i]} — {title}"
        break
    return PATH_SEPARATOR.join(parts)
