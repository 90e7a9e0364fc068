"""Where things are written in a flow file: the marked YAML of a state, its key and replies.

The checks report against the marked document (bot.flows.marked) rather than the built
records, because only the document remembers line numbers.
"""

from __future__ import annotations

from bot.flows.marked import Mark, MarkedDict, MarkedList


def state_doc(doc: MarkedDict, name: str) -> MarkedDict:
    """The marked body of state `name` (an empty mapping at the file's mark when absent)."""
    states = doc.get("states")
    body = states.get(name) if isinstance(states, MarkedDict) else None
    return body if isinstance(body, MarkedDict) else MarkedDict(doc.mark)


def state_mark(doc: MarkedDict, name: str) -> Mark:
    """Where the state's name is written."""
    states = doc.get("states")
    return states.mark_of(name) if isinstance(states, MarkedDict) else doc.mark


def reply_marks(doc: MarkedDict, name: str) -> list[MarkedDict]:
    """The marked `expect:` items of a state, in file order."""
    items = state_doc(doc, name).get("expect")
    return [i for i in items if isinstance(i, MarkedDict)] if isinstance(items, MarkedList) else []


def say_mark(doc: MarkedDict, name: str, key: str) -> Mark:
    """Where a state's `say:` (key "say") or its re-prompt's (key "not_understood") is written."""
    sdoc = state_doc(doc, name)
    owner = sdoc if key == "say" else sdoc.get("not_understood")
    return owner.value_mark("say") if isinstance(owner, MarkedDict) else state_mark(doc, name)


def say_variant_mark(doc: MarkedDict, name: str, key: str, variant: str) -> Mark:
    """Where the `sms` or `voice` wording of a state's say (or re-prompt's) is written."""
    sdoc = state_doc(doc, name)
    owner = sdoc if key == "say" else sdoc.get("not_understood")
    say = owner.get("say") if isinstance(owner, MarkedDict) else None
    if isinstance(say, MarkedDict) and variant in say:
        return say.value_mark(variant)
    return say_mark(doc, name, key)
