"""Compile a `Flow` into one `transitions.Machine`, built once per (flow, version) and cached.

The machine holds no models (`model=None`) and has `auto_transitions=False`, so the only moves
that exist are the ones the flow file wrote. The engine restores a conversation by putting its
saved state on a tiny `_Cursor` and calling `machine.events[name].trigger(cursor)`: no machine
per message, nothing left attached (a `Machine` keeps a reference to every model added to it,
so one machine per conversation would leak).

Event names (stable; coverage and diagrams use them):
  begin                      new conversation -> start state
  reply:<state>:<n>          the n-th expected reply of <state>, counted from 1 as the checker does
  no_reply:<state>           the wait timed out
  not_understood:<state>     re-prompts used up
  ambiguous:<state>          a reply fit more than one answer (after asking back, when set)
  next:<state>               a state with goto: moved on
  branch:<state>:<n>         the n-th branch (from 1, as the checker counts) held
  else:<state>               no branch condition held
  staff_goto:<state>         a staff member moved the conversation (from any state)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NamedTuple

from transitions import Machine, MachineError

from bot.errors import EngineError
from bot.flows.conditions import describe_condition
from bot.flows.schema import Flow

NEW = "__new__"
BEGIN = "begin"

logging.getLogger("transitions").setLevel(logging.ERROR)


class Transition(NamedTuple):
    event: str
    source: str
    dest: str
    label: str


class _Cursor:
    """The light model a trigger moves: only a state name, never attached to the machine."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _label(words: list[str]) -> str:
    return " / ".join(words)[:40]


def flow_transitions(flow: Flow) -> list[Transition]:
    """Every transition the flow defines (staff moves excluded), in file order."""
    out = [Transition(BEGIN, NEW, flow.start, "start")]
    for name, st in flow.states.items():
        for n, exp in enumerate(st.expect, 1):
            words = ([exp.intent] if exp.intent else []) + list(exp.keywords[:2])
            if exp.intent == "number":
                words = [f"{exp.min}-{exp.max}"]
            out.append(Transition(f"reply:{name}:{n}", name, exp.goto, _label(words)))
        if st.no_reply:
            hours = st.no_reply.after.total_seconds() / 3600
            out.append(Transition(f"no_reply:{name}", name, st.no_reply.goto, f"no reply {hours:g}h"))
        if st.not_understood:
            out.append(Transition(f"not_understood:{name}", name, st.not_understood.then, "not understood"))
        if st.expect and st.ambiguous.then:
            out.append(Transition(f"ambiguous:{name}", name, st.ambiguous.then, "ambiguous"))
        if st.goto:
            out.append(Transition(f"next:{name}", name, st.goto, ""))
        for n, br in enumerate(st.branch, 1):
            cond = " and ".join(describe_condition(c) for c in br.when)
            out.append(Transition(f"branch:{name}:{n}", name, br.goto, cond))
        if st.else_goto:
            out.append(Transition(f"else:{name}", name, st.else_goto, "else"))
    return out


@dataclass
class CompiledFlow:
    flow: Flow
    machine: Machine
    transitions: list[Transition]

    def fire(self, state: str, event: str) -> str:
        """Move from `state` by `event` through the machine; an undefined move raises EngineError."""
        cursor = _Cursor(state)
        try:
            self.machine.events[event].trigger(cursor)
        except KeyError:
            raise EngineError(f"flow {self.flow.name} v{self.flow.version} has no event {event!r}") from None
        except MachineError as exc:
            raise EngineError(str(exc)) from None
        return cursor.state

    def mermaid(self) -> str:
        """A Mermaid `stateDiagram-v2` of the flow (renders on GitHub, no Graphviz needed)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.flow.start}"]
        for t in self.transitions[1:]:
            label = f" : {t.label}" if t.label else ""
            lines.append(f"    {t.source} --> {t.dest}{label}")
        for name, st in self.flow.states.items():
            if st.end:
                lines.append(f"    {name} --> [*] : {st.end}")
        return "\n".join(lines) + "\n"


def _build(flow: Flow) -> CompiledFlow:
    states = [NEW, *flow.states]
    machine = Machine(model=None, states=states, initial=NEW, auto_transitions=False,
                      send_event=False, ignore_invalid_triggers=False)
    transitions = flow_transitions(flow)
    for t in transitions:
        machine.add_transition(t.event, t.source, t.dest)
    for name in flow.states:
        machine.add_transition(f"staff_goto:{name}", list(flow.states), name)
    return CompiledFlow(flow, machine, transitions)


_CACHE: dict[int, CompiledFlow] = {}


def compile_flow(flow: Flow) -> CompiledFlow:
    """The compiled machine for this exact Flow object, built on first use and then reused."""
    compiled = _CACHE.get(id(flow))
    if compiled is None or compiled.flow is not flow:
        compiled = _CACHE[id(flow)] = _build(flow)
    return compiled
