"""Which context values a message needs: only its own placeholders leave the conversation.

Keeping params to the placeholders a msgid names means effects (which are logged and stored)
never carry the rest of the patient context. A list field `slots` also offers `slots_1`,
`slots_2`... (1-based items) and `slots_count`; a saved answer kept as a mapping offers its parts
(`{bp.systolic}`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.flows.schema import Say, TaskSpec

_PLACEHOLDER = re.compile(r"\{(\w+(?:\.\w+)?)(?::\w+)?\}")
_ITEM = re.compile(r"^(\w+?)_(\d+|count)$")


@lru_cache(maxsize=4096)
def placeholder_names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(text)))


def lookup(name: str, context: dict[str, Any]) -> tuple[bool, Any]:
    if name in context:
        return True, context[name]
    head, dot, part = name.partition(".")
    if dot:
        whole = context.get(head)
        if isinstance(whole, dict) and part in whole:
            return True, whole[part]
        return False, None
    m = _ITEM.match(name)
    if m and isinstance(context.get(m.group(1)), (list, tuple)):
        items = context[m.group(1)]
        if m.group(2) == "count":
            return True, len(items)
        index = int(m.group(2)) - 1
        if 0 <= index < len(items):
            return True, items[index]
    return False, None


def message_params(say: Say, context: dict[str, Any], choices: tuple[str, ...] = ()) -> dict[str, Any]:
    """Values for every placeholder of the SMS and voice wording (and voice menu labels)
    found in `context`.

    Host fields (`program`, `contact`) are left for the host to add from its settings.
    """
    names = placeholder_names(say.sms) + (placeholder_names(say.voice) if say.voice else ())
    for label in choices:
        names += placeholder_names(label)
    params: dict[str, Any] = {}
    for name in names:
        found, value = lookup(name, context)
        if found:
            params[name] = value
    return params


def task_params(task: TaskSpec, context: dict[str, Any]) -> dict[str, Any]:
    """Values for the placeholders of a task's reason ("Book a flu shot on {day}"), so the
    person who picks the task up reads the patient's answer without opening the thread."""
    params: dict[str, Any] = {}
    for name in placeholder_names(task.reason):
        found, value = lookup(name, context)
        if found:
            params[name] = value
    return params
