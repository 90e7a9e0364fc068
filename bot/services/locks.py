"""The per-patient lock: one worker at a time moves a patient's conversations.

SET NX PX with a random token; release and extend are compare-and-act Lua scripts, so a worker
whose lock expired (it stalled past the TTL) can never release or extend someone else's.
"""

from __future__ import annotations

import secrets

from redis import Redis

from bot import defaults

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class PatientLock:
    """`lock:patient:<id>` held for `ttl_seconds` unless extended."""

    def __init__(
        self, connection: Redis, patient_id: int,
        ttl_seconds: float = defaults.PATIENT_LOCK_TTL_SECONDS,
    ) -> None:
        self.connection = connection
        self.key = f"lock:patient:{patient_id}"
        self.ttl_ms = int(ttl_seconds * 1000)
        self.token = secrets.token_hex(16)
        self.held = False

    def acquire(self) -> bool:
        self.held = bool(self.connection.set(self.key, self.token, nx=True, px=self.ttl_ms))
        return self.held

    def extend(self) -> bool:
        """Push the expiry out again; False means the lock was lost (stop working)."""
        self.held = bool(self.connection.eval(_EXTEND, 1, self.key, self.token, self.ttl_ms))
        return self.held

    def release(self) -> bool:
        released = bool(self.connection.eval(_RELEASE, 1, self.key, self.token))
        self.held = False
        return released
