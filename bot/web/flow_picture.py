"""A flow as a picture a program manager can review without reading YAML: the states in rows by
how far they are from the start, each box with its texts (in any language, with the review state
of each translation), its task, and its ways out (answers, silence, not understood) as links to
the boxes they lead to. Pure: the page (bot.web.flows) renders it; `flows graph` keeps Mermaid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.flows.compiler import NEW, flow_transitions
from bot.flows.schema import Flow, Say, State
from bot.i18n.review import MessageReview

#: How a text of the flow stands in a language: bot.i18n.review.message_review(msgid, locale).
Review = Callable[[str, str], MessageReview]


@dataclass(frozen=True)
class Text:
    role: str  # "says", "on a call", "re-asks", "reminds"
    msgid: str
    shown: str  # the translation when there is one, else the English source
    review: MessageReview


@dataclass(frozen=True)
class Exit:
    kind: str  # answer | silence | not_understood | ambiguous | next | branch | else
    label: str
    dest: str


@dataclass
class Box:
    name: str
    kind: str  # waits | moves | ends
    texts: list[Text] = field(default_factory=list)
    task: str = ""
    exits: list[Exit] = field(default_factory=list)
    outcome: str = ""
    outcome_class: str = ""
    reminder_of: str = ""


@dataclass
class Picture:
    flow: Flow
    locale: str
    rows: list[list[Box]]

    @property
    def boxes(self) -> list[Box]:
        return [box for row in self.rows for box in row]


_KIND = {"reply": "answer", "no_reply": "silence", "not_understood": "not_understood",
         "ambiguous": "ambiguous", "next": "next", "branch": "branch", "else": "else"}


def ranks(flow: Flow) -> list[list[str]]:
    """States in rows: the start, then what it leads to, and so on (unreachable ones last)."""
    edges: dict[str, list[str]] = {}
    for t in flow_transitions(flow):
        if t.source != NEW:
            edges.setdefault(t.source, []).append(t.dest)
    depth = {flow.start: 0}
    queue = [flow.start]
    while queue:
        here = queue.pop(0)
        for nxt in edges.get(here, []):
            if nxt in flow.states and nxt not in depth:
                depth[nxt] = depth[here] + 1
                queue.append(nxt)
    last = max(depth.values(), default=0) + 1
    rows: dict[int, list[str]] = {}
    for name in flow.states:  # file order within a row
        rows.setdefault(depth.get(name, last), []).append(name)
    return [rows[k] for k in sorted(rows)]


def _texts(st: State, locale: str, review: Review) -> list[Text]:
    out: list[Text] = []

    def add(role: str, say: Say | None) -> None:
        if say is None:
            return
        for part, msgid in (("", say.sms), (" on a call", say.voice)):
            if msgid:
                r = review(msgid, locale)
                out.append(Text(f"{role}{part}", msgid, r.text or msgid, r))

    add("reminds" if st.reminder_of else "says", st.say)
    if st.not_understood:
        add("re-asks", st.not_understood.say)
    return out


def picture(flow: Flow, locale: str, review: Review) -> Picture:
    exits: dict[str, list[Exit]] = {}
    for t in flow_transitions(flow):
        if t.source == NEW:
            continue
        kind = _KIND.get(t.event.split(":", 1)[0], "next")
        label = t.label
        if kind == "answer":
            n = int(t.event.rsplit(":", 1)[1])  # answers are numbered from 1, as in the file
            exp = flow.states[t.source].expect[n - 1]
            offered = (review(exp.say, locale).text or exp.say) if exp.say else ""
            label = " / ".join(filter(None, [t.label, offered and f'"{offered}"', ", ".join(exp.topics)]))
        elif kind == "silence":
            label = f"no reply for {_duration(flow.states[t.source])}"
        elif kind == "not_understood":
            nu = flow.states[t.source].not_understood
            label = f"not understood after {nu.reprompt} re-ask{'s' if nu and nu.reprompt != 1 else ''}" if nu else label
        exits.setdefault(t.source, []).append(Exit(kind, label, t.dest))
    rows = []
    for row in ranks(flow):
        boxes = []
        for name in row:
            st = flow.states[name]
            kind = "ends" if st.end else "waits" if st.expect else "moves"
            task = ""
            if st.task:
                task = f"{st.task.team.replace('_', ' ')} · {st.task.priority}: {st.task.reason}"
            cls = flow.outcome_class(st.end) if st.end else None
            boxes.append(Box(name, kind, _texts(st, locale, review), task, exits.get(name, []),
                             st.end or "", str(cls.value).replace("_", " ") if cls else "",
                             st.reminder_of or ""))
        rows.append(boxes)
    return Picture(flow, locale, rows)


def _duration(st: State) -> str:
    if not st.no_reply:
        return ""
    seconds = int(st.no_reply.after.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"
