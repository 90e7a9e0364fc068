"""The base for closed sets of stored strings: enums whose members *are* those strings.

A member compares, hashes and serialises (JSON, SQL, f-strings) exactly as its value, so rows
and queued payloads keep the strings they always had and no migration is needed; code gets a
name mypy checks instead of a bare literal. It lives outside the layers so that every layer,
down to the flow format, can name its statuses the same way. (`enum.StrEnum` does this from
Python 3.11; this project still supports 3.10.)
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """A str-valued enum whose members print and format as their value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)
