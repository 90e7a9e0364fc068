"""One voice turn: run the engine synchronously under the patient's lock and answer with TwiML.

Twilio waits for the answer (15 s at most), so unlike SMS the engine runs inside the web
request. Everything else the step asks for (tasks, consent, audit, timeouts, the end of the
conversation) is stored in the same transaction and scheduled on RQ as for SMS; only the
spoken messages differ: they become `<Say>` in the TwiML instead of outbound texts, and are
stored as voice `Message` rows so the care team sees what was said.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import i18n, metrics
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import PROFILES, VoiceProfile, interpreter_task, voice_profile
from bot.core import call_messages as cm
from bot.core import effects as fx
from bot.core import engine, global_intents, messages
from bot.core.conversation import ACTIVE, Event
from bot.core.global_intents import Classifier, GlobalHit
from bot.flows.schema import Flow
from bot.i18n.reply_words import reply_words
from bot.services import after_commit, turn
from bot.services.calls import interpreter_instead
from bot.services.executor import AfterCommit, Scope, add_outbound, apply, host_params
from bot.services.locks import PatientLock
from bot.services.runtime import Runtime
from bot.store import enrolments, rows
from bot.store.models import Conversation, Patient
from bot.understanding import call_intents, call_phrases, lexicon
from bot.understanding.call_intents import Keypad
from bot.understanding.safety import GlobalIntent

log = logging.getLogger(__name__)

#: The 988 Suicide & Crisis Lifeline's ten-digit number: a crisis transfer when the program
#: configured no on-call line (the three-digit 988 cannot be dialled through every carrier).
LIFELINE_NUMBER = "+18002738255"
#: Phone statuses under which no text goes to the number (the crisis text copy is skipped).
UNTEXTABLE = frozenset({"landline", "not_mobile", "invalid", "unreachable", "wrong_number"})

#: How long a voice request waits for the patient lock before asking Twilio to come back (s).
#: Short: Twilio gives the whole request 15 s and a worker holds the lock for one event only.
VOICE_LOCK_WAIT_SECONDS = 4.0
LOCK_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Host:
    """What a voice turn needs from its surroundings."""

    runtime: Runtime
    now: datetime

    patient: Patient | None = None

    @property
    def host_params(self) -> dict[str, Any]:
        """Placeholders for spoken lines: the contact number is read digit by digit."""
        s = self.runtime.settings
        params = host_params(s, self.patient) if self.patient is not None else {
            "program": s.PROGRAM_NAME, "contact": s.PROGRAM_CONTACT or ""}
        return {**params, "contact": tv.speakable_number(params.get("contact") or "")}


@contextmanager
def patient_lock(redis: Any, patient_id: int, wait: float = VOICE_LOCK_WAIT_SECONDS) -> Iterator[bool]:
    """Hold the worker's per-patient lock for the block; yields False if busy for `wait` s."""
    lock = PatientLock(redis, patient_id)
    deadline = time.monotonic() + wait
    acquired = lock.acquire()
    while not acquired and time.monotonic() < deadline:
        time.sleep(LOCK_POLL_SECONDS)
        acquired = lock.acquire()
    try:
        yield bool(acquired)
    finally:
        if acquired:
            lock.release()


def profile_for(row: Conversation, patient: Patient) -> VoiceProfile | None:
    return voice_profile(row.locale, patient.preferred_language)


def flow_of(host: Host, row: Conversation) -> Flow:
    flow: Flow = host.runtime.flows.get(row.flow, row.version)
    return flow


def keypad_digits(flow: Flow, state_name: str) -> bool:
    """True when every answer the state understands by keypad is one key (numDigits=1)."""
    state = flow.states.get(state_name)
    if state is None or not state.expect:
        return False
    keys = [k for e in state.expect for k in e.keywords if k.isdigit()]
    numbers = [e for e in state.expect if e.intent == "number"]
    numbers_ok = all(e.max is not None and e.max < 10 for e in numbers)
    return (bool(keys) or bool(numbers)) and all(len(k) == 1 for k in keys) and numbers_ok


def answer_keys(flow: Flow, state_name: str) -> frozenset[str]:
    """The keys the state's own answers use (a 0-10 scale uses 0 and 9)."""
    state = flow.states.get(state_name)
    if state is None:
        return frozenset()
    keys = {k for e in state.expect for k in e.keywords if k.isdigit() and len(k) == 1}
    for e in state.expect:
        if e.intent == "number":
            low = 0 if e.min is None else int(e.min)
            high = 9 if e.max is None else int(e.max)
            keys |= {str(n) for n in range(max(low, 0), min(high, 9) + 1)}
        if e.intent == "choice":
            keys |= {str(n) for n in range(1, 10)}
        if e.intent == "reading" and e.reading == "pain":
            keys |= {str(n) for n in range(10)}
        if e.intent == "reading" and e.reading == "blood_pressure":
            keys.add("*")  # keyed as 184*96: the star separates the two numbers
    return frozenset(keys)


#: Silent answers to one question before the call ends politely (the web endpoint and the
#: simulator alike).
MAX_SILENCES = 1
#: What an answer on a call leads to before the flow reads it (`read_answer`).
WRONG_NUMBER, REPEAT, ASK_BACK, STEP = "wrong_number", "repeat", "ask_back", "step"


@dataclass(frozen=True)
class CallAnswer:
    """One answer on a call, read as a call reads it: what it leads to, the call intent found
    (if any) and the text the flow gets (a spoken "two" made the key "2")."""

    action: str
    hit: GlobalIntent | None
    text: str


def read_answer(flow: Flow, state: str, text: str, locale: str, *, keyed: bool,
                confidence: float = 1.0) -> CallAnswer:
    """The one reading of an answer after identity, for the gather endpoint and the simulator:
    "wrong number" ends outreach to the number, "repeat" (or *) asks again, an unclear answer
    (low confidence, noise) is asked back unless it is urgent, anything else goes to the flow
    with the call intent found (crisis, "stop calling", key 9 or 0, help...)."""
    keypad = keypad_for(flow, state)
    hit = call_intents.classify_call(text, locale, keyed=keyed, keypad=keypad)
    if hit is not None and hit.kind in (WRONG_NUMBER, REPEAT):
        return CallAnswer(hit.kind, hit, text)
    if not call_intents.heard_clearly(text, keyed, confidence, locale) and (
            hit is None or hit.kind != call_intents.URGENT):
        return CallAnswer(ASK_BACK, hit, text)
    if hit is None and not keyed:
        text = call_intents.spoken_answer(text, locale, answer_keys(flow, state))
    return CallAnswer(STEP, hit, text)


def keypad_for(flow: Flow, state_name: str) -> Keypad:
    """The reserved keys (9 stop, 0 person, * repeat) this question leaves free."""
    return Keypad.for_answers(answer_keys(flow, state_name))


def question_twiml(flow: Flow, state: str, turn: tv.Turn, profile: VoiceProfile, action_url: str,
                   locale: str, timezone: str, params: dict[str, Any]) -> str:
    """A question as every call asks it (the web endpoints and `outreach simulate` alike):
    one key when one key answers it, the keypad opt-out when 9 is free, recogniser hints."""
    digits = 1 if turn.choices or keypad_digits(flow, state) else None
    offers = [i18n.render(cm.OPT_OUT_OFFER, params, locale, timezone)] \
        if keypad_for(flow, state).opt_out else []
    return tv.gather_twiml(turn, profile, action_url, num_digits=digits, offers=offers,
                           hints=hints_for(flow, state, locale))


#: Recogniser hints per question at most (Twilio reads a list of words and short phrases).
MAX_HINTS = 30
#: Yes- or no-words of the caller's language given as hints per yes/no answer.
POLARITY_HINTS = 3


def hints_for(flow: Flow, state_name: str, locale: str = i18n.SOURCE_LOCALE) -> tuple[str, ...]:
    """Words the recogniser should expect at this question: the answers' reply words in the
    caller's language (then English) — the same words a typed reply is matched against — the
    caller's yes- and no-words where a yes/no answers it, and the number words of a rating's
    range ("one" ... "five", "uno" ... "cinco"). Labels of a keypad menu are added by the
    TwiML builder."""
    state = flow.states.get(state_name)
    if state is None:
        return ()
    lex = lexicon.get(lexicon.canonical(locale))
    words: list[str] = []
    for e in state.expect:
        words += [k for k in reply_words(e.keywords, locale) if not k.isdigit()]
        if e.intent in ("yes", "no"):
            plain = [w for w in getattr(lex, e.intent) if _plain(w)]
            words += plain[:POLARITY_HINTS]
        if e.intent == "number":
            low = 0 if e.min is None else int(e.min)
            high = 10 if e.max is None else int(e.max)
            words += [w for w, n in call_phrases.number_words(lex.locale).items()
                      if low <= n <= high and _plain(w)]
    return tuple(dict.fromkeys(words))[:MAX_HINTS]


def _plain(word: str) -> bool:
    """A lexicon entry a caller would say: a plain word or phrase, not a pattern ("ye+s",
    "no*"), nor a texting form ("y", "ㄴㄴ")."""
    if len(word) < 2 and word.isascii():
        return False
    if any(0x1100 <= ord(c) <= 0x11FF or 0x3130 <= ord(c) <= 0x318F for c in word):
        return False
    return not any(c in word for c in "+*|.=()?[]")


# -- carrying out a step --------------------------------------------------------------------

def run_after_commit(host: Host, work: AfterCommit | None) -> None:
    if work is not None:
        after_commit.run_after_commit(host.runtime, work)


def record_said(s: Session, row: Conversation, patient: Patient, msgids: Sequence[str],
                lines: Sequence[str], kind: str, now: datetime) -> None:
    """Store each spoken line as an outbound voice message (the call's transcript)."""
    if lines:
        enrolments.record_reached(s, row.id, now)  # the call was answered
    for msgid, line in zip(msgids, lines, strict=True):
        s.add(rows.spoken_line(patient_id=patient.id, conversation_id=row.id,
                               address=patient.phone, line=line, msgid=msgid, kind=kind,
                               locale=row.locale, now=now))


def record_heard(s: Session, row: Conversation, patient: Patient, text: str, now: datetime,
                 key: str | None = None) -> int:
    message = rows.heard_answer(patient_id=patient.id, conversation_id=row.id,
                                address=patient.phone, text=text, locale=row.locale, now=now,
                                key=key)
    s.add(message)
    s.flush()
    enrolments.record_reply(s, row.id, now)
    metrics.count_after_commit(s, metrics.REPLIES.labels(channel="voice", routed="yes").inc)
    return message.id


def step_twiml(
    s: Session, host: Host, row: Conversation, patient: Patient, event: Event, action_url: str,
    prefix: Sequence[str] = (), classify: Classifier | None = None,
) -> tuple[str, AfterCommit | None]:
    """Run the engine for `event`, store the outcome, and return the TwiML of the turn."""
    flow = flow_of(host, row)
    scope = Scope(s, host.runtime.settings, patient, row, host.now, flow=flow)
    effects = turn.advance(scope, flow, row, event, spoken=True, classify=classify)
    if not effects:  # nothing changed (e.g. a stale event): ask the current question again
        return replay_twiml(s, host, row, patient, action_url, prefix), None
    said = [e for e in effects if isinstance(e, fx.SendMessage)]
    if _is_crisis(said):
        return _crisis_xml(scope, host, row, patient, said), scope.after
    return _turn_xml(s, host, row, patient, flow, said, action_url, prefix), scope.after


def apply_global(
    s: Session, host: Host, row: Conversation, patient: Patient, hit: GlobalHit,
) -> tuple[str, AfterCommit]:
    """Act on a global intent heard before the flow began (at the identity question).

    The same mapping as inside a conversation (`global_intents.reaction`, spoken wording);
    an intent that ends conversations ends this one; the call then ends (or, in a crisis,
    is put through to a person).
    """
    flow = flow_of(host, row)
    scope = Scope(s, host.runtime.settings, patient, row, host.now, flow=flow)
    effects = global_intents.reaction(hit, row.locale, flow=row.flow, state=row.state or None,
                                      channel="voice")
    ends = global_intents.ENDS_WITH.get(hit.kind)
    if ends is not None:
        effects.append(fx.EndConversation(ends))
    apply(scope, [e for e in effects if not isinstance(e, fx.SendMessage)])
    said = [e for e in effects if isinstance(e, fx.SendMessage)]
    if _is_crisis(said):
        return _crisis_xml(scope, host, row, patient, said), scope.after
    profile = profile_for(row, patient) or voice_profile("en")
    rendered = tv.render_turn(said, row.locale, row.timezone, host.host_params)
    record_said(s, row, patient, rendered.msgids, rendered.lines, fx.SYSTEM, host.now)
    goodbye = i18n.render(vm.GOODBYE, host.host_params, row.locale, row.timezone)
    return tv.final_twiml(rendered.lines, profile, goodbye), scope.after  # type: ignore[arg-type]


def _is_crisis(said: Sequence[fx.SendMessage]) -> bool:
    return any(m.kind == fx.SAFETY and m.msgid == messages.CRISIS_REPLY for m in said)


def _crisis_xml(scope: Scope, host: Host, row: Conversation, patient: Patient,
                said: Sequence[fx.SendMessage]) -> str:
    """The safety message, a spoken offer, and a transfer to a person; a text copy with 988."""
    profile = profile_for(row, patient) or voice_profile("en")
    safety = [m for m in said if m.kind == fx.SAFETY]
    rendered = tv.render_turn(safety, row.locale, row.timezone, host.host_params)
    connect = i18n.render(cm.CRISIS_CONNECT, host.host_params, row.locale, row.timezone)
    lines = (*rendered.lines, connect)
    record_said(scope.session, row, patient, (*rendered.msgids, cm.CRISIS_CONNECT), lines,
                fx.SAFETY, host.now)
    if patient.phone_status not in UNTEXTABLE:
        add_outbound(scope, messages.CRISIS_REPLY, {}, fx.SAFETY)
    settings = host.runtime.settings
    number = settings.VOICE_CRISIS_TRANSFER_NUMBER or LIFELINE_NUMBER
    apply(scope, [fx.Audit("crisis_transfer", "caller in crisis put through to a person",
                           {"configured": number != LIFELINE_NUMBER})])
    dialed = f"{settings.public_base_url}/twilio/voice/dialed?c={row.id}"
    return tv.crisis_twiml(lines, profile, number, dialed)  # type: ignore[arg-type]


def replay_twiml(
    s: Session, host: Host, row: Conversation, patient: Patient, action_url: str,
    prefix: Sequence[str] = (), *, record: bool = True,
) -> str:
    """Ask the current question again (a new call mid-conversation, or silence on the line),
    as the engine asks it: voice wording and keypad menu included. `record=False` for the
    answer to a replayed request, which must leave no trace in the call's transcript."""
    flow = flow_of(host, row)
    question = engine.prompt(flow, row.state, row.context or {}) if row.status == ACTIVE else None
    said = [question] if question is not None else []
    return _turn_xml(s, host, row, patient, flow, said, action_url, prefix, record=record)


def _turn_xml(
    s: Session, host: Host, row: Conversation, patient: Patient, flow: Flow,
    said: Sequence[fx.SendMessage], action_url: str, prefix: Sequence[str], *,
    record: bool = True,
) -> str:
    profile = profile_for(row, patient)
    if profile is None:  # the language changed to one Twilio cannot speak during the call
        return interpreter_instead_twiml(s, host, row, patient)
    state = flow.states.get(row.state)
    waiting = row.status == ACTIVE and state is not None and state.waits
    turn = tv.render_turn(said, row.locale, row.timezone, host.host_params)
    if record:
        record_said(s, row, patient, turn.msgids, turn.lines,
                    said[0].kind if said else fx.REPLY, host.now)
    turn = tv.Turn((*prefix, *turn.lines), turn.choices, turn.menu, turn.msgids)
    if waiting:
        return question_twiml(flow, row.state, turn, profile, action_url, row.locale,
                              row.timezone, host.host_params)
    goodbye = i18n.render(vm.GOODBYE, host.host_params, row.locale, row.timezone)
    return tv.final_twiml(turn.lines, profile, goodbye)


def interpreter_instead_twiml(s: Session, host: Host, row: Conversation, patient: Patient) -> str:
    """The caller chose a language no Twilio voice speaks (Kreyòl): no robot reading it in the
    wrong voice; a person calls back with an interpreter, and the call says so in English."""
    task = interpreter_task(row.locale, row.state or None)
    if task is not None:
        interpreter_instead(s, row, patient, task, host.now)
    english = PROFILES["en"]
    text = i18n.render(messages.HANDOFF_REPLY, host.host_params, "en", row.timezone)
    record_said(s, row, patient, [messages.HANDOFF_REPLY], [text], fx.SYSTEM, host.now)
    return tv.final_twiml([text], english, goodbye=None)


def say_then_hangup(host: Host, row: Conversation, profile: VoiceProfile, msgid: str) -> str:
    text = i18n.render(msgid, host.host_params, row.locale, row.timezone)
    return tv.final_twiml([text], profile, goodbye=None)


def cannot_continue(host: Host, row: Conversation, profile: VoiceProfile) -> str:
    return say_then_hangup(host, row, profile, vm.CANNOT_CONTINUE)


def load(s: Session, conversation_id: int) -> tuple[Conversation, Patient] | None:
    row = s.scalar(select(Conversation).where(Conversation.id == conversation_id))
    if row is None:
        return None
    return row, row.patient
