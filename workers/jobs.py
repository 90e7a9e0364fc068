"""RQ job functions: thin shells that load rows, call the engine and hand effects on.

- `process_patient(patient_id)`: drain the patient's inbox, one event per transaction, in
  arrival order, under the patient lock (RapidPro mailroom's pattern).
- `fire_timeout(conversation_id, wait_token)`: a `no_reply` wait ran out.
- `send_message(message_id)`: hand one stored message to Twilio, at most once.
- `sweep()`: re-arm anything that lost its job (a crash between commit and enqueue).
Jobs take ids, never model objects, and log ids and outcomes only (no bodies, names, numbers).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import defaults
from bot.conversation import DeliveryFailed, Reply, StaffAction, Start, Timeout
from bot.errors import TransientSendError
from bot.store import repositories as repo
from bot.store.models import Conversation, InboxEvent, Message, Patient, TimeoutIntent
from workers import context, queues
from workers.effects import AfterCommit, Scope, apply, save_engine, to_engine
from workers.inbox import handle_unrouted_reply
from workers.locks import PatientLock
from workers.sending import send_message_now

log = logging.getLogger(__name__)

__all__ = ["fire_timeout", "process_patient", "send_message", "sweep"]


def process_patient(patient_id: int) -> str:
    """Process every unprocessed inbox event of one patient, oldest first."""
    rt = context.runtime()
    conn = context.connection()
    lock = PatientLock(conn, patient_id)
    if not lock.acquire():
        queues.enqueue_process_patient(conn, patient_id, delay=defaults.PATIENT_LOCK_RETRY_SECONDS)
        return "busy"
    processed = 0
    due_now: list[int] = []
    try:
        while lock.extend():
            after = _process_one(rt, patient_id)
            if after is None:
                break
            processed += 1
            due_now += run_after_commit(conn, after, send_inline=True)
    finally:
        lock.release()
    for message_id in due_now:
        _send_inline(conn, message_id)
    ensure_sweeping(conn)
    log.info("patient %s: %d event(s) processed", patient_id, processed)
    return f"processed {processed}"


def _process_one(rt: Any, patient_id: int) -> AfterCommit | None:
    """One event in one transaction; None when the inbox is empty."""
    now = context.now()
    with rt.db.session() as s:
        event = repo.next_event(s, patient_id)
        if event is None:
            return None
        patient = s.get(Patient, patient_id)
        scope = Scope(s, rt.settings, patient, None, now)  # type: ignore[arg-type]
        handler = _EVENT_HANDLERS.get(event.kind)
        if handler is None:
            log.error("inbox event %s has unknown kind %s; skipped", event.id, event.kind)
        else:
            handler(rt, scope, event)
        event.processed_at = now
        return scope.after


def _step(rt: Any, scope: Scope, conv: Conversation, engine_event: Any) -> bool:
    """Run the engine on `conv`, save it and apply its effects; False if nothing happened."""
    from bot import engine

    flow = rt.flows.get(conv.flow, conv.version)
    scope.conversation = conv
    scope.quiet_hours = flow.settings.quiet_hours
    new_conv, effects = engine.step(flow, to_engine(conv), engine_event, scope.now)
    if not effects:
        return False
    save_engine(conv, new_conv, scope.now)
    apply(scope, effects)
    return True


def _on_start(rt: Any, scope: Scope, event: InboxEvent) -> None:
    conv = scope.session.get(Conversation, event.conversation_id)
    if conv is not None:
        _step(rt, scope, conv, Start())


def _on_reply(rt: Any, scope: Scope, event: InboxEvent) -> None:
    message = scope.session.get(Message, event.payload["message_id"])
    text = message.body if message else ""
    if message is not None and rt.settings.SAFETY_SECOND_OPINION_URL:
        scope.after.reviews.append(message.id)
    for conv in repo.active_conversations(scope.session, scope.patient.id)[:1]:
        if message is not None:
            message.conversation_id = conv.id
        if _step(rt, scope, conv, Reply(text=text, channel="sms",
                                        message_id=str(message.id) if message else None)):
            return
    scope.conversation = None
    handle_unrouted_reply(scope, message)


def _on_second_opinion(rt: Any, scope: Scope, event: InboxEvent) -> None:
    from workers.second_opinion import handle_second_opinion

    payload = dict(event.payload)
    handle_second_opinion(scope, int(payload["message_id"]), str(payload["tier"]),
                          str(payload.get("lexicon_tier", "none")))


def _on_timeout(rt: Any, scope: Scope, event: InboxEvent) -> None:
    token = event.payload["wait_token"]
    conv = scope.session.get(Conversation, event.conversation_id)
    for intent in scope.session.scalars(select(TimeoutIntent).where(
        TimeoutIntent.conversation_id == event.conversation_id,
        TimeoutIntent.wait_token == token, TimeoutIntent.status == "scheduled",
    )):
        intent.status = "fired"
    if conv is not None:
        _step(rt, scope, conv, Timeout(wait_token=token))


def _on_delivery_failed(rt: Any, scope: Scope, event: InboxEvent) -> None:
    from workers.delivery import handle_failure

    message = scope.session.get(Message, event.payload["message_id"])
    if message is None:
        return
    code = event.payload.get("error_code")
    conv = scope.session.get(Conversation, message.conversation_id) \
        if message.conversation_id else None
    scope.conversation = conv
    tell_flow = handle_failure(scope, message, code)
    if tell_flow and conv is not None and conv.status == "active":
        _step(rt, scope, conv, DeliveryFailed(message_id=str(message.id), error_code=code))


def _on_staff(rt: Any, scope: Scope, event: InboxEvent) -> None:
    conv = scope.session.get(Conversation, event.conversation_id)
    if conv is not None:
        payload = dict(event.payload)
        _step(rt, scope, conv, StaffAction(
            action=payload.get("action", "close"), state=payload.get("state"),
            outcome=payload.get("outcome"), staff_id=payload.get("staff_id")))


_EVENT_HANDLERS = {
    "start": _on_start,
    "reply": _on_reply,
    "timeout": _on_timeout,
    "delivery_failed": _on_delivery_failed,
    "staff": _on_staff,
    "second_opinion": _on_second_opinion,
}


def run_after_commit(conn: Any, after: AfterCommit, *, send_inline: bool = False) -> list[int]:
    """Enqueue sends and calls, (re)schedule or drop timeouts; all idempotent.

    With `send_inline`, messages due now are not enqueued but returned, for the caller to send
    itself once it let go of the patient lock (a reply then costs one job, not two, and the
    patient's messages leave in order). A crash before that send leaves a pending row that the
    sweeper re-arms, as for any lost job.
    """
    due_now: list[int] = []
    now = context.now()
    for message_id, at in after.sends:
        if send_inline and (at is None or at <= now):
            due_now.append(message_id)
        else:
            queues.enqueue_send(conn, message_id, at=at)
    for conversation_id, token, at in after.timeouts:
        queues.enqueue_timeout(conn, conversation_id, token, at)
    for conversation_id, token in after.cancels:
        queues.cancel_timeout(conn, conversation_id, token)
    for message_id in after.reviews:
        queues.enqueue_review(conn, message_id)
    if after.calls:
        from bot.channels import voice_calls

        target = SimpleNamespace(redis=conn)  # schedule_call only needs the connection
        for conversation_id, at in after.calls:
            voice_calls.schedule_call(target, conversation_id, at)
    return due_now


def _send_inline(conn: Any, message_id: int) -> None:
    """Send one message from the patient job; on any failure hand it to a send job, which
    retries with backoff (the claim in `workers.sending` keeps it at most once)."""
    try:
        send_message_now(message_id)
    except TransientSendError:
        log.info("message %s: transient failure inline; queued with backoff", message_id)
        queues.enqueue_send(conn, message_id, at=context.now() + timedelta(
            seconds=defaults.SEND_BACKOFF_SECONDS[0]))
    except Exception:
        log.exception("message %s: inline send failed; queued as its own job", message_id)
        queues.enqueue_send(conn, message_id)


def fire_timeout(conversation_id: int, wait_token: str) -> str:
    """Put a Timeout event in the patient's inbox (once per wait) and wake the worker."""
    rt = context.runtime()
    with rt.db.session() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            return "no conversation"
        patient_id = conv.patient_id
    try:
        with rt.db.session() as s:
            s.add(InboxEvent(patient_id=patient_id, conversation_id=conversation_id,
                             kind="timeout", payload={"wait_token": wait_token},
                             dedupe_key=f"timeout-{conversation_id}-{wait_token}",
                             created_at=context.now()))
    except IntegrityError:
        pass  # already in the inbox (a re-run of this job)
    queues.enqueue_process_patient(context.connection(), patient_id)
    return "queued"


def send_message(message_id: int) -> str:
    """Send one stored outbound message (see workers.sending)."""
    return send_message_now(message_id)


SWEEP_ARMED_KEY = "outreach:sweep-armed"


def ensure_sweeping(conn: Any) -> None:
    """Arm the sweeper unless a sweep is already scheduled (cheap: one EXISTS)."""
    if not conn.exists(SWEEP_ARMED_KEY):
        schedule_sweep(conn)


def schedule_sweep(conn: Any) -> None:
    """Schedule the next sweep; its id names the time slot, so repeats collapse into one."""
    conn.set(SWEEP_ARMED_KEY, "1", ex=defaults.SWEEP_INTERVAL_SECONDS * 3)
    at = context.now() + timedelta(seconds=defaults.SWEEP_INTERVAL_SECONDS)
    slot = int(at.timestamp()) // defaults.SWEEP_INTERVAL_SECONDS
    queues.queue(defaults.QUEUE_DEFAULT, conn).enqueue_at(
        at, "workers.jobs.sweep", job_id=f"outreach-sweep-{slot}", result_ttl=60)


def sweep() -> str:
    """Re-arm lost work, then schedule the next sweep (one scheduled sweep at a time)."""
    from workers.sweeper import sweep_once

    conn = context.connection()
    found = sweep_once(context.runtime(), conn, context.now())
    schedule_sweep(conn)
    return f"re-armed {found}"
