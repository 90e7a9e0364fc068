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

from bot import i18n
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import VoiceProfile, voice_profile
from bot.core import effects as fx
from bot.core import engine
from bot.core.conversation import ACTIVE, Event
from bot.flows.schema import Flow
from bot.services import after_commit, turn
from bot.services.executor import AfterCommit, Scope, host_params
from bot.services.locks import PatientLock
from bot.services.runtime import Runtime
from bot.store import rows
from bot.store.models import Conversation, Patient

log = logging.getLogger(__name__)

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
        s = self.runtime.settings
        if self.patient is not None:
            return host_params(s, self.patient)
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

def run_after_commit(host: Host, work: AfterCommit | None) -> None:
    if work is not None:
        after_commit.run_after_commit(host.runtime, work)


def record_said(s: Session, row: Conversation, patient: Patient, msgids: Sequence[str],
                lines: Sequence[str], kind: str, now: datetime) -> None:
    """Store each spoken line as an outbound voice message (the call's transcript)."""
    for msgid, line in zip(msgids, lines, strict=True):
        s.add(rows.spoken_line(patient_id=patient.id, conversation_id=row.id,
                               address=patient.phone, line=line, msgid=msgid, kind=kind,
                               locale=row.locale, now=now))


def record_heard(s: Session, row: Conversation, patient: Patient, text: str, now: datetime) -> int:
    message = rows.heard_answer(patient_id=patient.id, conversation_id=row.id,
                                address=patient.phone, text=text, locale=row.locale, now=now)
    s.add(message)
    s.flush()
    return message.id


def step_twiml(
    s: Session, host: Host, row: Conversation, patient: Patient, event: Event, action_url: str,
    prefix: Sequence[str] = (),
) -> tuple[str, AfterCommit | None]:
    """Run the engine for `event`, store the outcome, and return the TwiML of the turn."""
    flow = flow_of(host, row)
    scope = Scope(s, host.runtime.settings, patient, row, host.now, flow=flow)
    effects = turn.advance(scope, flow, row, event, spoken=True)
    if not effects:  # nothing changed (e.g. a stale event): ask the current question again
        return replay_twiml(s, host, row, patient, action_url, prefix), None
    work = scope.after
    said = [e for e in effects if isinstance(e, fx.SendMessage)]
    return _turn_xml(s, host, row, patient, flow, said, action_url, prefix), work


def replay_twiml(
    s: Session, host: Host, row: Conversation, patient: Patient, action_url: str,
    prefix: Sequence[str] = (),
) -> str:
    """Ask the current question again (a new call mid-conversation, or silence on the line),
    as the engine asks it: voice wording and keypad menu included."""
    flow = flow_of(host, row)
    question = engine.prompt(flow, row.state, row.context or {}) if row.status == ACTIVE else None
    said = [question] if question is not None else []
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
