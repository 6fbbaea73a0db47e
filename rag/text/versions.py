"""The version a text goes by: "version 1.1", "Ver2.0", "v1.1", "ver. 1.1", "AI RMF 1.0".

A bare "1.1" is not read as one: it is as often a section ("Section 1.1") as a version.
"""

from __future__ import annotations

import re

VERSION = re.compile(r"(?:\bver(?:sion)?\.?\s*\(?|\bv|\bRMF\s+)(\d+(?:\.\d+)*)\b", re.I)


def versions(text: str) -> set[str]:
    """The versions the text names, "2" and "2.0" as one ("2.0")."""
    return {n if "." in n else f"{n}.0" for n in (m.group(1) for m in VERSION.finditer(text))}
