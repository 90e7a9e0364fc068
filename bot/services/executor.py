"""The effect executor: carries out what the engine asked for, inside the caller's transaction.

Everything here only writes rows (messages to send, tasks, consent, audit, timeout intents);
nothing talks to Twilio or schedules a job. What must happen after the commit (enqueue the
sends, schedule or drop timeouts) is collected in `AfterCommit`, so a crash before the commit
leaves no trace and a crash after it is repaired by the sweeper.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import i18n
from bot.core import effects as fx
from bot.core.conversation import ENDED
from bot.core.conversation import Conversation as EngineConversation
from bot.flows.schema import Flow
from bot.services import policy
from bot.settings import Settings
from bot.store import readings as readings_repo
from bot.store import repositories as repo
from bot.store import rows
from bot.store.enums import MessageStatus
from bot.store.models import (
    CONSENT_REVOKED,
    STATUS_RANK,
    Conversation,
    Message,
    Patient,
    TimeoutIntent,
)
from bot.store.outcome_classes import class_of

log = logging.getLogger(__name__)


@dataclass
class AfterCommit:
    """Redis-side work for after the transaction commits (all of it idempotent)."""

    sends: list[tuple[int, datetime | None]] = field(default_factory=list)
    timeouts: list[tuple[int, str, datetime]] = field(default_factory=list)
    cancels: list[tuple[int, str]] = field(default_factory=list)
    #: Conversations to call (`bot.services.calls.schedule_call`), now or at a time.
    calls: list[tuple[int, datetime | None]] = field(default_factory=list)
    #: Inbound messages for the operator's second-opinion classifier (when configured).
    reviews: list[int] = field(default_factory=list)

    def merge(self, other: AfterCommit) -> None:
        self.sends += other.sends
        self.timeouts += other.timeouts
        self.cancels += other.cancels
        self.calls += other.calls
        self.reviews += other.reviews


@dataclass
class Scope:
    """Where the effects apply: one patient, maybe one conversation, at one time."""

    session: Session
    settings: Settings
    patient: Patient
    conversation: Conversation | None
    now: datetime
    #: The flow of `conversation`: its own quiet hours apply to what the turn sends.
    flow: Flow | None = None
    after: AfterCommit = field(default_factory=AfterCommit)
    #: When the latest message of this turn was held back to (quiet hours, daily cap).
    deferred_until: datetime | None = None


def host_params(settings: Settings, patient: Patient) -> dict[str, Any]:
    """Placeholders every message may use besides the flow's own."""
    return {"program": settings.PROGRAM_NAME, "contact": settings.PROGRAM_CONTACT,
            "first_name": patient.first_name}


def to_engine(row: Conversation) -> EngineConversation:
    return EngineConversation(
        id=str(row.id), patient_id=str(row.patient_id), flow=row.flow, version=row.version,
        state=row.state, locale=row.locale, timezone=row.timezone, channel=row.channel,
        status=row.status, context=dict(row.context or {}), wait_token=row.wait_token,
        attempts=row.attempts, outcome=row.outcome, started_at=row.started_at,
        updated_at=row.updated_at,
    )


def save_engine(row: Conversation, conv: EngineConversation, now: datetime) -> None:
    row.state = conv.state
    row.context = dict(conv.context)
    row.locale = conv.locale
    row.status = conv.status
    row.wait_token = conv.wait_token
    row.attempts = conv.attempts
    row.outcome = conv.outcome
    row.updated_at = now
    if conv.status == ENDED and row.ended_at is None:
        row.ended_at = now


def apply(scope: Scope, effects: list[fx.Effect]) -> AfterCommit:
    """Carry out `effects` in order; returns the after-commit work."""
    for effect in effects:
        handler = _HANDLERS.get(effect.type)
        if handler is None:
            raise TypeError(f"no handler for effect {effect.type!r}")
        handler(scope, effect)
    return scope.after


def add_outbound(
    scope: Scope, msgid: str, params: dict[str, Any], kind: str, *, locale: str | None = None,
) -> Message:
    """Render and store one outbound SMS, gated by the send-time rules (`bot.services.policy`)."""
    patient, conv = scope.patient, scope.conversation
    locale = locale or (conv.locale if conv else patient.locale) or "en"
    tz = (conv.timezone if conv else patient.timezone) or scope.settings.DEFAULT_TIMEZONE
    body = i18n.render(msgid, {**host_params(scope.settings, patient), **params}, locale, tz)
    message = rows.outbound_text(
        patient_id=patient.id, conversation_id=conv.id if conv else None, address=patient.phone,
        body=body, kind=kind, now=scope.now, msgid=msgid, locale=locale)
    scope.session.add(message)
    scope.session.flush()
    decision = policy.decide(scope.session, patient, message, scope.settings, scope.now,
                             scope.flow)
    if decision.action == policy.SUPPRESS:
        message.status = MessageStatus.SUPPRESSED
        message.status_rank = STATUS_RANK[MessageStatus.SUPPRESSED]
        repo.audit(scope.session, "suppressed", decision.reason, scope.now, patient_id=patient.id,
                   conversation_id=message.conversation_id, detail={"message_id": message.id})
        return message
    if decision.action == policy.DEFER:
        message.status, message.send_after = MessageStatus.DEFERRED, decision.at
        if decision.at is not None:
            scope.deferred_until = max(filter(None, (scope.deferred_until, decision.at)))
        action = "cap" if "cap" in decision.reason else "deferral"
        repo.audit(scope.session, action, decision.reason, scope.now, patient_id=patient.id,
                   conversation_id=message.conversation_id,
                   detail={"message_id": message.id, "send_after": decision.at.isoformat()
                           if decision.at else None})
    scope.after.sends.append((message.id, message.send_after))
    return message


def _send(scope: Scope, e: fx.SendMessage) -> None:
    conv = scope.conversation
    if conv is not None and conv.channel == "voice" and e.kind not in (fx.SYSTEM, fx.SAFETY):
        # A flow question on a phone conversation is asked by calling: the answer endpoint
        # speaks the conversation's current state. One call per event, however many lines.
        # (System and safety answers to a text the patient sent still go back as a text.)
        if all(cid != conv.id for cid, _ in scope.after.calls):
            scope.after.calls.append((conv.id, None))
            repo.audit(scope.session, "call_scheduled", "flow message on a voice conversation",
                       scope.now, patient_id=scope.patient.id, conversation_id=conv.id,
                       detail={"msgid": e.msgid, "state": conv.state})
        return
    add_outbound(scope, e.msgid, dict(e.params), e.kind)


def _task(scope: Scope, e: fx.CreateTask) -> None:
    conv = scope.conversation
    # The reply the task is about: the person who picks it up reads the patient's own words.
    reply = int(e.reply_message_id) if e.reply_message_id and e.reply_message_id.isdigit() else None
    repo.add_task(scope.session, team=e.team, priority=e.priority, reason=e.reason,
                  category=e.category, now=scope.now, patient_id=scope.patient.id,
                  conversation_id=conv.id if conv else None,
                  message_id=reply if reply is not None else (
                      int(e.message_id) if e.message_id else None),
                  understood=e.understood)


def _reading(scope: Scope, e: fx.RecordReading) -> None:
    conv = scope.conversation
    message = int(e.message_id) if e.message_id and e.message_id.isdigit() else None
    readings_repo.add_reading(scope.session, patient_id=scope.patient.id, kind=e.kind, values=e.values,
                              now=scope.now, conversation_id=conv.id if conv else None,
                              message_id=message, flow=conv.flow if conv else None)


def _schedule(scope: Scope, e: fx.ScheduleTimeout) -> None:
    conv = scope.conversation
    if conv is None:
        raise TypeError("schedule_timeout needs a conversation")
    at = e.at
    if scope.deferred_until is not None and scope.deferred_until > scope.now:
        # The question waits for quiet hours to end; the patient's time to answer starts
        # when it is sent, not when the engine asked.
        at = e.at + (scope.deferred_until - scope.now)
    scope.session.add(TimeoutIntent(conversation_id=conv.id, wait_token=e.wait_token,
                                    fire_at=at, created_at=scope.now))
    scope.after.timeouts.append((conv.id, e.wait_token, at))


def _cancel(scope: Scope, e: fx.CancelTimeout) -> None:
    conv = scope.conversation
    if conv is None:
        return
    for intent in repo.cancel_timeouts(scope.session, conv.id, e.wait_token):
        scope.after.cancels.append((conv.id, intent.wait_token))


def _end(scope: Scope, e: fx.EndConversation) -> None:
    conv = scope.conversation
    if conv is None:
        return
    for intent in repo.end_conversation(scope.session, conv, e.outcome, scope.now,
                                        outcome_class=class_of(scope.flow, e.outcome)):
        scope.after.cancels.append((conv.id, intent.wait_token))
    conv.outcome = e.outcome


def _consent(scope: Scope, e: fx.RecordConsent) -> None:
    repo.set_consent(scope.session, scope.patient, e.status, e.source, scope.now, e.keyword)
    if e.status != CONSENT_REVOKED:
        return
    # Opt-out ends every active conversation of the patient, not just this one.
    current = scope.conversation.id if scope.conversation else None
    for other in repo.active_conversations(scope.session, scope.patient.id):
        if other.id == current:
            continue
        for intent in repo.end_conversation(scope.session, other, "opted_out", scope.now):
            scope.after.cancels.append((other.id, intent.wait_token))
    repo.suppress_routine(scope.session, scope.patient.id, scope.now, "patient opted out")


def _preference(scope: Scope, e: fx.SetContactPreference) -> None:
    patient = scope.patient
    if e.window_start or e.window_end:
        patient.send_window_start, patient.send_window_end = e.window_start, e.window_end
        # A message already held for later is decided again when it falls due (send job).
    if e.channel:
        patient.preferred_channel = e.channel
    if e.note or e.channel:
        patient.contact_note = e.note or f"prefers {e.channel}"
        conv = scope.conversation
        repo.add_task(scope.session, team="outreach", priority="routine", category="contact_preference",
                      reason="Patient asked to be contacted differently: update the contact "
                             "details or program as they asked.", now=scope.now,
                      patient_id=patient.id, conversation_id=conv.id if conv else None,
                      message_id=int(e.message_id) if e.message_id else None)


def _mark_phone(scope: Scope, e: fx.MarkPhone) -> None:
    """Stop everything bound for this phone: other conversations end, held routine texts are
    suppressed (the wrong-number confirmation is a system message and still goes)."""
    scope.patient.phone_status = e.status
    current = scope.conversation.id if scope.conversation else None
    for other in repo.active_conversations(scope.session, scope.patient.id):
        if other.id == current:
            continue
        for intent in repo.end_conversation(scope.session, other, "delivery_failed", scope.now):
            scope.after.cancels.append((other.id, intent.wait_token))
    repo.suppress_routine(scope.session, scope.patient.id, scope.now, "phone is not the patient's")


def _language(scope: Scope, e: fx.SetLanguage) -> None:
    scope.patient.locale = e.locale
    if scope.conversation is not None:
        scope.conversation.locale = e.locale


def _audit(scope: Scope, e: fx.Audit) -> None:
    conv = scope.conversation
    repo.audit(scope.session, e.action, e.reason, scope.now, patient_id=scope.patient.id,
               conversation_id=conv.id if conv else None, detail=dict(e.detail))


_HANDLERS: dict[str, Any] = {
    fx.SendMessage.type: _send,
    fx.CreateTask.type: _task,
    fx.RecordReading.type: _reading,
    fx.ScheduleTimeout.type: _schedule,
    fx.CancelTimeout.type: _cancel,
    fx.EndConversation.type: _end,
    fx.RecordConsent.type: _consent,
    fx.SetContactPreference.type: _preference,
    fx.MarkPhone.type: _mark_phone,
    fx.SetLanguage.type: _language,
    fx.Audit.type: _audit,
}
