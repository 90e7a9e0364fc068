"""`when:` conditions as the clinic's protocol says them, and how the checker reads them.

```yaml
when: {score: {at_most: 2}}                          # every test listed must hold
when:
  any:                                               # at least one of these
    - {bp.systolic: {at_least: 180}}
    - {bp.diastolic: {at_least: 120}}
when: {all: [{bp.systolic: {at_least: 140}}, {bp.systolic: {below: 180}}]}
```
A field may name a part of a saved answer with a dot (`bp.systolic`). Tests are
bot.flows.schema.CONDITION_OPS; the usual signs and spellings (`>=`, `gte`, `less_than`) are
refused with the name to write instead, and every refusal lists the allowed tests.
"""

from __future__ import annotations

from typing import Any

from bot.flows.issues import IssueList, suggest
from bot.flows.marked import Mark, MarkedDict, MarkedList, plain
from bot.flows.schema import CONDITION_GROUPS, CONDITION_OPS, Condition

#: What authors write for a test, and the name the format uses for it.
OP_ALIASES = {
    ">=": "at_least", "=>": "at_least", "gte": "at_least", "ge": "at_least", "minimum": "at_least",
    "greater_or_equal": "at_least", "<=": "at_most", "=<": "at_most", "lte": "at_most",
    "le": "at_most", "maximum": "at_most", ">": "above", "gt": "above", "greater_than": "above",
    "more_than": "above", "over": "above", "<": "below", "lt": "below", "less_than": "below",
    "under": "below", "=": "equals", "==": "equals", "eq": "equals", "is": "equals",
    "one_of": "in", "exists": "present",
}
_WORDS = {"min": "at least", "max": "at most", "at_least": "at least", "at_most": "at most",
          "below": "below", "above": "above", "equals": "is", "in": "is one of", "present": "present"}
ALLOWED = ", ".join(CONDITION_OPS)


def describe_condition(c: Condition) -> str:
    """A condition in words for diagrams: "bp.systolic at least 180 or bp.diastolic at least 120"."""
    if c.op in CONDITION_GROUPS:
        joiner = " or " if c.op == "any" else " and "
        return "(" + joiner.join(describe_condition(x) for x in c.value) + ")"
    return f"{c.field} {_WORDS.get(c.op, c.op)} {c.value}"


def _hint(op: str) -> str:
    alias = OP_ALIASES.get(op.strip().lower())
    return f' (did you mean "{alias}"?)' if alias else suggest(op, CONDITION_OPS + CONDITION_GROUPS)


def _group(name: str, value: Any, mark: Mark, what: str, issues: IssueList) -> Condition | None:
    items = value if isinstance(value, MarkedList) else None
    if not items:
        issues.add(getattr(value, "mark", mark),
                   f'"{name}:" in {what} must be a list of conditions, like '
                   f'{name}: [{{bp.systolic: {{at_least: 180}}}}, {{bp.diastolic: {{at_least: 120}}}}]')
        return None
    parts = []
    for n, item in enumerate(items, 1):
        inner = build_conditions(item, items.item_marks[n - 1], f"{name} item {n} of {what}", issues)
        if inner:
            parts.append(inner[0] if len(inner) == 1 else Condition("", "all", inner))
    return Condition("", name, tuple(parts)) if len(parts) == len(items) else None


def build_conditions(value: Any, mark: Mark, what: str, issues: IssueList) -> tuple[Condition, ...]:
    """`{score: {max: 2}, any: [...]}` -> conditions that must all hold (see the module docstring)."""
    if not isinstance(value, MarkedDict):
        issues.add(getattr(value, "mark", mark), f"when in {what} must be a mapping of conditions, "
                   f"like {{score: {{at_most: 2}}}}; tests: {ALLOWED}; groups: any, all")
        return ()
    for key, dup in value.duplicates:
        issues.add(dup, f'duplicate key "{key}" in when of {what}')
    out: list[Condition] = []
    for name, test in value.items():
        name = str(name)
        if name in CONDITION_GROUPS:
            group = _group(name, test, value.mark_of(name), what, issues)
            if group is not None:
                out.append(group)
            continue
        where = f'condition on "{name}" in {what}'
        if not isinstance(test, MarkedDict):
            issues.add(value.value_mark(name) if hasattr(value, "value_mark") else value.mark_of(name),
                       f"{where} must name a test, like {{{name}: {{at_least: {plain(test) or 1}}}}}; "
                       f"tests: {ALLOWED}")
            continue
        for op in test:
            if str(op) not in CONDITION_OPS:
                issues.add(test.mark_of(op), f'unknown test "{op}" in {where}{_hint(str(op))}; '
                                             f"tests: {ALLOWED}")
            else:
                out.append(Condition(name, str(op), plain(test[op])))
    return tuple(out)


def fields_of(conditions: tuple[Condition, ...]) -> set[str]:
    """Every field the conditions read (inside groups too), for the checker."""
    out: set[str] = set()
    for c in conditions:
        out |= fields_of(c.value) if c.op in CONDITION_GROUPS else {c.field}
    return out
