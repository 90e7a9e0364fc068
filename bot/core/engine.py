"""The conversation engine: `step(flow, conversation, event, now) -> (conversation, effects)`.

Pure: no I/O, no clock reads, no globals that change behaviour. The host passes the flow
version the conversation started on, the saved conversation, one event and the current time;
it gets back the new conversation and effects to carry out (bot.core.effects). Every state change
goes through the flow's compiled `transitions` machine, so a move the flow does not define
cannot happen. Wait tokens are derived from the conversation id and a counter kept in the
context (`_waits`), so the same inputs always give the same outputs.

Order on a reply: global intents first (stop, start, help, urgent, language: read by the
safety classifier, answered by bot.core.global_intents), then the waiting state's expectations,
all of them (bot.core.reply_match: one fit moves, several are asked back once or handed to a
person, none is not-understood handling). Before not-understood handling, a reply at a reading
or number question that no answer took is judged once for every channel
(bot.core.reading_replies): a part of a reading asks for the rest, an impossible number is
asked back, a crisis-level number reaches a person at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core import effects as fx
from bot.core import global_intents, messages, reading_replies, reply_match
from bot.core.conversation import (
    ACTIVE,
    ENDED,
    Conversation,
    DeliveryFailed,
    Event,
    Reply,
    StaffAction,
    Start,
    Timeout,
)
from bot.defaults import MAX_STEPS_PER_TURN
from bot.errors import EngineError
from bot.flows.compiler import BEGIN, NEW, CompiledFlow, compile_flow
from bot.flows.params import message_params, task_params
from bot.flows.schema import Flow, Say, State, TaskSpec
from bot.i18n import SOURCE_LOCALE, fill
from bot.understanding import safety

WAITS_KEY = "_waits"  # context key holding the wait counter (engine-internal)
HEARD_KEY = "_heard"  # the last reply's message id and what was understood (for tasks)
VARIANT_KEY = "_variant"  # the message variant the patient was assigned at enrolment
ASKED_KEY = "_asked_back"  # the wait token of the question already asked back once
READING_AT = "at"  # the part of a saved reading that holds when it was received


@dataclass(frozen=True)
class StepResult:
    conversation: Conversation
    effects: list[fx.Effect]
    trace: list[str] = field(default_factory=list)  # compiled events fired, in order


class _Turn:
    """Mutable scratch state for one step; turned back into a frozen Conversation at the end."""

    def __init__(self, compiled: CompiledFlow, conv: Conversation, now: datetime, kind: str,
                 classify: global_intents.Classifier) -> None:
        self.compiled, self.flow, self.conv, self.now, self.kind = compiled, compiled.flow, conv, now, kind
        self.classify = classify
        self.state, self.status, self.outcome = conv.state, conv.status, conv.outcome
        self.context, self.wait_token, self.attempts = conv.context, conv.wait_token, conv.attempts
        self.locale = conv.locale
        self.effects: list[fx.Effect] = []
        self.trace: list[str] = []
        self._own_context = False

    # -- helpers -------------------------------------------------------------------------
    def set_context(self, key: str, value: Any) -> None:
        if not self._own_context:
            self.context, self._own_context = dict(self.context), True
        self.context[key] = value

    def fire(self, event: str) -> None:
        self.state = self.compiled.fire(self.state, event)
        self.trace.append(event)

    def say(self, say: Say, state: str | None, kind: str | None = None) -> None:
        """Send `say`; a waiting state's voice menu (its labelled answers) rides along."""
        st = self.flow.states.get(state) if state else None
        choices = st.choices if st is not None and st.expect else ()
        if st is not None and say is st.say:
            say = st.say_for(self.context.get(VARIANT_KEY)) or say
        self.effects.append(fx.SendMessage(
            msgid=say.sms, params=message_params(say, self.context, choices), kind=kind or self.kind,
            state=state, voice_msgid=say.voice, choices=choices))

    def system(self, msgid: str, kind: str = fx.SYSTEM) -> None:
        self.effects.append(fx.SendMessage(msgid=msgid, params={}, kind=kind, state=self.state))

    def task(self, spec: TaskSpec, state: str | None, **more: Any) -> None:
        """Hand the patient to a team; the reason names the patient's answers it refers to
        (`{day}`, `{bp.systolic}`), formatted in the language flows are written in."""
        params = task_params(spec, self.context)
        reason = fill(spec.reason, params, SOURCE_LOCALE, self.conv.timezone or "UTC",
                      now=self.now) if params else spec.reason
        self.effects.append(fx.CreateTask(team=spec.team, priority=spec.priority_for(self.context),
                                          reason=reason, state=state, **more))

    def cancel_wait(self) -> None:
        if self.wait_token:
            self.effects.append(fx.CancelTimeout(self.wait_token))
        self.wait_token = None

    def end(self, outcome: str) -> None:
        self.cancel_wait()
        self.status, self.outcome = ENDED, outcome
        self.effects.append(fx.EndConversation(outcome))

    def wait(self, st: State) -> None:
        if self.context.get(reading_replies.PARTIAL_KEY):
            self.set_context(reading_replies.PARTIAL_KEY, None)  # a part belongs to one question
        seq = int(self.context.get(WAITS_KEY, 0)) + 1
        self.set_context(WAITS_KEY, seq)
        digest = hashlib.sha1(f"{self.conv.id}:{seq}".encode()).hexdigest()[:12]
        self.wait_token, self.attempts = f"w{seq}-{digest}", 0
        if st.no_reply:
            self.effects.append(fx.ScheduleTimeout(self.wait_token, self.now + st.no_reply.after))

    def enter(self) -> None:
        """Run the current state and every pass-through state after it until a wait or an end."""
        for _ in range(MAX_STEPS_PER_TURN):
            st = self.flow.states[self.state]
            if st.task:
                heard = self.context.get(HEARD_KEY) or {}
                self.task(st.task, st.name, reply_message_id=heard.get("message_id"),
                          understood=heard.get("understood"))
            if st.say:
                self.say(st.say, st.name)
            if st.end:
                self.end(st.end)
                return
            if st.expect:
                self.wait(st)
                return
            if st.goto:
                self.fire(f"next:{st.name}")
            else:
                taken = next((n for n, b in enumerate(st.branch, 1)
                              if all(c.holds(self.context) for c in b.when)), None)
                self.fire(f"branch:{st.name}:{taken}" if taken is not None else f"else:{st.name}")
        self.effects.append(fx.Audit("flow_loop", f"more than {MAX_STEPS_PER_TURN} states in one step",
                                     {"flow": self.flow.name, "state": self.state}))
        self.end("failed")

    def result(self) -> StepResult:
        conv = self.conv.evolve(
            state=self.state, status=self.status, outcome=self.outcome, context=self.context,
            wait_token=self.wait_token, attempts=self.attempts, locale=self.locale,
            updated_at=self.now if self.effects else self.conv.updated_at)
        return StepResult(conv, self.effects, self.trace)


# -- events ---------------------------------------------------------------------------------

def _missing_context(flow: Flow, context: dict[str, Any]) -> list[str]:
    missing = []
    for name in flow.settings.required_context:
        value = context.get(name)
        cf = flow.context.get(name)
        if value in (None, "", []) or (cf and cf.type == "list" and len(value) < cf.items):
            missing.append(name)
    return missing


def _on_start(t: _Turn) -> None:
    if t.status == ENDED or t.wait_token is not None:
        return  # already running or over: a repeated start changes nothing
    t.state = NEW
    missing = _missing_context(t.flow, t.context)
    if missing:
        t.effects.append(fx.Audit("flow_not_started", "patient context is missing required fields",
                                  {"flow": t.flow.name, "missing": missing}))
        t.state = t.flow.start
        t.end("failed")
        return
    t.fire(BEGIN)
    t.enter()




def _global(t: _Turn, event: Reply) -> bool:
    """Run the global intents (`bot.core.global_intents`). True when one of them handled the reply."""
    hit = t.classify(event.text, t.locale)
    if hit is None:
        return False
    ways = global_intents.YIELDS_TO_ANSWERS.get(hit.kind)
    if ways and _answers_question(t, event.text, ways):
        return False
    again = global_intents.asks_again(hit.kind, event.channel)
    question = prompt(t.flow, t.state, t.context, t.kind) if again else None
    effects = global_intents.reaction(hit, t.locale, flow=t.flow.name, state=t.state,
                                      question=question, channel=event.channel,
                                      message_id=event.message_id)
    if not effects:
        return False
    for effect in effects:
        if isinstance(effect, fx.SetLanguage):
            t.locale = effect.locale
    outcome = global_intents.ENDS_WITH.get(hit.kind)
    if outcome is None:
        t.effects += effects
        return True
    t.effects += [e for e in effects if not isinstance(e, fx.Audit)]
    t.end(outcome)  # cancels the wait; the audit record comes after the end
    t.effects += [e for e in effects if isinstance(e, fx.Audit)]
    return True


def _answers_question(t: _Turn, text: str, ways: frozenset[str]) -> bool:
    """True when `text` gives one of the current question's own answers in one of `ways`
    (a menu number or value; an option's words or topics).

    A yes- or no-word alone does not count: "no" would also claim "please don't text me before
    9am", which is a preference, not an answer.
    """
    decision = reply_match.decide(t.flow.states[t.state].expect, text, t.locale, t.context,
                                  now=t.now, timezone=t.conv.timezone)
    return any(c.how in ways for c in decision.candidates)


def _hear(t: _Turn, event: Reply, understood: str) -> None:
    t.set_context(HEARD_KEY, {"message_id": event.message_id, "understood": understood})


def _take(t: _Turn, st: State, found: reply_match.Candidate, event: Reply) -> None:
    exp = st.expect[found.index]
    value = exp.value if exp.value is not None else found.value
    if exp.intent == "reading" and exp.reading and isinstance(found.value, dict):
        t.effects.append(fx.RecordReading(kind=exp.reading, values=dict(found.value), state=st.name,
                                          message_id=event.message_id))
        value = {**found.value, READING_AT: t.now.isoformat()}  # "{bp.at:time}" in a task
    if exp.save_as:
        t.set_context(exp.save_as, value)
    _hear(t, event, reply_match.understood(exp, found))
    t.cancel_wait()
    t.fire(f"reply:{st.name}:{found.index + 1}")


def _carry(t: _Turn, mark: int, event: Reply, carried: tuple[str, ...]) -> None:
    """A reply that already answers the question it led to ("no, I ran out": no, then ran out)
    is read again there, by the topics of the answer that led there and nothing else; that
    question is then not sent."""
    st = t.flow.states[t.state]
    if not carried or t.status != ACTIVE or t.wait_token is None or not st.expect:
        return
    found = reply_match.decide(st.expect, event.text, t.locale, t.context, topics_only=carried).chosen
    if found is None:
        return
    token = t.wait_token
    t.effects[mark:] = [e for e in t.effects[mark:]
                        if not (isinstance(e, fx.SendMessage) and e.state == st.name)
                        and not (isinstance(e, fx.ScheduleTimeout) and e.wait_token == token)]
    t.wait_token = None
    _take(t, st, found, event)
    t.enter()


def _reading_alert(t: _Turn, st: State, verdict: reading_replies.Verdict, event: Reply) -> None:
    """A number at an alert level: a task at that level's priority, once per question asked."""
    alert = verdict.alert
    if alert is None or t.context.get(reading_replies.ALERTED_KEY) == t.wait_token:
        return
    t.set_context(reading_replies.ALERTED_KEY, t.wait_token)
    t.effects.append(fx.CreateTask(team=alert.team, priority=alert.priority, reason=alert.reason,
                                   state=st.name, reply_message_id=event.message_id,
                                   understood=verdict.understood()))


def _on_ambiguous(t: _Turn, st: State, decision: reply_match.Decision, event: Reply) -> None:
    labels = dict.fromkeys(st.expect[c.index].label() for c in decision.candidates)
    _hear(t, event, "ambiguous: " + " or ".join(labels))
    if st.ambiguous.ask and t.context.get(ASKED_KEY) != t.wait_token:
        t.set_context(ASKED_KEY, t.wait_token)
        t.system(messages.ASK_BACK, kind=fx.REPLY)
        if st.say:
            t.say(st.say, st.name)
        return
    then = ("ambiguous" if st.ambiguous.then else
            "not_understood" if st.not_understood else None)
    if then is None:
        t.system(messages.ASK_BACK, kind=fx.REPLY)
        return
    t.cancel_wait()
    t.fire(f"{then}:{st.name}")
    t.enter()


def _on_reply(t: _Turn, event: Reply) -> None:
    if t.status != ACTIVE or t.wait_token is None:
        return
    if _global(t, event):
        return
    st = t.flow.states[t.state]
    decision = reply_match.decide(st.expect, event.text, t.locale, t.context, now=t.now,
                                  timezone=t.conv.timezone)
    if decision.chosen is not None:
        _take(t, st, decision.chosen, event)
        mark = len(t.effects)
        t.enter()
        _carry(t, mark, event, st.expect[decision.chosen.index].topics)
        return
    if decision.ambiguous:
        _on_ambiguous(t, st, decision, event)
        return
    verdict = reading_replies.judge(st.expect, event.text, t.locale,
                                    t.context.get(reading_replies.PARTIAL_KEY) or None)
    if verdict is not None:
        _reading_alert(t, st, verdict, event)
        if verdict.partial:  # a part of the reading: ask only for the rest, not an attempt
            t.set_context(reading_replies.PARTIAL_KEY, dict(verdict.heard.values))
            _hear(t, event, verdict.understood())
            t.effects.append(fx.SendMessage(msgid=verdict.msgid, params=verdict.params,
                                            kind=fx.REPLY, state=st.name))
            return
    _hear(t, event, verdict.understood() if verdict else "not understood")
    nu = st.not_understood
    if nu is None:
        if verdict is not None:
            t.effects.append(fx.SendMessage(msgid=verdict.msgid, params=verdict.params,
                                            kind=fx.REPLY, state=st.name))
        return
    t.attempts += 1
    if t.attempts <= nu.reprompt:
        if verdict is not None:
            t.effects.append(fx.SendMessage(msgid=verdict.msgid, params=verdict.params,
                                            kind=fx.REPLY, state=st.name))
        elif nu.say:
            t.say(nu.say, st.name)
        else:
            t.system(messages.NOT_UNDERSTOOD, kind=fx.REPLY)
            if st.say:
                t.say(st.say, st.name)
        return
    t.cancel_wait()
    t.fire(f"not_understood:{st.name}")
    t.enter()


def _on_timeout(t: _Turn, event: Timeout) -> None:
    if t.status != ACTIVE or not event.wait_token or event.wait_token != t.wait_token:
        return  # stale: a reply or another step already moved on
    st = t.flow.states[t.state]
    if st.no_reply is None:
        return
    t.wait_token = None
    t.fire(f"no_reply:{st.name}")
    t.enter()


def _on_delivery_failed(t: _Turn, event: DeliveryFailed) -> None:
    if t.status != ACTIVE:
        return
    t.effects.append(fx.Audit("delivery_failed", "a message could not be delivered",
                              {"error_code": event.error_code, "message_id": event.message_id}))
    rule = t.flow.on_delivery_failure
    if rule is None:
        return
    if rule.task:
        t.task(rule.task, t.state, category="delivery")
    if rule.end:
        t.end(rule.end)


def _on_staff(t: _Turn, event: StaffAction) -> None:
    detail = {"staff_id": event.staff_id, "state": t.state}
    if event.action == "close":
        if t.status != ACTIVE:
            return
        t.end(event.outcome or "closed_by_staff")
        t.effects.append(fx.Audit("staff_close", "closed by staff", detail))
    elif event.action == "goto":
        if not event.state or event.state not in t.flow.states:
            raise EngineError(f"staff goto: flow {t.flow.name} has no state {event.state!r}")
        t.cancel_wait()
        t.status, t.outcome = ACTIVE, None
        t.effects.append(fx.Audit("staff_goto", f"moved to {event.state} by staff", detail))
        t.fire(f"staff_goto:{event.state}")
        t.enter()
    elif event.action == "resume":
        st = t.flow.states.get(t.state)
        if t.status != ENDED or st is None or not st.expect:
            return
        t.status, t.outcome = ACTIVE, None
        t.effects.append(fx.Audit("staff_resume", "resumed by staff", detail))
        t.enter()
    else:
        raise EngineError(f"unknown staff action {event.action!r}; use close, resume or goto")


def prompt(flow: Flow, state: str, context: dict[str, Any], kind: str = fx.REPLY) -> fx.SendMessage | None:
    """The question `state` asks, as the engine would send it (voice wording and menu included).

    For hosts that repeat the current question outside a step (a new call mid-conversation,
    silence on the line); None when the state says nothing.
    """
    st = flow.states.get(state)
    say = st.say_for(context.get(VARIANT_KEY)) if st is not None else None
    if st is None or say is None:
        return None
    choices = st.choices if st.expect else ()
    return fx.SendMessage(msgid=say.sms, params=message_params(say, context, choices), kind=kind,
                          state=st.name, voice_msgid=say.voice, choices=choices)


def run(flow: Flow, conversation: Conversation, event: Event, now: datetime, *,
        classify: global_intents.Classifier = safety.classify_global) -> StepResult:
    """`step` plus the list of machine events fired (for coverage and the simulator).

    `classify` reads global intents (stop, help, urgent...) before the flow does; it is a
    required collaborator with the real safety screen as default, never optional.
    """
    if (flow.name, flow.version) != (conversation.flow, conversation.version):
        raise EngineError(f"conversation is on {conversation.flow} v{conversation.version}, "
                          f"not {flow.name} v{flow.version}")
    kind = fx.REPLY if isinstance(event, Reply) else flow.settings.kind
    t = _Turn(compile_flow(flow), conversation, now, kind, classify)
    if isinstance(event, Start):
        _on_start(t)
        if t.effects and conversation.started_at is None:
            t.conv = t.conv.evolve(started_at=now)
    elif t.status == ENDED and not isinstance(event, StaffAction):
        pass  # an event for an ended conversation changes nothing
    elif isinstance(event, Reply):
        _on_reply(t, event)
    elif isinstance(event, Timeout):
        _on_timeout(t, event)
    elif isinstance(event, DeliveryFailed):
        _on_delivery_failed(t, event)
    elif isinstance(event, StaffAction):
        _on_staff(t, event)
    else:
        raise EngineError(f"unknown event {type(event).__name__}")
    if not t.effects:
        return StepResult(conversation, [], [])
    return t.result()


def step(flow: Flow, conversation: Conversation, event: Event, now: datetime, *,
         classify: global_intents.Classifier = safety.classify_global,
         ) -> tuple[Conversation, list[fx.Effect]]:
    """Advance `conversation` by one `event` at time `now`; returns (new conversation, effects)."""
    result = run(flow, conversation, event, now, classify=classify)
    return result.conversation, result.effects
