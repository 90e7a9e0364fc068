"""Flow-file format migrations: one function per old format, each lifting a file one version.

A file says which format it is written in with `format: N` (no key means format 0, the first
draft of the format). The loader runs `MIGRATIONS[n]` for n = N .. FORMAT_VERSION-1 on the marked
YAML before validating it, so old files keep loading and keep their line numbers. Each
migration has a fixture pair under tests/flows/fixtures/ (`format<N>_*.yaml` ->
`format<N+1>_*.yaml`) that the tests compare.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.flows.marked import MarkedDict, MarkedList, MarkedStr


def _format0_to_1(doc: MarkedDict) -> MarkedDict:
    """Format 0 -> 1.

    Format 0 allowed `expect` as a mapping `{intent: goto}` and put the voice wording in a
    separate `voice_say` key. Format 1 always uses a list of expectations and a `say` mapping:

    ```yaml
    # format 0                        # format 1
    expect: {yes: done, no: why}      expect: [{intent: yes, goto: done}, {intent: no, goto: why}]
    say: "Reply YES or NO"            say: {sms: "Reply YES or NO", voice: "Say yes or no"}
    voice_say: "Say yes or no"
    ```
    """
    states = doc.get("states")
    if isinstance(states, dict):
        for state in states.values():
            if not isinstance(state, MarkedDict):
                continue
            expect = state.get("expect")
            if isinstance(expect, MarkedDict):
                items = MarkedList(expect.mark)
                for intent, goto in expect.items():
                    item = MarkedDict(expect.mark_of(intent))
                    item["intent"] = MarkedStr(intent, expect.mark_of(intent))
                    item.key_marks["intent"] = expect.mark_of(intent)
                    item["goto"] = goto
                    item.key_marks["goto"] = expect.mark_of(intent)
                    items.append(item)
                    items.item_marks.append(item.mark)
                state["expect"] = items
            if "voice_say" in state:
                say = MarkedDict(state.mark_of("say"))
                say["sms"] = state.get("say")
                say.key_marks["sms"] = state.mark_of("say")
                say["voice"] = state.pop("voice_say")
                say.key_marks["voice"] = state.key_marks.pop("voice_say")
                state["say"] = say
    doc["format"] = 1
    return doc


#: MIGRATIONS[n] lifts a format-n document to format n+1.
MIGRATIONS: dict[int, Callable[[MarkedDict], MarkedDict]] = {0: _format0_to_1}


def migrate(doc: MarkedDict, from_format: int, to_format: int) -> MarkedDict:
    """Apply each migration in turn; `from_format` must be known (the loader checks)."""
    for n in range(from_format, to_format):
        doc = MIGRATIONS[n](doc)
    return doc

