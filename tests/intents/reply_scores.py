"""Score the engine on labelled replies: per flow state, what a reply should lead to.

A labelled file (labelled/dev/<locale>.yaml, labelled/heldout/<locale>.yaml) maps
"flow/state" to expected outcomes, each with the replies that should reach it:

    refill_reminder/ask:
      confirmed: ["yes", "1", "sure, I'll get it"]
      ran_out: ["I ran out 1 week ago"]
      ask_back: ["yes but I can't pay"]

An outcome is the state the reply's answer leads to (after a reply that already answers the
next question, the state that one leads to), with ":N" for a rating or a pick from a list;
or, when the state does not move on an answer, `ask_back`, `reprompt`, `urgent`, `stop`
(a hand-off after re-asks or after asking back is the state it hands to). The replies are run through
the real engine from a conversation waiting in that state.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from bot.core import effects as fx
from bot.core import messages
from bot.core.conversation import Conversation, Reply, StaffAction, Start
from bot.core.engine import run
from bot.flows.loader import default_flows_dir, load_dir

HERE = Path(__file__).resolve().parent / "labelled"
NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
CONTEXT = {"first_name": "Ana", "due_date": "2026-03-05", "missed_date": "2026-02-27",
           "slots": ["2026-03-04T15:00:00+00:00", "2026-03-05T18:00:00+00:00",
                     "2026-03-06T14:30:00+00:00"],
           "chosen_slot": "2026-03-05T18:00:00+00:00", "score": 4}
#: Outcomes that tell the care team "yes, done": a wrong one is the worst failure there is.
CONFIRMATIONS = {"refill_reminder": {"confirmed"}, "appointment_recovery": {"booked", "offer"},
                 "engagement_checkin": set()}
_REGISTRY: list[Any] = []


def registry() -> Any:
    if not _REGISTRY:
        _REGISTRY.append(load_dir(default_flows_dir()).registry)
    return _REGISTRY[0]


@dataclass(frozen=True)
class Case:
    split: str
    locale: str
    flow: str
    state: str
    expected: str
    text: str


def load_cases(split: str) -> list[Case]:
    cases = []
    for path in sorted((HERE / split).glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for where, outcomes in doc.items():
            flow, state = where.split("/")
            for expected, texts in outcomes.items():
                cases.extend(Case(split, path.stem, flow, state, str(expected), str(t))
                             for t in texts)
    return cases


def _waiting(flow: Any, state: str, locale: str) -> Conversation:
    conv = Conversation(id="score", patient_id="p", flow=flow.name, version=flow.version,
                        state="", locale=locale, context=dict(CONTEXT))
    conv = run(flow, conv, Start(), NOW).conversation
    if conv.state != state:
        conv = run(flow, conv, StaffAction(action="goto", state=state), NOW).conversation
    return conv


def outcome(case: Case) -> str:
    """What the engine does with the reply, as a label (see the module docstring)."""
    flow = registry().get(case.flow)
    conv = _waiting(flow, case.state, case.locale)
    result = run(flow, conv, Reply(text=case.text, message_id="1"), NOW)
    after = result.conversation
    if after.outcome == "escalated":
        return "urgent"
    if after.outcome == "opted_out":
        return "stop"
    replies = [e for e in result.trace if e.startswith("reply:")]
    if replies:
        source, n = replies[-1].split(":")[1:]
        exp = flow.states[source].expect[int(n) - 1]
        label = exp.goto
        if exp.intent == "number" and exp.save_as:
            label += f":{after.context.get(exp.save_as)}"
        elif exp.intent == "choice" and exp.save_as:
            items = list(CONTEXT.get(exp.options_from or "", []))
            label += f":{items.index(after.context.get(exp.save_as)) + 1}"
        return label
    handed = [e for e in result.trace if e.startswith(("ambiguous:", "not_understood:"))]
    if handed:
        kind, source = handed[-1].split(":")
        st = flow.states[source]
        return (st.ambiguous.then if kind == "ambiguous" else st.not_understood.then) or kind
    sent = [e.msgid for e in result.effects if isinstance(e, fx.SendMessage)]
    if messages.ASK_BACK in sent:
        return "ask_back"
    if messages.NOT_UNDERSTOOD in sent:
        return "reprompt"
    return "none"


@dataclass
class Scores:
    cases: list[tuple[Case, str]] = field(default_factory=list)

    def false_confirmations(self) -> list[tuple[Case, str]]:
        return [(c, got) for c, got in self.cases
                if got != c.expected and got in CONFIRMATIONS.get(c.flow, set())]

    def wrong(self) -> list[tuple[Case, str]]:
        return [(c, got) for c, got in self.cases if got != c.expected]

    def per_label(self) -> dict[tuple[str, str], tuple[int, int, int]]:
        """(flow/state, label) -> (true positives, predicted, expected)."""
        tp: Counter[tuple[str, str]] = Counter()
        pred: Counter[tuple[str, str]] = Counter()
        gold: Counter[tuple[str, str]] = Counter()
        for c, got in self.cases:
            where = f"{c.flow}/{c.state}"
            gold[(where, c.expected)] += 1
            pred[(where, got)] += 1
            if got == c.expected:
                tp[(where, got)] += 1
        return {k: (tp[k], pred[k], gold[k]) for k in sorted(set(gold) | set(pred))}

    def report(self, title: str) -> list[str]:
        n, right = len(self.cases), len(self.cases) - len(self.wrong())
        lines = [f"{title}: {n} replies, {right} right ({100 * right / max(n, 1):.1f}%)",
                 f"  {'flow/state':40} {'outcome':18} {'precision':>9} {'recall':>7} {'n':>5}"]
        for (where, label), (tp, pred, gold) in self.per_label().items():
            p = f"{tp / pred:.2f}" if pred else "-"
            r = f"{tp / gold:.2f}" if gold else "-"
            lines.append(f"  {where:40} {label:18} {p:>9} {r:>7} {gold:>5}")
        langs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for c, got in self.cases:
            langs[c.locale][0] += got == c.expected
            langs[c.locale][1] += 1
        lines.append("  by language: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in sorted(langs.items())))
        lines.append(f"  FALSE CONFIRMATIONS: {len(self.false_confirmations())} (target 0)")
        return lines


#: Scores computed in this session, by split (the terminal summary prints them).
COMPUTED: dict[str, Scores] = {}


def score(split: str) -> Scores:
    if split not in COMPUTED:
        COMPUTED[split] = Scores([(c, outcome(c)) for c in load_cases(split)])
    return COMPUTED[split]
