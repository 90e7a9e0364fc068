"""The class of an outcome (success, declined, handed to staff, no response, unreachable,
opted out), as the enrolment records it.

Flows may declare their own outcomes with a class (`Flow.outcomes`); the built-in outcomes keep
theirs, including those set from outside any flow (a need met elsewhere, a staff close).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SUCCESS, DECLINED, HANDED_TO_STAFF = "success", "declined", "handed_to_staff"
NO_RESPONSE, UNREACHABLE, OPTED_OUT = "no_response", "unreachable", "opted_out"
CLASSES = (SUCCESS, DECLINED, HANDED_TO_STAFF, NO_RESPONSE, UNREACHABLE, OPTED_OUT)

BUILTIN: Mapping[str, str] = {
    "confirmed": SUCCESS, "rescheduled": SUCCESS, "completed": SUCCESS,
    "resolved_elsewhere": SUCCESS,
    "declined": DECLINED,
    "handed_off": HANDED_TO_STAFF, "escalated": HANDED_TO_STAFF,
    "closed_by_staff": HANDED_TO_STAFF,
    "no_response": NO_RESPONSE,
    "delivery_failed": UNREACHABLE, "failed": UNREACHABLE, "wrong_number": UNREACHABLE,
    "opted_out": OPTED_OUT,
}


def class_of_builtin(outcome: str | None) -> str | None:
    return BUILTIN.get(outcome or "")


def class_of(flow: Any, outcome: str | None) -> str | None:
    """`outcome`'s class in `flow` (its declared outcomes first), else the built-in class."""
    declared: Mapping[str, Any] = getattr(flow, "outcomes", None) or {}
    if outcome and outcome in declared:
        return str(declared[outcome])
    return class_of_builtin(outcome)
