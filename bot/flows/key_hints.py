""""Did you mean" for an unknown key: the nearest spelling, or the key the format uses for what
the author meant (`not_understood: {goto: ...}` means `then:`).

Spelling alone cannot find `then` from `goto`; this table holds the words authors reach for,
by the section they write them in. bot.flows.builders.check_keys calls `hint` for every key.
"""

from __future__ import annotations

from bot.flows.issues import suggest

#: A written key -> the keys it may mean (the first one the section allows wins).
MEANT = {
    "goto": ("then", "goto"), "next": ("goto", "then"), "to": ("goto", "then"),
    "go": ("goto", "then"), "go_to": ("goto", "then"), "state": ("goto", "then"),
    "then": ("goto", "then"), "if": ("when",), "condition": ("when",), "conditions": ("when",),
    "otherwise": ("else",), "default": ("else",), "message": ("say",), "text": ("say",),
    "send": ("say",), "retries": ("reprompt",), "retry": ("reprompt",), "tries": ("reprompt",),
    "timeout": ("after",), "wait": ("after",), "outcome": ("end",), "result": ("end",),
    "words": ("keywords",), "keyword": ("keywords",), "type": ("reading", "intent"),
    "kind": ("reading",), "units": ("unit",), "alert": ("alerts",), "threshold": ("alerts",),
    "thresholds": ("alerts",), "level": ("at_least",), "levels": ("at_least",),
    "minimum": ("min", "at_least"), "maximum": ("max",), "save": ("save_as",),
    "store": ("save_as",), "options": ("options_from",), "choices": ("options_from",),
    "label": ("say",), "description": ("reason",), "why": ("reason",), "urgency": ("priority",),
}


def hint(key: str, allowed: tuple[str, ...]) -> str:
    """' (did you mean "x"?)' from the nearest spelling, else from `MEANT`; '' when neither."""
    close = suggest(key, allowed)
    if close:
        return close
    for meant in MEANT.get(str(key).strip().lower(), ()):
        if meant in allowed and meant != key:
            return f' (did you mean "{meant}"?)'
    return ""
