"""The stored statuses and kinds, as enums of the strings the rows hold (see bot.core.kinds)."""

from __future__ import annotations

from bot.core.kinds import StrEnum


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class MessageStatus(StrEnum):
    """Where a message is: ours until `sending`, then Twilio's statuses (its callbacks)."""

    PENDING = "pending"  # stored, its send job queued
    DEFERRED = "deferred"  # held for quiet hours, the daily cap or a carrier retry
    SENDING = "sending"  # claimed by a send job
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    RECEIVED = "received"  # an inbound message
    SUPPRESSED = "suppressed"  # never sent: consent was revoked
    READ = "read"


class InboxKind(StrEnum):
    """What an inbox event asks the patient's worker to do."""

    START = "start"
    REPLY = "reply"
    TIMEOUT = "timeout"
    DELIVERY_FAILED = "delivery_failed"
    STAFF = "staff"


class ConsentStatus(StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"


class TimeoutStatus(StrEnum):
    SCHEDULED = "scheduled"
    FIRED = "fired"
    CANCELLED = "cancelled"


class TaskStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
