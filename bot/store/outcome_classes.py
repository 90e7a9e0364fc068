"""The class of an outcome as the enrolment stores it (a plain string column).

The classes and the built-in outcomes are the flows' own (`bot.flows.schema.OutcomeClass`,
`BUILTIN_OUTCOMES`, `outcome_class`); this module only turns them into the stored strings.
"""

from __future__ import annotations

from bot.flows.schema import Flow, OutcomeClass, outcome_class

SUCCESS = str(OutcomeClass.SUCCESS)
OPTED_OUT = str(OutcomeClass.OPTED_OUT)
WITHDRAWN = str(OutcomeClass.WITHDRAWN)


def class_of(flow: Flow | None, outcome: str | None) -> str | None:
    """`outcome`'s class in `flow` (its declared outcomes first, then the built-ins)."""
    found = outcome_class(flow, outcome)
    return str(found) if found is not None else None


def class_of_builtin(outcome: str | None) -> str | None:
    """The class of an outcome set outside any flow (opted out, a need met elsewhere...)."""
    return class_of(None, outcome)
