"""The reminder shorthand: a waiting state asks once more, with the same answers, before giving up.

    ask:
      say: "Can you get your flu shot this week? Reply 1 for yes, 2 for no."
      expect: [...]
      no_reply: {after: 3d, remind: "Just checking: can you get your flu shot? Reply 1 or 2.",
                 then_after: 2d, goto: no_answer}
      not_understood: {reprompt: 1, then: call_task}

reads as two states: `ask`, whose silence after 3 days leads to `ask_reminder`, and
`ask_reminder`, which says the reminder and waits with ask's own `expect`, `not_understood` and
`ambiguous` until 2 more days of silence lead to `no_answer`. The expansion happens on the
marked document before anything is built, so the engine, the compiler, the diagram and the
simulator see ordinary states, and every problem keeps its line in the file. A problem in the
shared answers is reported once, against the state that wrote them (`drop_echoes`).
"""

from __future__ import annotations

from bot.flows.issues import Issue, IssueList
from bot.flows.marked import Mark, MarkedDict, MarkedStr

#: Keys a reminder state copies from the state it reminds about (its answers and ways out).
SHARED_KEYS = ("expect", "not_understood", "ambiguous")
SUFFIX = "_reminder"


class ReminderState(MarkedDict):
    """The marked body of a state written by the shorthand; remembers which state it repeats."""

    reminder_of: str = ""


def expand(doc: MarkedDict, issues: IssueList) -> dict[str, str]:
    """Add a `<state>_reminder` state for every `no_reply:` with `remind:`; returns reminder ->
    original. Half-written shorthands (remind without then_after, or the reverse) are errors."""
    states = doc.get("states")
    if not isinstance(states, MarkedDict):
        return {}
    added: dict[str, str] = {}
    order: list[tuple[str, object, Mark]] = []
    for name, body in states.items():
        order.append((name, body, states.mark_of(name)))
        nr = body.get("no_reply") if isinstance(body, MarkedDict) else None
        if not isinstance(nr, MarkedDict) or not ({"remind", "then_after"} & set(nr)):
            continue
        what = f'no_reply of state "{name}"'
        if "remind" not in nr:
            issues.add(nr.mark_of("then_after"), f'{what} has then_after: but no remind: (the reminder '
                                                 "to send when the first wait runs out)")
            continue
        if "then_after" not in nr:
            issues.add(nr.mark_of("remind"), f"{what} has remind: but no then_after: (how long to wait "
                                             "after the reminder before going to goto:)")
            continue
        reminder = f"{name}{SUFFIX}"
        if reminder in states:
            issues.add(nr.mark_of("remind"), f'{what} has remind:, which adds a state "{reminder}", but a '
                                             "state of that name is already written: rename one of them")
            continue
        body_doc: MarkedDict = body
        order.append((reminder, _reminder_body(name, body_doc, nr), nr.mark_of("remind")))
        body_doc["no_reply"] = _first_wait(nr, reminder)
        added[reminder] = name
    if added:
        rebuilt = MarkedDict(states.mark)
        rebuilt.duplicates = states.duplicates
        for name, body, mark in order:
            rebuilt[name] = body
            rebuilt.key_marks[name] = mark
        doc["states"] = rebuilt
    return added


def _first_wait(nr: MarkedDict, reminder: str) -> MarkedDict:
    """The original state's own no_reply: after the first wait, go to the reminder."""
    out = MarkedDict(nr.mark)
    for key in nr:
        if key in ("remind", "then_after", "goto"):
            continue
        out[key] = nr[key]
        out.key_marks[key] = nr.mark_of(key)
    out["goto"] = MarkedStr(reminder, nr.mark_of("remind"))
    out.key_marks["goto"] = nr.mark_of("remind")
    return out


def _reminder_body(name: str, body: MarkedDict, nr: MarkedDict) -> ReminderState:
    out = ReminderState(nr.mark_of("remind"))
    out.reminder_of = name
    out["say"] = nr["remind"]
    out.key_marks["say"] = nr.mark_of("remind")
    for key in SHARED_KEYS:
        if key in body:
            out[key] = body[key]
            out.key_marks[key] = body.mark_of(key)
    wait = MarkedDict(nr.mark)
    wait["after"] = nr["then_after"]
    wait.key_marks["after"] = nr.mark_of("then_after")
    if "goto" in nr:
        wait["goto"] = nr["goto"]
        wait.key_marks["goto"] = nr.mark_of("goto")
    out["no_reply"] = wait
    out.key_marks["no_reply"] = nr.mark_of("then_after")
    return out


def drop_echoes(issues: list[Issue], added: dict[str, str]) -> list[Issue]:
    """Drop a reminder state's issue when its original state has the same one (the answers are
    shared, so a typo in them is one problem, reported where it is written)."""
    if not added:
        return issues
    seen = {(i.message, i.severity) for i in issues}
    out = []
    for issue in issues:
        for reminder, original in added.items():
            quoted = f'"{reminder}"'
            if quoted in issue.message:
                echo = issue.message.replace(quoted, f'"{original}"')
                if (echo, issue.severity) in seen:
                    break
        else:
            out.append(issue)
    return out
