"""The flow format (format 1) as typed, immutable records, plus the vocabulary it allows.

A flow file is parsed by `bot.flows.loader` into a `Flow`; the engine and the compiler only ever
see these records, never raw YAML. `conversation_flows/README.md` is the authoring reference;
the constants here are what the checker enforces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from types import MappingProxyType
from typing import Any

from bot.enums import StrEnum

#: The newest flow-file format; older files are migrated on load (bot.flows.migrations).
FORMAT_VERSION = 1

#: Words carriers act on themselves (opt-out / opt-in / help). A flow must not expect them.
CARRIER_RESERVED = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
     "start", "unstop", "help", "info"}
)

class OutcomeClass(StrEnum):
    """What an ending means for a program's results. A flow names its endings in its own words
    (`booked`, `already_vaccinated`); results group them by class, so two programs' funnels
    compare even when their outcome names differ."""

    SUCCESS = "success"
    DECLINED = "declined"
    HANDED_TO_STAFF = "handed_to_staff"
    NO_RESPONSE = "no_response"
    UNREACHABLE = "unreachable"
    OPTED_OUT = "opted_out"
    #: The need went away before the patient answered (no longer due, program ended): counted
    #: apart, so it neither helps nor hurts the success rate.
    WITHDRAWN = "withdrawn"


#: Built-in outcomes, available to every flow, and the outcomes services set from outside a flow
#: (opt-out, a wrong number, a need met elsewhere), each with its class.
BUILTIN_OUTCOMES: Mapping[str, OutcomeClass] = MappingProxyType({
    "confirmed": OutcomeClass.SUCCESS,
    "rescheduled": OutcomeClass.SUCCESS,
    "completed": OutcomeClass.SUCCESS,
    "declined": OutcomeClass.DECLINED,
    "handed_off": OutcomeClass.HANDED_TO_STAFF,
    "escalated": OutcomeClass.HANDED_TO_STAFF,
    "closed_by_staff": OutcomeClass.HANDED_TO_STAFF,
    "no_response": OutcomeClass.NO_RESPONSE,
    "delivery_failed": OutcomeClass.UNREACHABLE,
    "failed": OutcomeClass.UNREACHABLE,
    "wrong_number": OutcomeClass.UNREACHABLE,
    "opted_out": OutcomeClass.OPTED_OUT,
    "resolved_elsewhere": OutcomeClass.SUCCESS,
    "no_longer_due": OutcomeClass.WITHDRAWN,
    "interrupted": OutcomeClass.WITHDRAWN,
})

#: Outcomes a flow may name in `end:` without declaring them (the rest are set by services).
OUTCOMES = (
    "confirmed", "rescheduled", "declined", "handed_off", "no_response", "opted_out",
    "escalated", "completed", "delivery_failed", "closed_by_staff", "failed",
)

#: Keys of a declared outcome written as a mapping (`booked: {class: success, description: ...}`).
OUTCOME_KEYS = ("class", "description")

#: How a flow's own outcome may be named: lower-case words joined by underscores.
OUTCOME_NAME = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


def outcome_class(flow: Flow | None, outcome: str | None) -> OutcomeClass | None:
    """The class of `outcome`: the flow's own declaration first, then the built-ins; None for
    an outcome nobody declared (an old row, a flow since removed)."""
    if not outcome:
        return None
    if flow is not None:
        return flow.outcome_class(outcome)
    return BUILTIN_OUTCOMES.get(outcome)


#: Intents a flow may expect (bot.understanding.intents.BUILTIN_INTENTS minus `help`, which is global).
FLOW_INTENTS = ("yes", "no", "number", "choice", "date", "reading")

#: Placeholders every host fills from settings, available to every flow.
HOST_FIELDS = frozenset({"program", "contact"})

#: Types a `context:` field may declare.
CONTEXT_TYPES = ("text", "date", "datetime", "time", "number", "list")

CHANNELS = ("sms", "voice")

#: Allowed keys per section (the checker suggests the nearest one for a typo).
FLOW_KEYS = ("format", "flow", "version", "description", "channels", "context", "settings",
             "outcomes", "start", "states", "on_delivery_failure")
STATE_KEYS = ("say", "variants", "expect", "no_reply", "not_understood", "ambiguous", "task",
              "end", "goto", "branch", "else", "note")
EXPECT_KEYS = ("intent", "keywords", "topics", "min", "max", "options_from", "save_as", "value",
               "say", "goto", "note", "reading", "unit", "alerts")
ALERT_KEYS = ("at_least", "priority", "team", "reason")
AMBIGUOUS_KEYS = ("ask", "then")
NO_REPLY_KEYS = ("after", "goto")
#: The reminder shorthand adds these to no_reply (bot.flows.reminders turns them into a state).
REMINDER_KEYS = ("remind", "then_after")
NOT_UNDERSTOOD_KEYS = ("reprompt", "say", "then")
TASK_KEYS = ("team", "priority", "reason", "escalate")
ESCALATE_KEYS = ("when", "priority")
BRANCH_KEYS = ("when", "goto")
SETTINGS_KEYS = ("quiet_hours", "allow_phi", "required_context", "max_reprompts", "kind")
DELIVERY_KEYS = ("task", "end")
SAY_KEYS = CHANNELS
#: The name of a state's own `say` when it also offers `variants:`.
STANDARD_VARIANT = "standard"
CONTEXT_FIELD_KEYS = ("type", "items", "phi")
#: Tests a condition may use. `min`/`at_least` and `max`/`at_most` include the number;
#: `below` and `above` do not.
CONDITION_OPS = ("min", "max", "at_least", "at_most", "below", "above", "equals", "in", "present")
#: Keys that group conditions: every one (`all:`) or at least one (`any:`) must hold.
CONDITION_GROUPS = ("all", "any")

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: Any) -> timedelta | None:
    """`30m`, `24h`, `2d` -> timedelta; anything else -> None."""
    if not isinstance(text, str):
        return None
    m = _DURATION.match(text)
    if not m or int(m.group(1)) == 0:
        return None
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


@dataclass(frozen=True)
class Say:
    """What to say: `sms` is the msgid; `voice` the spoken wording when it differs."""

    sms: str
    voice: str | None = None


def field_value(context: Mapping[str, Any], name: str) -> Any:
    """`bp.systolic` reads a part of a saved mapping; a reading saved as `{value: .., unit: ..}`
    compares by its value, so `weight: {at_least: 200}` works as well as `weight.value`."""
    head, _, rest = name.partition(".")
    have: Any = context.get(head)
    for part in rest.split(".") if rest else ():
        have = have.get(part) if isinstance(have, Mapping) else None
    if isinstance(have, Mapping) and "value" in have:
        have = have["value"]
    return have


_COMPARE = {
    "min": lambda a, b: a >= b, "at_least": lambda a, b: a >= b,
    "max": lambda a, b: a <= b, "at_most": lambda a, b: a <= b,
    "below": lambda a, b: a < b, "above": lambda a, b: a > b,
}


@dataclass(frozen=True)
class Condition:
    """`{score: {max: 2}}`: true when context field `field` satisfies `op` against `value`.

    A group (`op` "any" or "all") holds its conditions in `value`."""

    field: str
    op: str
    value: Any = None

    def holds(self, context: dict[str, Any]) -> bool:
        if self.op == "any":
            return any(c.holds(context) for c in self.value)
        if self.op == "all":
            return all(c.holds(context) for c in self.value)
        have = field_value(context, self.field)
        if self.op == "present":
            return (have is not None) == bool(self.value)
        if have is None:
            return False
        if self.op in _COMPARE:
            try:
                return bool(_COMPARE[self.op](float(have), float(self.value)))
            except (TypeError, ValueError):
                return False
        if self.op == "equals":
            return str(have) == str(self.value)
        if self.op == "in":
            return str(have) in {str(v) for v in self.value}
        return False


@dataclass(frozen=True)
class Escalation:
    """Raise a task's priority to `priority` when every condition holds."""

    when: tuple[Condition, ...]
    priority: str


@dataclass(frozen=True)
class TaskSpec:
    team: str
    priority: str
    reason: str
    escalate: tuple[Escalation, ...] = ()

    def priority_for(self, context: dict[str, Any]) -> str:
        for rule in self.escalate:
            if all(c.holds(context) for c in rule.when):
                return rule.priority
        return self.priority


@dataclass(frozen=True)
class ReadingAlert:
    """A reading level that needs a person: a reply holding a number at or above `at_least`
    (per part) reaches `team` at `priority` even when the rest of it cannot be read."""

    at_least: Mapping[str, float]
    priority: str
    team: str
    reason: str

    def level_of(self, part: str) -> float | None:
        value = self.at_least.get(part)
        return None if value is None else float(value)


@dataclass(frozen=True)
class Expectation:
    """One kind of reply a waiting state understands, and where it leads."""

    goto: str
    intent: str | None = None
    keywords: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    options_from: str | None = None
    save_as: str | None = None
    value: Any = None
    #: How this answer is offered on a phone call ("Press 1 for <say>."); a msgid.
    say: str | None = None
    #: Free-text topics (bot.understanding.lexicon.topics) that count as this answer in every language.
    topics: tuple[str, ...] = ()
    #: For `intent: reading`: the kind (bot.understanding.readings.READING_KINDS), the unit
    #: values are kept in, and the levels that reach a person whatever the reply's format.
    reading: str | None = None
    unit: str | None = None
    alerts: tuple[ReadingAlert, ...] = ()

    def label(self) -> str:
        """What this answer means, for a task ("understood: side effects")."""
        if self.say:
            return self.say
        if self.value is not None:
            return str(self.value).replace("_", " ")
        if self.reading:
            return self.reading.replace("_", " ")
        return self.intent or (self.keywords[0] if self.keywords else self.goto)

    def digit(self) -> int | None:
        """The single keypad key (1-9) among the keywords, which numbers this choice on a call."""
        keys = [int(k) for k in self.keywords if len(k) == 1 and k.isdigit() and k != "0"]
        return keys[0] if len(keys) == 1 else None


@dataclass(frozen=True)
class NoReply:
    after: timedelta
    goto: str


@dataclass(frozen=True)
class NotUnderstood:
    reprompt: int
    then: str
    say: Say | None = None


@dataclass(frozen=True)
class Ambiguous:
    """A reply that fits more than one answer: ask back `ask` times (0 or 1), then go to
    `then` (a hand-off state; by default the state's not_understood `then`)."""

    ask: int = 1
    then: str | None = None


@dataclass(frozen=True)
class Branch:
    when: tuple[Condition, ...]
    goto: str


@dataclass(frozen=True)
class State:
    """One step of a flow. It waits when it has `expect`; otherwise it moves on at once."""

    name: str
    say: Say | None = None
    task: TaskSpec | None = None
    expect: tuple[Expectation, ...] = ()
    no_reply: NoReply | None = None
    not_understood: NotUnderstood | None = None
    end: str | None = None
    goto: str | None = None
    branch: tuple[Branch, ...] = ()
    else_goto: str | None = None
    ambiguous: Ambiguous = Ambiguous()
    #: Other wordings of `say` to compare (A/B): (variant name, wording), in file order.
    variants: tuple[tuple[str, Say], ...] = ()

    def say_for(self, variant: str | None) -> Say | None:
        """`say` in the wording of `variant` (the standard `say` when this state has none)."""
        if variant and self.variants:
            return dict(self.variants).get(variant, self.say)
        return self.say
    #: Set on a state written by the reminder shorthand: the state whose answers it repeats.
    reminder_of: str | None = None

    @cached_property
    def choices(self) -> tuple[str, ...]:
        """Voice menu labels in keypad order: the `say:` of each expectation, by its digit."""
        labelled = sorted((e.digit() or 0, e.say) for e in self.expect if e.say)
        return tuple(label for _, label in labelled)

    @property
    def waits(self) -> bool:
        return bool(self.expect)

    def targets(self) -> list[str]:
        """Every state this one can lead to (for reachability and the diagram)."""
        out = [e.goto for e in self.expect]
        out += [b.goto for b in self.branch]
        for extra in (self.goto, self.else_goto,
                      self.no_reply.goto if self.no_reply else None,
                      self.not_understood.then if self.not_understood else None,
                      self.ambiguous.then):
            if extra:
                out.append(extra)
        return out


@dataclass(frozen=True)
class ContextField:
    name: str
    type: str = "text"
    items: int = 0
    phi: bool = False

    def placeholders(self) -> set[str]:
        """A list field `slots` with `items: 3` offers `slots_1`..`slots_3` as well."""
        names = {self.name}
        if self.type == "list":
            names |= {f"{self.name}_{i}" for i in range(1, self.items + 1)}
            names.add(f"{self.name}_count")
        return names


@dataclass(frozen=True)
class DeliveryFailure:
    """What to do when a message cannot be delivered."""

    task: TaskSpec | None = None
    end: str | None = None


@dataclass(frozen=True)
class Settings:
    quiet_hours: tuple[str, str] | None = None
    allow_phi: bool = False
    required_context: tuple[str, ...] = ()
    max_reprompts: int | None = None
    kind: str = "routine"


@dataclass(frozen=True)
class Flow:
    """One version of one flow, checked and ready to compile."""

    name: str
    version: int
    start: str
    states: dict[str, State]
    format: int = FORMAT_VERSION
    description: str = ""
    channels: tuple[str, ...] = ("sms",)
    context: dict[str, ContextField] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    on_delivery_failure: DeliveryFailure | None = None
    path: str = ""
    #: The flow's own outcomes (`booked: success`); the built-ins apply to every flow as well.
    declared_outcomes: Mapping[str, OutcomeClass] = field(default_factory=dict)

    @cached_property
    def outcomes(self) -> Mapping[str, OutcomeClass]:
        """Every outcome this flow can end with, built-in and declared, with its class."""
        return MappingProxyType({**BUILTIN_OUTCOMES, **self.declared_outcomes})

    def outcome_class(self, name: str) -> OutcomeClass | None:
        return self.outcomes.get(name)

    @property
    def key(self) -> tuple[str, int]:
        return (self.name, self.version)

    @property
    def variant_names(self) -> tuple[str, ...]:
        """The message variants patients are spread over: the standard wording first, then
        every name a state offers (empty when no state offers any)."""
        names = sorted({n for st in self.states.values() for n, _ in st.variants})
        return (STANDARD_VARIANT, *names) if names else ()

    def provided_fields(self) -> set[str]:
        """Placeholders a message may use: patient context, host fields and saved answers."""
        names = set(HOST_FIELDS)
        for cf in self.context.values():
            names |= cf.placeholders()
        for state in self.states.values():
            for exp in state.expect:
                if exp.save_as:
                    names.add(exp.save_as)
        return names
