"""Placing outreach calls, retrying the ones nobody took, and moving texts to voice.

- `place_call` dials the patient with the real twilio client: Twilio fetches TwiML from
  /twilio/voice/answer?c=<conversation id>, reports progress to /twilio/voice/status, and waits
  for the end of an answering machine's greeting (DetectMessageEnd) so a voicemail can be left.
- `after_unreached` is the retry policy for busy / no-answer / failed / voicemail: up to
  `MAX_CALL_ATTEMPTS` calls, `RETRY_SPACING` apart, never in the patient's quiet hours; then a
  text (if the number takes texts) or a task for the outreach team.
- `fallback_to_voice` is what the SMS path calls when a text failed because the number is a
  landline (30006) or not mobile (21614).

Call attempts are `Message` rows with channel "voice" and the CallSid as `twilio_sid`, so the
care team's history shows them next to the texts. Logs carry ids only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from rq import Retry
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from bot import defaults
from bot.channels.twilio_client import make_client
from bot.channels.voice_locales import interpreter_task
from bot.core import rules
from bot.services import call_limits, policy, queues
from bot.services.runtime import Runtime
from bot.store import repositories as repo
from bot.store import rows
from bot.store.enums import MessageStatus
from bot.store.models import (
    CONSENT_REVOKED,
    OUTBOUND,
    STATUS_RANK,
    Conversation,
    FollowUpTask,
    Message,
    Patient,
)

log = logging.getLogger(__name__)

#: Calls per conversation before giving up on the phone (first call included).
MAX_CALL_ATTEMPTS = 3
#: Wait before the 2nd and 3rd call: the next day (one call a day, `call_limits`), at a
#: different time of day, which reaches people who work.
RETRY_SPACING = (timedelta(hours=27), timedelta(hours=27))
#: Seconds the phone rings before Twilio reports no-answer; most voicemail answers at 20-25 s.
RING_TIMEOUT_SECONDS = 30
#: Call progress events we want (initiated/ringing/answered for the history, completed to act).
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
#: Call statuses that mean the patient was not reached.
UNREACHED = frozenset({"busy", "no-answer", "failed", "canceled"})
#: Carrier errors that mean "this number cannot take texts".
LANDLINE_CODES = frozenset({30006, 21614})


def answer_url(base: str, conversation_id: int) -> str:
    return f"{base}/twilio/voice/answer?c={conversation_id}"


def gather_url(base: str, conversation_id: int, silences: int = 0, turn: int = 0) -> str:
    """Where the answer to a question goes; `turn` counts the answers heard on the call so far,
    so a replayed request names a turn that was already answered (see `answer_key`)."""
    return f"{base}/twilio/voice/gather?c={conversation_id}&n={silences}&t={turn}"


def status_url(base: str, conversation_id: int) -> str:
    return f"{base}/twilio/voice/status?c={conversation_id}"


def identify_url(base: str, conversation_id: int, tries: int = 0, turn: int = 0) -> str:
    return f"{base}/twilio/voice/identify?c={conversation_id}&n={tries}&t={turn}"


def answer_key(call_sid: str, turn: int) -> str | None:
    """The idempotency key of one answer on a call: the same (CallSid, turn) counts once.

    Twilio signs the whole URL, so the turn in it cannot be changed by whoever replays a
    request; a CallSid is 34 characters, leaving room for any turn count in `twilio_sid`.
    """
    return f"{call_sid}#{turn}" if call_sid else None


def call_over(s: Session, call_sid: str) -> bool:
    """True when Twilio already reported this call ended: its answers can change nothing."""
    if not call_sid:
        return False
    status = s.scalar(select(Message.status).where(Message.twilio_sid == call_sid))
    return CALL_STATUS_ORDER.get(status or "", 0) >= CALL_STATUS_ORDER["completed"]


#: Order of a call's statuses: a callback may arrive twice or late, and never moves one back.
CALL_STATUS_ORDER = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3,
                     "completed": 4, "busy": 4, "no-answer": 4, "failed": 4, "canceled": 4}


def moves_forward(current: str | None, new: str) -> bool:
    """True when `new` is later than `current` in a call's life (equal or older: ignore)."""
    return CALL_STATUS_ORDER.get(new, 0) > CALL_STATUS_ORDER.get(current or "queued", 0)


def status_rank(call_status: str) -> int:
    """The message-level rank (`STATUS_RANK`) of a call status, for the shared history."""
    if call_status == "completed":
        return STATUS_RANK["delivered"]
    if call_status in UNREACHED:
        return STATUS_RANK["failed"]
    return STATUS_RANK["sent"]


# -- placing calls ----------------------------------------------------------------------------

def attempts(s: Session, conversation_id: int) -> int:
    """Calls placed so far for a conversation."""
    return s.scalar(
        select(func.count(Message.id)).where(
            Message.conversation_id == conversation_id, Message.channel == "voice",
            Message.direction == OUTBOUND, Message.twilio_sid.like("CA%"),
        )
    ) or 0


def schedule_call(rt: Runtime, conversation_id: int, at: datetime | None = None,
                  attempt: int | None = None) -> None:
    """Queue the call job now or at `at`; the job id makes a second schedule harmless.

    A retry names its `attempt`, so two reports of the same unanswered call (Twilio may send a
    status callback twice) schedule one call, whenever each report arrived.
    """
    q = queues.queue(defaults.QUEUE_OUTBOUND, rt.redis)
    kwargs: dict[str, Any] = {"job_timeout": defaults.SEND_JOB_TIMEOUT_SECONDS, "result_ttl": 300,
                              "retry": Retry(max=3, interval=[10, 60, 300])}
    if at is not None:
        jid = (queues.job_id("call", conversation_id, f"a{attempt}") if attempt is not None
               else queues.job_id("call", conversation_id, int(at.timestamp())))
        q.enqueue_at(at, queues.CALL_JOB, conversation_id, job_id=jid, **kwargs)
    else:
        q.enqueue(queues.CALL_JOB, conversation_id, **kwargs)


def place_call(rt: Runtime, conversation_id: int, now: datetime) -> str | None:
    """Dial the patient of `conversation_id` if allowed now; returns the CallSid or None.

    Not placed (and said why in the audit trail): the conversation is over, consent was revoked,
    the language has no Twilio voice (an interpreter task instead), or it is quiet hours
    (rescheduled). Twilio errors at create count as a failed attempt.
    """
    settings = rt.settings
    with rt.db.session() as s:
        row = s.get(Conversation, conversation_id)
        if row is None or row.status != "active":
            return None
        patient: Patient = row.patient
        if patient.consent_status == CONSENT_REVOKED:
            repo.audit(s, "call_skipped", "patient revoked consent", now, patient_id=patient.id,
                       conversation_id=row.id)
            return None
        if patient.phone_status == "wrong_number":
            repo.audit(s, "call_skipped", "the number was reported wrong", now,
                       patient_id=patient.id, conversation_id=row.id)
            return None
        task = interpreter_task(row.locale, row.state or None)
        if task is not None:
            interpreter_instead(s, row, patient, task, now)
            return None
        flow = policy.conversation_flow(rt.flows, row)
        at = rules.next_allowed_send(now, patient.timezone or settings.DEFAULT_TIMEZONE,
                                     *rules.quiet_window(settings, flow))
        why = "quiet hours"
        if at <= now:
            limit_at, why = call_limits.next_call_at(s, patient, settings, now,
                                                     rules.quiet_window(settings, flow))
            at = limit_at or at
        if at > now:
            repo.audit(s, "call_deferred", why, now, patient_id=patient.id,
                       conversation_id=row.id, detail={"at": at.isoformat()})
            defer = at
        else:
            defer = None
        to, base, patient_id = patient.phone, settings.public_base_url, patient.id
    if defer is not None:
        schedule_call(rt, conversation_id, defer)
        return None
    if not settings.TWILIO_FROM_NUMBER or settings.VOICE_CALLS == "off":
        # Twilio places calls only from a phone number (a Messaging Service cannot call: 21603).
        # Every attempt would fail the same way, so go straight to the other ways to reach them.
        log.error("call not placed: calls are off or TWILIO_FROM_NUMBER is not set "
                  "conversation=%s", conversation_id)
        after_unreached(rt, conversation_id, "calls off or no caller number", now, give_up=True)
        return None
    client = make_client(settings.TWILIO_ACCOUNT_SID or "", settings.TWILIO_AUTH_TOKEN or "",
                         settings.TWILIO_API_BASE_URL)
    try:
        call = client.calls.create(
            to=to, from_=settings.TWILIO_FROM_NUMBER, url=answer_url(base, conversation_id),
            method="POST", status_callback=status_url(base, conversation_id),
            status_callback_event=STATUS_EVENTS, status_callback_method="POST",
            machine_detection="DetectMessageEnd", timeout=RING_TIMEOUT_SECONDS,
        )
    except TwilioRestException as exc:
        log.warning("call create failed conversation=%s code=%s", conversation_id, exc.code)
        with rt.db.session() as s:
            s.add(rows.call(patient_id=patient_id, conversation_id=conversation_id, address=to,
                            sid=f"CAfailed-{conversation_id}-{int(now.timestamp())}",
                            status=MessageStatus.FAILED, now=now, error_code=exc.code))
        after_unreached(rt, conversation_id, "failed", now)
        return None
    with rt.db.session() as s:
        s.add(rows.call(patient_id=patient_id, conversation_id=conversation_id, address=to,
                        sid=call.sid, status=call.status or MessageStatus.QUEUED, now=now))
    log.info("call placed conversation=%s sid=%s", conversation_id, call.sid)
    return call.sid


def interpreter_instead(
    s: Session, row: Conversation, patient: Patient, task: Any, now: datetime
) -> None:
    """No robot in the wrong language: a person calls back with an interpreter."""
    existing = s.scalar(select(func.count()).select_from(FollowUpTask).where(
        FollowUpTask.conversation_id == row.id, FollowUpTask.reason == task.reason))
    if not existing:
        repo.add_task(s, team=task.team, priority=task.priority, reason=task.reason,
                      category=task.category, now=now, patient_id=patient.id,
                      conversation_id=row.id)
    repo.audit(s, "call_skipped", "no Twilio voice for the patient's language", now,
               patient_id=patient.id, conversation_id=row.id, detail={"locale": row.locale})


# -- after a call -----------------------------------------------------------------------------

def after_unreached(rt: Runtime, conversation_id: int, why: str, now: datetime, *,
                    give_up: bool = False) -> str:
    """Retry a call nobody took, or give up on the phone; returns "retry", "sms" or "task".

    `give_up` skips the retries (calling cannot work at all, e.g. no caller number).
    """
    with rt.db.session() as s:
        row = s.get(Conversation, conversation_id)
        if row is None or row.status != "active":
            return "over"
        patient: Patient = row.patient
        made = attempts(s, conversation_id)
        if made < MAX_CALL_ATTEMPTS and not give_up:
            spacing = RETRY_SPACING[min(made - 1, len(RETRY_SPACING) - 1)] if made else timedelta(0)
            at = rules.next_allowed_send(now + spacing, patient.timezone, *rules.quiet_window(
                rt.settings, policy.conversation_flow(rt.flows, row)))
            repo.audit(s, "call_retry", f"call {why}", now, patient_id=patient.id,
                       conversation_id=row.id, detail={"attempt": made, "at": at.isoformat()})
            decision = "retry"
        elif patient.phone_status in ("landline", "not_mobile", "invalid", "wrong_number"):
            repo.add_task(s, team="outreach", priority="routine", category="unreachable",
                          reason=f"Could not reach the patient by phone ({why}; {made} calls).",
                          now=now, patient_id=patient.id, conversation_id=row.id)
            for intent in repo.end_conversation(s, row, "no_response", now):
                queues.cancel_timeout(rt.redis, row.id, intent.wait_token)
            decision = "task"
        else:
            _restart_on(s, row, "sms")
            s.add(rows.start_event(patient.id, row.id, rows.voice_fallback_key(row.id), now))
            repo.audit(s, "channel_fallback", f"no answer after {made} calls; texting", now,
                       patient_id=patient.id, conversation_id=row.id)
            decision = "sms"
    if decision == "retry":
        schedule_call(rt, conversation_id, at, attempt=made + 1)
    elif decision == "sms":
        queues.enqueue_process_patient(rt.redis, patient.id)
    return decision


def _restart_on(s: Session, row: Conversation, channel: str) -> None:
    """Begin the flow again on another channel: nothing of it reached the patient yet."""
    repo.cancel_timeouts(s, row.id)  # a stale timeout job finds no matching token and stops
    row.channel, row.state, row.wait_token, row.attempts = channel, "", None, 0


def fallback_to_voice(
    session: Session, conversation_id: int, now: datetime | None = None
) -> bool:
    """Move a conversation whose text failed as a landline (30006) / not mobile (21614) to voice.

    Called by the SMS status handling inside its transaction; the caller then runs
    `schedule_call(rt, conversation_id)` after commit. Returns False when the conversation is
    over or already on voice. A patient whose language Twilio cannot speak gets an interpreter
    task when the call job runs, instead of a call.
    """
    now = now or datetime.now(timezone.utc)
    row = session.get(Conversation, conversation_id)
    if row is None or row.status != "active" or row.channel == "voice":
        return False
    patient: Patient = row.patient
    patient.phone_status = "landline"
    _restart_on(session, row, "voice")
    repo.audit(session, "channel_fallback", "text failed: landline or not mobile; calling", now,
               patient_id=patient.id, conversation_id=row.id)
    return True
