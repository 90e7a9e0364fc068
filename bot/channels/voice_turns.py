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

from bot import effects as fx
from bot import engine, i18n
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import VoiceProfile, voice_profile
from bot.conversation import ACTIVE, Event
from bot.conversation import Conversation as EngineConversation
from bot.flows.params import message_params
from bot.flows.schema import Flow
from bot.store import repositories as repo
from bot.store.models import (
    INBOUND,
    OUTBOUND,
    STATUS_RANK,
    Conversation,
    Message,
    Patient,
    TimeoutIntent,
)
from workers import queues
from workers.locks import PatientLock

log = logging.getLogger(__name__)

#: How long a voice request waits for the patient lock before asking Twilio to come back (s).
#: Short: Twilio gives the whole request 15 s and a worker holds the lock for one event only.
VOICE_LOCK_WAIT_SECONDS = 4.0
LOCK_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Host:
    """What a voice turn needs from its surroundings."""

    runtime: Any  # bot.app.Runtime (settings, db, redis, flows)
    now: datetime

    @property
    def host_params(self) -> dict[str, Any]:
        s = self.runtime.settings
        return {"program": s.PROGRAM_NAME, "contact": s.PROGRAM_CONTACT or ""}


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


def to_engine(row: Conversation) -> EngineConversation:
    """The engine's view of a stored conversation (ids become strings)."""
    return EngineConversation(
        id=str(row.id), patient_id=str(row.patient_id), flow=row.flow, version=row.version,
        state=row.state or "", locale=row.locale, timezone=row.timezone, channel=row.channel,
        status=row.status, context=dict(row.context or {}), wait_token=row.wait_token,
        attempts=row.attempts, outcome=row.outcome, started_at=row.started_at,
        updated_at=row.updated_at,
    )


def store_engine(row: Conversation, conv: EngineConversation, now: datetime) -> None:
    row.state, row.status, row.context = conv.state, conv.status, dict(conv.context)
    row.wait_token, row.attempts, row.outcome = conv.wait_token, conv.attempts, conv.outcome
    row.locale, row.updated_at = conv.locale, now


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
    numbers_ok = all(e.max is not None and e.max < 10 for e in state.expect if e.intent == "number")
    return bool(keys) and all(len(k) == 1 for k in keys) and numbers_ok


# -- carrying out a step --------------------------------------------------------------------

def apply_effects(
    s: Session, host: Host, row: Conversation, patient: Patient, effects: Sequence[fx.Effect],
) -> list[Any]:
    """Store what a voice step decided, except the spoken messages (those go in the TwiML).

    Returns RQ work to enqueue after commit as (function, args) pairs.
    """
    now = host.now
    after_commit: list[Any] = []
    for effect in effects:
        if isinstance(effect, fx.CreateTask):
            repo.add_task(s, team=effect.team, priority=effect.priority, reason=effect.reason,
                          category=effect.category, now=now, patient_id=patient.id,
                          conversation_id=row.id)
        elif isinstance(effect, fx.ScheduleTimeout):
            s.add(TimeoutIntent(conversation_id=row.id, wait_token=effect.wait_token,
                                fire_at=effect.at, created_at=now))
            after_commit.append((queues.enqueue_timeout, (row.id, effect.wait_token, effect.at)))
        elif isinstance(effect, fx.CancelTimeout):
            for intent in repo.cancel_timeouts(s, row.id, effect.wait_token):
                after_commit.append((queues.cancel_timeout, (row.id, intent.wait_token)))
        elif isinstance(effect, fx.EndConversation):
            for intent in repo.end_conversation(s, row, effect.outcome, now):
                after_commit.append((queues.cancel_timeout, (row.id, intent.wait_token)))
        elif isinstance(effect, fx.RecordConsent):
            repo.set_consent(s, patient, effect.status, f"voice:{effect.source}", now,
                             keyword=effect.keyword)
        elif isinstance(effect, fx.SetLanguage):
            row.locale = patient.locale = effect.locale
        elif isinstance(effect, fx.Audit):
            repo.audit(s, effect.action, effect.reason, now, patient_id=patient.id,
                       conversation_id=row.id, detail=effect.detail)
    return after_commit


def run_after_commit(host: Host, work: list[Any]) -> None:
    for func, args in work:
        func(host.runtime.redis, *args)


def record_said(s: Session, row: Conversation, patient: Patient, msgids: Sequence[str],
                lines: Sequence[str], kind: str, now: datetime) -> None:
    """Store each spoken line as an outbound voice message (the call's transcript)."""
    for msgid, line in zip(msgids, lines, strict=True):
        s.add(Message(patient_id=patient.id, conversation_id=row.id, direction=OUTBOUND,
                      channel="voice", address=patient.phone, body=line, msgid=msgid, kind=kind,
                      locale=row.locale, status="delivered", status_rank=STATUS_RANK["delivered"],
                      created_at=now, claimed_at=now))


def record_heard(s: Session, row: Conversation, patient: Patient, text: str, now: datetime) -> int:
    message = Message(patient_id=patient.id, conversation_id=row.id, direction=INBOUND,
                      channel="voice", address=patient.phone, body=text, kind="reply",
                      locale=row.locale, status="received", status_rank=STATUS_RANK["received"],
                      created_at=now)
    s.add(message)
    s.flush()
    return message.id


def step_twiml(
    s: Session, host: Host, row: Conversation, patient: Patient, event: Event, action_url: str,
    prefix: Sequence[str] = (),
) -> tuple[str, list[Any]]:
    """Run the engine for `event`, store the outcome, and return the TwiML of the turn."""
    flow = flow_of(host, row)
    conv, effects = engine.step(flow, to_engine(row), event, host.now)
    store_engine(row, conv, host.now)
    work = apply_effects(s, host, row, patient, effects)
    said = [e for e in effects if isinstance(e, fx.SendMessage)]
    return _turn_xml(s, host, row, patient, flow, said, action_url, prefix), work


def replay_twiml(
    s: Session, host: Host, row: Conversation, patient: Patient, action_url: str,
    prefix: Sequence[str] = (),
) -> str:
    """Ask the current question again (a new call mid-conversation, or silence on the line)."""
    flow = flow_of(host, row)
    state = flow.states.get(row.state)
    said: list[fx.SendMessage] = []
    if state is not None and state.say is not None and row.status == ACTIVE:
        said.append(fx.SendMessage(msgid=state.say.sms, voice_msgid=state.say.voice,
                                   params=message_params(state.say, row.context or {}),
                                   kind=fx.REPLY, state=state.name))
    return _turn_xml(s, host, row, patient, flow, said, action_url, prefix)


def _turn_xml(
    s: Session, host: Host, row: Conversation, patient: Patient, flow: Flow,
    said: Sequence[fx.SendMessage], action_url: str, prefix: Sequence[str],
) -> str:
    profile = profile_for(row, patient)
    if profile is None:  # the language changed to one Twilio cannot speak during the call
        return cannot_continue(host, row, voice_profile("en"))  # type: ignore[arg-type]
    state = flow.states.get(row.state)
    waiting = row.status == ACTIVE and state is not None and state.waits
    turn = tv.render_turn(said, row.locale, row.timezone, host.host_params)
    record_said(s, row, patient, turn.msgids, turn.lines,
                said[0].kind if said else fx.REPLY, host.now)
    turn = tv.Turn((*prefix, *turn.lines), turn.choices, turn.menu, turn.msgids)
    if waiting:
        digits = 1 if turn.choices or keypad_digits(flow, row.state) else None
        return tv.gather_twiml(turn, profile, action_url, num_digits=digits)
    goodbye = i18n.render(vm.GOODBYE, host.host_params, row.locale, row.timezone)
    return tv.final_twiml(turn.lines, profile, goodbye)


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
