"""Compatibility alias: call jobs scheduled before the re-layout name this module's
`place_call_job`; RQ imports it by that dotted path when the job comes due."""

from __future__ import annotations

from workers.jobs import place_call as place_call_job

__all__ = ["place_call_job"]
