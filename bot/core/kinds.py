"""Closed sets of stored strings as enums whose members *are* those strings.

A member compares, hashes and serialises (JSON, SQL, f-strings) exactly as its value, so rows
and queued payloads keep the strings they always had and no migration is needed; code gets a
name mypy checks instead of a bare literal. (`enum.StrEnum` does this from Python 3.11; this
project still supports 3.10.)
"""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """A str-valued enum whose members print and format as their value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class MessageKind(StrEnum):
    """Why a message goes out, which decides the rules it obeys. Routine messages obey
    consent, quiet hours and frequency caps; a reply answers the patient's own message and may
    go at once; safety and system messages (stop confirmation, help, crisis resources) always
    go."""

    ROUTINE = "routine"
    REPLY = "reply"
    SAFETY = "safety"
    SYSTEM = "system"


class ConversationStatus(StrEnum):
    ACTIVE = "active"  # waiting for the patient (or about to send)
    ENDED = "ended"
