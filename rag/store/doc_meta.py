"""`DocMeta`: the provenance record (manifest fields) that travels with every indexed document."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, field_validator

# YYYY, YYYY-MM or YYYY-MM-DD: a prefix of an ISO date, because many sources only give a month or a year.
ISO_PREFIX = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


class DocMeta(BaseModel):
    doc_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1, description="First element of heading paths.")
    publisher: str = ""
    date: str = Field("", description="ISO prefix: YYYY, YYYY-MM or YYYY-MM-DD; empty when unknown.")
    url: str = Field("", description="The manifest's original_url, or the URL loaded.")
    license: str = ""
    source: str = Field("", description="Path or URL the document was loaded from.")
    aliases: list[str] = Field(default_factory=list)
    provenance: dict[str, Any] = Field(
        default_factory=dict, description="Every other manifest field, verbatim."
    )

    @field_validator("date")
    @classmethod
    def _iso_prefix(cls, value: str) -> str:
        value = value.strip()
        if value and not ISO_PREFIX.match(value):
            raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return value
