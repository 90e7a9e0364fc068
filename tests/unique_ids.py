"""Test identities handed out from one counter per test process.

Every module's SQLite and PostgreSQL halves, and every helper module, draw from the same
counter, so two patients made in one run never share a phone number (random draws from a few
thousand values clashed about once in fifty runs).
"""

from __future__ import annotations

import itertools

#: US area codes whose 555-xxxx numbers are fictional yet pass phonenumbers' checks; the
#: counter moves to the next code every 10,000 numbers.
_AREA_CODES = ("202", "212", "213", "305", "312", "404", "415", "503", "617", "713")
_NEXT = itertools.count()


def next_phone() -> str:
    """A number no other test in this process has been given: +1 AAA 555 NNNN."""
    n = next(_NEXT)
    area = _AREA_CODES[(n // 10_000) % len(_AREA_CODES)]
    return f"+1{area}555{n % 10_000:04d}"
