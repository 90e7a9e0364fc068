"""`intent: reading` in a flow file: which reading, its unit, and the levels that need a person.

```yaml
expect:
  - intent: reading
    reading: blood_pressure        # blood_pressure, glucose, weight, temperature, pulse, oxygen, pain
    save_as: bp                    # saved as {systolic: 184, diastolic: 96}: write {bp.systolic}
    alerts:
      - at_least: {systolic: 180, diastolic: 120}   # either part at or above
        priority: urgent
        team: nursing
        reason: "Blood pressure may be at crisis level"
    goto: judge
```
`unit:` (glucose mg/dL or mmol/L, weight lb or kg, temperature °F or °C) is the unit values
are kept and compared in; patients may send either, and are converted.
"""

from __future__ import annotations

from bot.defaults import TASK_PRIORITIES, TASK_TEAMS
from bot.flows.issues import IssueList, suggest
from bot.flows.key_hints import hint
from bot.flows.marked import MarkedDict, MarkedList
from bot.flows.schema import ALERT_KEYS, ReadingAlert
from bot.understanding.readings import KINDS, READING_KINDS


def parts_of(kind: str) -> tuple[str, ...]:
    """The names a saved reading holds (`systolic`, `diastolic`; or `value`, `unit`...)."""
    spec = KINDS.get(kind)
    if spec is None:
        return ()
    names = (*(p.name for p in spec.parts), "at")  # `at`: when the reading was received
    return names if kind == "blood_pressure" else (*names, "unit", "timing")


def _alert(d: MarkedDict, kind: str, what: str, issues: IssueList) -> ReadingAlert | None:
    for key in d:
        if key not in ALERT_KEYS:
            issues.add(d.mark_of(key), f'unknown key "{key}" in {what}{hint(str(key), ALERT_KEYS)}')
    parts = tuple(p.name for p in KINDS[kind].parts)
    levels = d.get("at_least")
    if not isinstance(levels, MarkedDict) or not levels:
        example = ", ".join(f"{p}: 180" for p in parts)
        issues.add(d.value_mark("at_least") if "at_least" in d else d.mark,
                   f'{what} needs "at_least:", a level per part, like {{{example}}}')
        return None
    found: dict[str, float] = {}
    for part, value in levels.items():
        if part not in parts:
            issues.add(levels.mark_of(part), f'unknown part "{part}" of {kind} in {what}'
                                             f'{suggest(str(part), parts)}; parts: {", ".join(parts)}')
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            issues.add(levels.value_mark(part), f'level for "{part}" in {what} must be a number')
        else:
            found[str(part)] = float(value)
    fields = {}
    for key, allowed in (("priority", TASK_PRIORITIES), ("team", TASK_TEAMS), ("reason", None)):
        value = d.get(key)
        if not isinstance(value, str) or not value.strip():
            issues.add(d.mark, f'{what} needs "{key}:"' + (f' (one of {", ".join(allowed)})' if allowed else ""))
        elif allowed and value not in allowed:
            issues.add(d.value_mark(key), f'unknown {key} "{value}" in {what}{suggest(value, allowed)}; '
                                          f'use one of: {", ".join(allowed)}')
        else:
            fields[key] = str(value)
    if len(found) != len(levels) or len(fields) != 3:
        return None
    return ReadingAlert(found, fields["priority"], fields["team"], fields["reason"])


def build_reading(d: MarkedDict, what: str, issues: IssueList
                  ) -> tuple[str | None, str | None, tuple[ReadingAlert, ...]]:
    """(kind, unit, alerts) of an expectation; the checker's errors name the allowed values."""
    intent, kind = d.get("intent"), d.get("reading")
    for key in ("reading", "unit", "alerts"):
        if key in d and intent != "reading":
            issues.add(d.mark_of(key), f'"{key}:" in {what} belongs to "intent: reading"')
    if intent != "reading":
        return None, None, ()
    if kind is None or str(kind) not in READING_KINDS:
        at = d.value_mark("reading") if kind is not None else d.mark
        close = suggest(str(kind), READING_KINDS) if kind is not None else ""
        issues.add(at, f'{what} needs "reading:" naming one of: {", ".join(READING_KINDS)}'
                       + (f' (not "{kind}"{close})' if kind is not None else ""))
        return None, None, ()
    spec = KINDS[str(kind)]
    unit = d.get("unit")
    if unit is not None and str(unit) not in spec.units:
        issues.add(d.value_mark("unit"), f'unknown unit "{unit}" for {kind} in {what}'
                                         f'{suggest(str(unit), spec.units)}; use one of: {", ".join(spec.units)}')
        unit = None
    alerts: list[ReadingAlert] = []
    items = d.get("alerts")
    if items is not None:
        if not isinstance(items, MarkedList) or not items:
            issues.add(d.value_mark("alerts"), f'"alerts" in {what} must be a list of levels')
        else:
            for n, item in enumerate(items, 1):
                where = f"alert {n} of {what}"
                if not isinstance(item, MarkedDict):
                    issues.add(items.item_marks[n - 1], f"{where} must be a mapping with at_least:, priority:, team:, reason:")
                elif (alert := _alert(item, str(kind), where, issues)) is not None:
                    alerts.append(alert)
    return str(kind), str(unit) if unit is not None else None, tuple(alerts)
