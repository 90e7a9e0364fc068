"""Sending at the carrier's rate: one shared pace per sender, kept in Redis.

A US long code takes about one segment per second, toll-free three, a short code a hundred or
more; a Messaging Service queues what is sent faster and, hours later, fails it with 30001.
Every worker process sends, so the pace must be shared: it lives in Redis as the sender's
"theoretical arrival time" (the generic cell rate algorithm, a token bucket with no burst). A
send reserves the next free slot atomically (a Lua script, on Redis's own clock so the workers'
clocks do not matter), sleeps until it, then calls Twilio. Slots are spaced by
`segments / (rate x headroom)`, so no second carries more than the rate even when a send
reaches Twilio a little late or early.

A worker holds at most one reservation, so the wait is at most (workers x segments / rate):
the backlog stays in the RQ queue, not in sleeping workers. A reservation further out than
`max_wait` is refused (a mis-sized deployment): the caller puts the message back and retries
later, and the refused slot is not taken.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import phonenumbers
from redis import Redis

from bot import defaults
from bot.settings import Settings

#: Redis key of a sender's pace; the sender is hashed (an address, even ours, is not logged).
KEY = "outreach:send-rate:{sender}"

# KEYS[1] the sender's key; ARGV[1] the slot length and ARGV[2] the longest wait, both in
# microseconds. Returns {1, wait_us} for a reserved slot or {0, retry_in_us} for a refusal.
_RESERVE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(tat, now)
local wait = start - now
if wait > max_wait then
  return {0, wait - max_wait}
end
redis.call('SET', KEYS[1], string.format('%d', start + interval),
           'PX', math.floor((wait + interval) / 1000) + 1000)
return {1, wait}
"""


@dataclass(frozen=True)
class Slot:
    """A reserved send slot (`granted`, sleep `wait` seconds first) or a refusal (retry in
    `wait` seconds)."""

    granted: bool
    wait: float


def sender_key(settings: Settings) -> str:
    """The pace key of the configured sender (Messaging Service or number)."""
    sender = settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER or "default"
    return KEY.format(sender=hashlib.sha256(sender.encode()).hexdigest()[:16])


def segments_per_second(settings: Settings) -> float:
    """The configured rate, else the usual rate of the sender's type (a short code or a
    Messaging Service with many numbers is configured: TWILIO_SEGMENTS_PER_SECOND)."""
    if settings.TWILIO_SEGMENTS_PER_SECOND is not None:
        return settings.TWILIO_SEGMENTS_PER_SECOND
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        return defaults.SEND_RATE_MESSAGING_SERVICE
    number = settings.TWILIO_FROM_NUMBER or ""
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return defaults.SEND_RATE_LONG_CODE
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return defaults.SEND_RATE_TOLL_FREE
    return defaults.SEND_RATE_LONG_CODE


class SendRate:
    """The shared pace of one sender at `rate` segments per second."""

    def __init__(self, connection: Redis, key: str, rate: float,
                 max_wait: float = defaults.SEND_RATE_MAX_WAIT_SECONDS) -> None:
        if rate <= 0:
            raise ValueError("a send rate must be positive")
        self.key, self.rate, self.max_wait = key, rate, max_wait
        self._reserve = connection.register_script(_RESERVE)

    @classmethod
    def for_settings(cls, connection: Redis, settings: Settings) -> SendRate:
        return cls(connection, sender_key(settings), segments_per_second(settings))

    def wait_for_slot(self, segments: int = 1) -> Slot:
        """Reserve a slot and sleep until it; a refusal comes back at once.

        A worker that wakes up late (a busy machine) would send right before the next slot's
        holder, two messages too close together: past half a slot late, the missed
        slot is left unused and a new one reserved, so a late wake-up costs pace, not the limit.
        """
        while True:
            slot = self.reserve(segments)
            if not slot.granted:
                return slot
            due = time.monotonic() + slot.wait
            if slot.wait > 0:
                time.sleep(slot.wait)
            if time.monotonic() - due <= self.interval(segments) / 2:
                return slot

    def interval(self, segments: int = 1) -> float:
        """Seconds between slots for a message of `segments` segments."""
        return max(1, segments) / (self.rate * defaults.SEND_RATE_HEADROOM)

    def reserve(self, segments: int = 1) -> Slot:
        """Reserve the next slot for a message of `segments` segments (one round trip)."""
        interval_us = int(self.interval(segments) * 1_000_000)
        granted, micros = self._reserve(keys=[self.key],
                                        args=[interval_us, int(self.max_wait * 1_000_000)])
        return Slot(bool(granted), int(micros) / 1_000_000)
