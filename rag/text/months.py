"""Month names: the one table that the date grammars of the checker, the timeline, the issuer cues and the
Japanese date translation read."""

from __future__ import annotations

MONTH_NAMES: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Full names and abbreviations, lower case → month number.
MONTH_NUMBER: dict[str, int] = {m.lower(): i for i, m in enumerate(MONTH_NAMES, start=1)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_PATTERN = "|".join(MONTH_NAMES)  # a regex alternation of the full names


def month_number(name: str) -> int:
    """1-12 for a month's name or abbreviation in any case; 0 for anything else."""
    return MONTH_NUMBER.get(name.lower().rstrip("."), 0)
