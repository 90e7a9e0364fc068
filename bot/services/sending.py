"""Handing one stored message to Twilio, at most once, whatever crashes on the way.

1. Claim: in a committed transaction the message goes `pending`/`deferred` -> `sending` with
   the claim time; consent, quiet hours and the daily cap are checked again right here.
2. Wait for the sender's next slot at the carrier's rate (bot.services.send_rate), then call
   Twilio (status callback = PUBLIC_BASE_URL/twilio/status).
3. Record the sid and status, or act on the error.
A job that finds `sending` either steps back (the claimer may still be alive) or, once the
claim is older than any job can live, asks Twilio what it has before ever sending again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import defaults, metrics
from bot.channels import twilio_sms
from bot.channels.twilio_client import make_client
from bot.errors import TransientSendError
from bot.services import policy, queues, send_rate, statuses
from bot.services.runtime import Runtime, utcnow
from bot.settings import Settings
from bot.store import enrolments, rows
from bot.store import repositories as repo
from bot.store.enums import MessageStatus
from bot.store.models import STATUS_RANK, Conversation, Message, Patient

log = logging.getLogger(__name__)

#: How far back a reconciliation looks before the claim time (clock skew with Twilio) (s).
RECONCILE_SLACK_SECONDS = 120


@lru_cache(maxsize=4)
def _client(sid: str, token: str, base_url: str | None) -> Any:
    return make_client(sid, token, base_url)


def client(settings: Settings) -> Any:
    """The twilio client for `settings`, built once per process."""
    return _client(settings.TWILIO_ACCOUNT_SID or "", settings.TWILIO_AUTH_TOKEN or "",
                   settings.TWILIO_API_BASE_URL)


def send_message_now(rt: Runtime, message_id: int) -> str:
    """Claim, send and record message `message_id`; returns what happened, for the job log."""
    now = utcnow()
    claim, to, body, segments = _claim(rt, message_id, now)
    if claim != "claimed":
        return claim
    settings = rt.settings
    slot = send_rate.SendRate.for_settings(rt.redis, settings).wait_for_slot(segments)
    if not slot.granted:
        # The sender's queue is further out than a job should sleep: put it back, untried.
        _release(rt, message_id, undo_attempt=True)
        queues.enqueue_send(rt.redis, message_id, at=now + timedelta(seconds=slot.wait))
        return "paced"
    result = twilio_sms.send_sms(
        client(settings), to=to, body=body, status_callback=settings.status_callback_url,
        from_number=settings.TWILIO_FROM_NUMBER,
        messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
    )
    if result.ok:
        _record_sent(rt, message_id, result.sid, result.status, result.num_segments)
        return "sent"
    if result.outcome is twilio_sms.SendOutcome.RETRY:
        if result.uncertain:
            found = twilio_sms.find_sent(client(settings), to, body, now - timedelta(
                seconds=RECONCILE_SLACK_SECONDS))
            if found is not None:
                _record_sent(rt, message_id, found.sid, found.status, None)
                return "sent (reconciled)"
        _release(rt, message_id)
        raise TransientSendError(
            f"message {message_id}: transient failure code={result.error_code} "
            f"http={result.http_status}")
    _record_failure(rt, message_id, result.error_code, now)
    return f"failed {result.error_code}"


def _claim(rt: Runtime, message_id: int, now: datetime) -> tuple[str, str, str, int]:
    """Move the message to `sending` in one committed transaction, or say why not.

    Returns the verdict ("claimed" means go) with the address, body and segments to send.
    """
    verdict = _claim_in(rt, message_id, now)
    if isinstance(verdict, str):
        return verdict, "", "", 0
    return "claimed", *verdict


def _claim_in(rt: Runtime, message_id: int, now: datetime) -> str | tuple[str, str, int]:
    conn = rt.redis
    failed_patient: int | None = None
    with rt.db.session() as s:
        message = s.scalar(select(Message).where(Message.id == message_id).with_for_update())
        if message is None:
            return "no such message"
        if message.twilio_sid or message.status not in (
                MessageStatus.PENDING, MessageStatus.DEFERRED, MessageStatus.SENDING):
            return f"already {message.status}"
        if message.status == MessageStatus.SENDING:
            claimed = message.claimed_at
            if claimed is not None and (now - claimed).total_seconds() < \
                    defaults.SEND_CLAIM_STALE_SECONDS:
                # Another job may be mid-send: look again once its claim can no longer be live.
                queues.enqueue_send(conn, message_id, at=claimed + timedelta(
                    seconds=defaults.SEND_CLAIM_STALE_SECONDS + 1))
                return "claimed elsewhere"
            found = twilio_sms.find_sent(client(rt.settings), message.address, message.body,
                                         (claimed or message.created_at or now) - timedelta(
                                             seconds=RECONCILE_SLACK_SECONDS))
            if found is not None:
                _mark_sent(s, message, found.sid, found.status, None, now)
                log.info("message %s reconciled with Twilio after a crash", message_id)
                return "sent (reconciled)"
        if message.send_after and message.send_after > now:
            queues.enqueue_send(conn, message_id, at=message.send_after)
            return "not yet due"
        if message.send_attempts > defaults.SEND_MAX_RETRIES:
            log.warning("message %s: giving up after %d attempts", message_id,
                        message.send_attempts)
            failed_patient = _fail_in(s, message, None, now)
        else:
            verdict = _recheck(rt, s, message, now)
            if verdict is not None:
                return verdict
            message.status = MessageStatus.SENDING
            message.status_rank = STATUS_RANK[MessageStatus.SENDING]
            message.claimed_at = now
            message.send_attempts += 1
            to, body, segments = message.address, message.body, message.segments or 1
    if failed_patient is not None:
        queues.enqueue_process_patient(conn, failed_patient)
        return "gave up"
    return to, body, segments


def _recheck(rt: Runtime, s: Session, message: Message, now: datetime) -> str | None:
    """Consent, quiet hours and the cap, again at send time; None means go."""
    patient = s.get(Patient, message.patient_id) if message.patient_id else None
    if patient is None:
        return None
    conversation = s.get(Conversation, message.conversation_id) if message.conversation_id \
        else None
    flow = policy.conversation_flow(rt.flows, conversation)
    decision = policy.decide(s, patient, message, rt.settings, now, flow)
    if decision.action == policy.SUPPRESS:
        message.status = MessageStatus.SUPPRESSED
        message.status_rank = STATUS_RANK[MessageStatus.SUPPRESSED]
        repo.audit(s, "suppressed", f"at send time: {decision.reason}", now,
                   patient_id=patient.id, conversation_id=message.conversation_id,
                   detail={"message_id": message.id})
        return "suppressed"
    if decision.action == policy.DEFER:
        message.status, message.send_after = MessageStatus.DEFERRED, decision.at
        repo.audit(s, "cap" if "cap" in decision.reason else "deferral",
                   f"at send time: {decision.reason}", now, patient_id=patient.id,
                   conversation_id=message.conversation_id, detail={"message_id": message.id})
        queues.enqueue_send(rt.redis, message.id, at=decision.at)
        return "deferred"
    return None


def _fail_in(s: Session, message: Message, code: int | None, now: datetime) -> int | None:
    """Mark failed and put a delivery_failed event in the patient's inbox (same transaction)."""
    message.status, message.status_rank = MessageStatus.FAILED, STATUS_RANK[MessageStatus.FAILED]
    message.error_code = code
    message.updated_at = now
    if message.patient_id is None:
        return None
    s.add(rows.delivery_failed_event(message, now, error_code=code, status=MessageStatus.FAILED))
    return message.patient_id


def _mark_sent(s: Session, message: Message, sid: str | None, status: str | None,
               segments: int | None, now: datetime) -> None:
    status = status if status in STATUS_RANK else MessageStatus.QUEUED
    if message.twilio_sid is None and sid:
        # Handed over once: the run's cost moves here, and the status Twilio took it with
        # (queued, accepted) is counted; later statuses are counted as callbacks bring them.
        enrolments.record_sent(s, message.conversation_id, segments or message.segments or 1)
        metrics.count_after_commit(s, metrics.MESSAGES.labels(
            direction=message.direction, status=status).inc)
    message.twilio_sid = sid
    if STATUS_RANK[status] >= message.status_rank:
        message.status, message.status_rank = status, STATUS_RANK[status]
    if segments:
        message.segments = segments
    message.updated_at = now


def _record_sent(rt: Runtime, message_id: int, sid: str | None, status: str | None,
                 segments: int | None) -> None:
    now = utcnow()
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        _mark_sent(s, message, sid, status, segments, now)  # type: ignore[arg-type]
    statuses.apply_early(rt, sid)


def _release(rt: Runtime, message_id: int, *, undo_attempt: bool = False) -> None:
    """Twilio surely did not take it: back to pending for the retry (with `undo_attempt`, as
    if never claimed: the send was not tried, so it must not count towards giving up)."""
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        if message is not None and message.status == MessageStatus.SENDING \
                and not message.twilio_sid:
            message.status, message.status_rank = MessageStatus.PENDING, 0
            if undo_attempt:
                message.send_attempts = max(0, message.send_attempts - 1)


def _record_failure(rt: Runtime, message_id: int, code: int | None, now: datetime) -> None:
    """A refusal at create time (21610, 21211, 21614...): record it and tell the patient worker."""
    with rt.db.session() as s:
        message = s.get(Message, message_id)
        patient_id = _fail_in(s, message, code, now) if message is not None else None
    if patient_id is not None:
        queues.enqueue_process_patient(rt.redis, patient_id)
