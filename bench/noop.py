"""A job that does nothing: the bare baseline for worker throughput."""

from __future__ import annotations


def noop(*args: object) -> None:
    """Do nothing; its cost is RQ's own."""
    return None
