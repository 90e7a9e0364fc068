"""Delivery statuses from Twilio's callbacks, applied to stored messages.

Callbacks arrive out of order, may repeat, and may even beat the send job's commit of the
message sid: a status never moves a message back (rank order), a failure becomes one inbox
event for the patient's worker, and a status for a sid not stored yet waits in Redis for the
send job to apply (`apply_early`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import metrics
from bot.services import queues
from bot.services.runtime import Runtime
from bot.store import enrolments, rows
from bot.store.enums import MessageStatus
from bot.store.models import FINAL_STATUSES, STATUS_RANK, Message, utcnow

#: Redis key holding a status callback that arrived before the send job stored the sid.
EARLY_STATUS_KEY = "twilio:early-status:{sid}"
EARLY_STATUS_TTL_SECONDS = 86400


def record(rt: Runtime, sid: str, status: str, error_code: int | None) -> None:
    """Apply one callback: wake the patient's worker on a failure, or keep it for later when
    the message's sid is not stored yet."""
    outcome = apply_status(rt, sid, status, error_code)
    if outcome == "unknown":
        key = EARLY_STATUS_KEY.format(sid=sid)
        rt.redis.hset(key, mapping={status: "" if error_code is None else str(error_code)})
        rt.redis.expire(key, EARLY_STATUS_TTL_SECONDS)
    elif isinstance(outcome, int):
        queues.enqueue_process_patient(rt.redis, outcome)


def apply_early(rt: Runtime, sid: str | None) -> None:
    """Status callbacks that arrived before `sid` was stored are applied now, in rank order."""
    if not sid:
        return
    key = EARLY_STATUS_KEY.format(sid=sid)
    early = rt.redis.hgetall(key)
    pending = {_text(status): _text(code) for status, code in early.items()}
    for status, code in sorted(pending.items(), key=lambda kv: STATUS_RANK.get(kv[0], 0)):
        outcome = apply_status(rt, sid, status, int(code) if code else None)
        if isinstance(outcome, int):
            queues.enqueue_process_patient(rt.redis, outcome)
    if early:
        rt.redis.delete(key)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def apply_status(rt: Runtime, sid: str, status: str, error_code: int | None) -> int | str | None:
    """Record one status for message `sid`; never moves a message back (rank order).

    Returns the patient id when a failure event was queued for the worker, "unknown" when no
    message has that sid yet, else None.
    """
    now = utcnow()
    try:
        with rt.db.session() as s:
            message = s.scalar(select(Message).where(Message.twilio_sid == sid).with_for_update())
            if message is None:
                return "unknown"
            rank = STATUS_RANK[status]
            if rank < message.status_rank or (
                rank == message.status_rank and message.status in FINAL_STATUSES
            ):
                return None
            changed = status != message.status
            reached = rank >= STATUS_RANK[MessageStatus.DELIVERED] and status not in (
                MessageStatus.FAILED, MessageStatus.UNDELIVERED) and \
                message.status_rank < STATUS_RANK[MessageStatus.DELIVERED]
            message.status = status
            message.status_rank = rank
            message.updated_at = now
            if reached:
                enrolments.record_delivered(s, message.conversation_id, now)
            if changed:  # a repeated callback is not a second message reaching the status
                metrics.count_after_commit(s, metrics.MESSAGES.labels(
                    direction=message.direction, status=status).inc)
            if error_code is not None:
                message.error_code = error_code
            if status not in (MessageStatus.FAILED, MessageStatus.UNDELIVERED) \
                    or message.patient_id is None:
                return None
            s.add(rows.delivery_failed_event(message, now, error_code=error_code, status=status,
                                             sid=sid))
            return message.patient_id
    except IntegrityError:
        return None  # the failure was already recorded by an earlier callback
