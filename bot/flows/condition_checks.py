"""Names that conditions and reasons read: a `when:` field the flow never provides would make
its branch silently never hold, and `{bp.systolc}` would reach staff with braces.

A field is a context field or a saved answer; a dotted name (`bp.systolic`) names a part of a
saved answer, checked against the parts of a reading (bot.flows.reading_spec.parts_of). Each
unknown name gets a "did you mean".
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.flows.conditions import fields_of
from bot.flows.issues import IssueList, suggest
from bot.flows.marked import Mark, MarkedDict, MarkedList
from bot.flows.reading_spec import parts_of
from bot.flows.schema import Condition, Flow
from bot.flows.where import state_doc, state_mark
from bot.i18n import PLACEHOLDER


def _readings(flow: Flow) -> dict[str, str]:
    """save_as name -> reading kind, for every reading the flow saves."""
    return {e.save_as: e.reading for st in flow.states.values() for e in st.expect
            if e.save_as and e.reading}


def _problem(name: str, known: set[str], readings: dict[str, str]) -> str | None:
    head, dot, part = name.partition(".")
    if head not in known:
        return f'"{name}" is neither a context field nor a saved answer{suggest(head, sorted(known))}'
    if not dot:
        return None
    if head not in readings:
        return None  # another answer saved as a mapping (a choice from a list): its parts vary
    parts = parts_of(readings[head])
    if part not in parts:
        return (f'"{name}": a {readings[head].replace("_", " ")} has no part "{part}"'
                f'{suggest(part, parts)}; parts: {", ".join(parts)}')
    return None


def _conditions(flow: Flow, doc: MarkedDict) -> Iterator[tuple[tuple[Condition, ...], Mark, str]]:
    for name, st in flow.states.items():
        sdoc = state_doc(doc, name)
        items = sdoc.get("branch")
        marks = items.item_marks if isinstance(items, MarkedList) else []
        for n, br in enumerate(st.branch, 1):
            yield br.when, marks[n - 1] if n <= len(marks) else state_mark(doc, name), f'branch {n} of state "{name}"'
        tdoc = sdoc.get("task")
        if st.task and isinstance(tdoc, MarkedDict):
            for rule in st.task.escalate:
                yield rule.when, tdoc.mark_of("escalate"), f'escalate of the task of state "{name}"'


def check_condition_fields(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    known, readings = flow.provided_fields(), _readings(flow)
    for conditions, mark, where in _conditions(flow, doc):
        for field in sorted(fields_of(conditions)):
            problem = _problem(field, known, readings)
            if problem:
                issues.add(mark, f"condition in {where}: {problem}")


def check_reading_parts_in_reasons(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """`{bp.systolc}` in a task's reason (the name before the dot is checked with the others)."""
    known, readings = flow.provided_fields(), _readings(flow)
    for name, st in flow.states.items():
        tdoc = state_doc(doc, name).get("task")
        if not st.task or not isinstance(tdoc, MarkedDict):
            continue
        for m in PLACEHOLDER.finditer(st.task.reason):
            field = m.group(1)
            if "." in field and field.partition(".")[0] in known:
                problem = _problem(field, known, readings)
                if problem:
                    issues.add(tdoc.value_mark("reason"), f'placeholder in the reason of the task of state "{name}": {problem}')


CHECKS = (check_condition_fields, check_reading_parts_in_reasons)
