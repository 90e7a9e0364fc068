"""The conversation core's closed sets of stored strings: why a message goes out and where a
conversation stands. (The str-valued base they share is `bot.enums.StrEnum`.)"""

from __future__ import annotations

from bot.enums import StrEnum

__all__ = ["StrEnum", "MessageKind", "ConversationStatus"]


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
