"""Transcript tests: whole conversations written as YAML and replayed against the engine.

A transcript gives the patient context, a script of turns (start, patient replies, silences,
staff actions, delivery failures) and what must happen on each turn: the messages as the
patient would read them (rendered with bot.i18n in the transcript's locale), the tasks and the
state. Between turns the conversation is serialised to JSON and read back, as a worker would;
the clock is fixed and only moves with `wait:`. See conversation_flows/README.md ("Testing a
flow") for the format. `outreach flows test` and pytest both run them; `--update` rewrites
the expectations from what the engine does now (review the diff!).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from bot import i18n
from bot.channels.twilio_voice import render_turn
from bot.core import effects as fx
from bot.core.conversation import (
    Conversation,
    DeliveryFailed,
    Event,
    Reply,
    StaffAction,
    Start,
    Timeout,
)
from bot.core.engine import run
from bot.flows.compiler import compile_flow
from bot.flows.loader import FlowRegistry
from bot.flows.marked import load_marked, plain
from bot.flows.schema import Flow, parse_duration

#: What hosts fill in from settings; a transcript may override with `host:`.
DEFAULT_HOST_PARAMS = {"program": "Care Outreach", "contact": "555-0100"}
DEFAULT_NOW = "2026-03-02T15:00:00+00:00"
TURN_KINDS = ("start", "patient", "wait", "staff", "delivery_failed")


@dataclass
class Observed:
    """What one turn produced, in the transcript's own vocabulary."""

    bot: list[str] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    state: str = ""
    status: str = ""
    consent: list[str] = field(default_factory=list)  # RecordConsent statuses, in order
    locale: str = ""
    timeouts: int = 0  # timeouts still pending after the turn


@dataclass
class TranscriptResult:
    path: str
    flow: tuple[str, int] | None
    failures: list[str] = field(default_factory=list)
    events: set[str] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    observed: list[Observed] = field(default_factory=list)
    outcome: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


class _Host:
    """Carries out effects the way a worker would, minus the I/O: render, queue timeouts."""

    def __init__(self, flow: Flow, conv: Conversation, now: datetime, host: dict[str, Any]) -> None:
        self.flow, self.conv, self.now, self.host = flow, conv, now, host
        self.timers: dict[str, datetime] = {}
        self.result_events: set[str] = set()
        self.states: set[str] = set()
        self.words: dict[str, str] = {}  # reply message id -> the patient's text

    def apply(self, event: Event, out: Observed) -> None:
        if isinstance(event, Reply) and event.message_id:
            self.words[event.message_id] = event.text
        result = run(self.flow, self.conv, event, self.now)
        self.result_events.update(result.trace)
        compiled = compile_flow(self.flow)
        for name in result.trace:
            dest = next((t.dest for t in compiled.transitions if t.event == name), None)
            self.states.add(dest or name.split(":", 1)[1])
        conv = result.conversation
        for eff in result.effects:
            if isinstance(eff, fx.SendMessage):
                out.bot.extend(spoken_or_sent(eff, conv, self.host))
            elif isinstance(eff, fx.CreateTask):
                out.tasks.append({"team": eff.team, "priority": eff.priority, "reason": eff.reason,
                                  "understood": eff.understood,
                                  "words": self.words.get(eff.reply_message_id or "")})
            elif isinstance(eff, fx.ScheduleTimeout):
                self.timers[eff.wait_token] = eff.at
            elif isinstance(eff, fx.CancelTimeout):
                self.timers.pop(eff.wait_token, None)
            elif isinstance(eff, fx.RecordConsent):
                out.consent.append(eff.status)
        # A worker stores the conversation as JSON between turns: do the same.
        self.conv = Conversation.from_dict(json.loads(json.dumps(conv.to_dict(), default=str)))

    def wait(self, delta: timedelta, out: Observed) -> None:
        until = self.now + delta
        for token, at in pop_due(self.timers, until):
            self.now = max(self.now, at)
            self.apply(Timeout(wait_token=token), out)
        self.now = until


def pop_due(timers: dict[str, datetime], until: datetime) -> Iterator[tuple[str, datetime]]:
    """Take the scheduled waits due by `until` out of `timers`, earliest first.

    A host that fakes the clock (transcripts, the simulator) fires each as a Timeout; one that
    fires may schedule a later wait, which this picks up on its next turn.
    """
    while timers:
        token, at = min(timers.items(), key=lambda kv: kv[1])
        if at > until:
            return
        del timers[token]
        yield token, at


def spoken_or_sent(eff: fx.SendMessage, conv: Conversation, host: dict[str, Any]) -> list[str]:
    """What the patient reads (SMS) or hears (voice: the voice wording, then the keypad menu)."""
    if conv.channel == "voice":
        turn = render_turn([eff], conv.locale, conv.timezone, host)
        return [*turn.lines, *turn.menu]
    return [i18n.render(eff.msgid, {**host, **eff.params}, conv.locale, conv.timezone)]


def _event(turn: dict[str, Any], n: int = 0) -> Event | timedelta | None:
    if "start" in turn:
        return Start()
    if "patient" in turn:
        return Reply(text=str(turn["patient"]), message_id=f"turn-{n}")
    if "wait" in turn:
        return parse_duration(turn["wait"])
    if "staff" in turn:
        s = turn["staff"] if isinstance(turn["staff"], dict) else {"action": turn["staff"]}
        return StaffAction(action=s.get("action", "close"), state=s.get("state"),
                           outcome=s.get("outcome"), staff_id=s.get("staff_id", "staff-1"))
    if "delivery_failed" in turn:
        return DeliveryFailed(error_code=int(turn["delivery_failed"] or 30003))
    return None


def _compare(n: int, turn: dict[str, Any], seen: Observed, failures: list[str]) -> None:
    where = f"turn {n} ({next(iter(k for k in turn if k in TURN_KINDS), '?')})"
    want_bot = [str(b) for b in turn.get("bot", [])]
    if want_bot != seen.bot:
        failures.append(f"{where}: messages differ\n  expected: {want_bot}\n  got:      {seen.bot}")
    want_tasks = turn.get("tasks", [])
    got = [{k: t[k] for k in want if k in t} for t, want in zip(seen.tasks, want_tasks, strict=False)]
    if len(want_tasks) != len(seen.tasks) or got != [dict(w) for w in want_tasks]:
        failures.append(f"{where}: tasks differ\n  expected: {want_tasks}\n  got:      {seen.tasks}")
    if "state" in turn and turn["state"] != seen.state:
        failures.append(f"{where}: state is {seen.state!r}, expected {turn['state']!r}")
    if "consent" in turn and [turn["consent"]] != seen.consent:
        failures.append(f"{where}: consent changes are {seen.consent}, expected [{turn['consent']!r}]")
    if "language" in turn and turn["language"] != seen.locale:
        failures.append(f"{where}: language is {seen.locale!r}, expected {turn['language']!r}")
    if "timeouts" in turn and int(turn["timeouts"]) != seen.timeouts:
        failures.append(f"{where}: {seen.timeouts} timeout(s) pending, expected {turn['timeouts']}")


def run_transcript(path: str | Path, registry: FlowRegistry) -> TranscriptResult:
    """Replay one transcript file; failures are plain sentences, never exceptions."""
    path = Path(path)
    doc = plain(load_marked(path.read_text(encoding="utf-8")))
    try:
        flow = registry.get(doc["flow"], doc.get("version"))
    except Exception as exc:  # noqa: BLE001 - reported as a failure of this transcript
        return TranscriptResult(str(path), None, [f"cannot load flow: {exc}"])
    now = datetime.fromisoformat(str(doc.get("now", DEFAULT_NOW)).replace("Z", "+00:00"))
    conv = Conversation(
        id=str(doc.get("id", path.stem)), patient_id=str(doc.get("patient_id", "patient-1")),
        flow=flow.name, version=flow.version, state="", locale=str(doc.get("locale", "en")),
        timezone=str(doc.get("timezone", "America/New_York")), channel=str(doc.get("channel", "sms")),
        context=dict(doc.get("context") or {}))
    host = _Host(flow, conv, now, {**DEFAULT_HOST_PARAMS, **(doc.get("host") or {})})
    result = TranscriptResult(str(path), flow.key)
    for n, turn in enumerate(doc.get("turns") or [], 1):
        seen = Observed()
        event = _event(turn, n)
        if event is None:
            result.failures.append(f"turn {n}: needs one of {', '.join(TURN_KINDS)}")
            continue
        try:
            if isinstance(event, timedelta):
                host.wait(event, seen)
            else:
                host.apply(event, seen)
        except Exception as exc:  # noqa: BLE001 - an engine error fails this transcript only
            result.failures.append(f"turn {n}: engine raised {type(exc).__name__}: {exc}")
            break
        seen.state, seen.status, seen.locale = host.conv.state, host.conv.status, host.conv.locale
        seen.timeouts = len(host.timers)
        result.observed.append(seen)
        _compare(n, turn, seen, result.failures)
    result.outcome = host.conv.outcome
    if doc.get("outcome") != result.outcome:
        result.failures.append(f"outcome is {result.outcome!r}, expected {doc.get('outcome')!r}")
    result.events, result.states = host.result_events, host.states
    return result


def update_transcript(path: str | Path, result: TranscriptResult) -> None:
    """Rewrite a transcript's expectations from what the engine did (the golden-file switch)."""
    path = Path(path)
    doc = plain(load_marked(path.read_text(encoding="utf-8")))
    for turn, seen in zip(doc.get("turns") or [], result.observed, strict=False):
        for key in ("bot", "tasks", "state"):
            turn.pop(key, None)
        if seen.bot:
            turn["bot"] = seen.bot
        if seen.tasks:
            turn["tasks"] = [{"team": t["team"], "priority": t["priority"]} for t in seen.tasks]
        turn["state"] = seen.state
    doc["outcome"] = result.outcome
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=1000),
                    encoding="utf-8")


def transcript_files(folder: str | Path) -> list[Path]:
    return sorted(Path(folder).glob("*.yaml"))


@dataclass
class Coverage:
    missing: dict[tuple[str, int], list[str]]

    @property
    def complete(self) -> bool:
        return not any(self.missing.values())


def coverage(flows: list[Flow], results: list[TranscriptResult]) -> Coverage:
    """Which transitions of `flows` no transcript exercised (states follow from transitions)."""
    seen: dict[tuple[str, int], set[str]] = {}
    for r in results:
        if r.flow:
            seen.setdefault(r.flow, set()).update(r.events)
    missing = {}
    for flow in flows:
        done = {_shared_event(flow, e) for e in seen.get(flow.key, set())}
        events = [f"{t.event} ({t.source} -> {t.dest})" for t in compile_flow(flow).transitions
                  if _shared_event(flow, t.event) not in done]
        missing[flow.key] = events
    return Coverage(missing)


def _shared_event(flow: Flow, event: str) -> str:
    """A reminder state's answers are its original state's (bot.flows.reminders): a reply,
    not-understood or ambiguous event of either is named as the original's, so testing an
    answer in one state covers it in both."""
    kind, _, rest = event.partition(":")
    state, _, tail = rest.partition(":")
    st = flow.states.get(state)
    if st is None or not st.reminder_of or kind not in ("reply", "not_understood", "ambiguous"):
        return event
    return f"{kind}:{st.reminder_of}" + (f":{tail}" if tail else "")


def xfail_reason(path: str | Path) -> str | None:
    """The transcript's `xfail:` reason: a known gap it documents (pytest expects it to fail)."""
    doc = plain(load_marked(Path(path).read_text(encoding="utf-8")))
    reason = doc.get("xfail") if isinstance(doc, dict) else None
    return str(reason) if reason else None
