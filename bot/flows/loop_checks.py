"""States that move on without waiting must not form a loop.

A state with `goto:` or `branch:` runs and moves on in the same turn. If such states lead back
to each other, a conversation that reaches them spins: the engine stops it after
`MAX_STEPS_PER_TURN` states, ends it as failed and audits a `flow_loop`, which a patient
experiences as a burst of repeated texts and silence. Saved answers cannot change within a
turn (only replies save), so a branch that enters such a loop takes the same way every time.
"""

from __future__ import annotations

from bot.defaults import MAX_STEPS_PER_TURN
from bot.flows.issues import IssueList
from bot.flows.marked import MarkedDict
from bot.flows.schema import Flow, State
from bot.flows.where import state_mark


def _passes(st: State) -> bool:
    return not st.expect and not st.end and bool(st.goto or st.branch)


def _moves(st: State) -> list[str]:
    return [t for t in (st.goto, *(b.goto for b in st.branch), st.else_goto) if t]


def non_waiting_cycles(flow: Flow) -> list[list[str]]:
    """Each loop of pass-through states (strongly connected, or a state leading to itself),
    as state names in file order."""
    graph = {name: [t for t in _moves(st) if t in flow.states and _passes(flow.states[t])]
             for name, st in flow.states.items() if _passes(st)}
    order = {name: n for n, name in enumerate(flow.states)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component, key=order.__getitem__))

    for name in graph:
        if name not in index:
            visit(name)
    return sorted(found, key=lambda c: order[c[0]])


def _loop_path(start: str, members: set[str], graph: dict[str, list[str]]) -> list[str]:
    """The shortest way from `start` back to itself inside one loop, for the message."""
    paths = {start: [start]}
    todo = [start]
    while todo:
        node = todo.pop(0)
        for nxt in graph[node]:
            if nxt == start:
                return [*paths[node], start]
            if nxt in members and nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                todo.append(nxt)
    return [start, start]


def check_loops(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    graph = {name: _moves(st) for name, st in flow.states.items()}
    for cycle in non_waiting_cycles(flow):
        path = " -> ".join(_loop_path(cycle[0], set(cycle), graph))
        issues.add(state_mark(doc, cycle[0]),
                   f"states {path} move on without waiting for the patient: a conversation that "
                   f"reaches them would loop until it is stopped after {MAX_STEPS_PER_TURN} states; "
                   "give one of them expect: or end:")


CHECKS = (check_loops,)
