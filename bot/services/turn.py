"""One turn of a conversation: load -> step -> save -> apply, for every kind of inbox event.

The patient's inbox is drained oldest first, one event per transaction, under the patient's
lock (RapidPro mailroom's pattern); each event runs the pure engine (`bot.core.engine.step`)
on the stored conversation, saves what it returned and hands its effects to the executor.
Voice turns use the same `advance`, keeping the spoken messages for their TwiML.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import defaults, metrics
from bot.core import effects as fx
from bot.core import engine
from bot.core.conversation import DeliveryFailed, Event, Reply, StaffAction, Start, Timeout
from bot.core.global_intents import Classifier
from bot.errors import TransientSendError
from bot.flows.schema import Flow
from bot.services import queues, sweeper
from bot.services.after_commit import run_after_commit
from bot.services.delivery import handle_failure
from bot.services.executor import AfterCommit, Scope, apply, save_engine, to_engine
from bot.services.locks import PatientLock
from bot.services.runtime import Runtime, utcnow
from bot.services.sending import send_message_now
from bot.services.unrouted import handle_unrouted_reply
from bot.store import enrolments, rows
from bot.store import repositories as repo
from bot.store.models import Conversation, InboxEvent, Message, Patient, TimeoutIntent

log = logging.getLogger(__name__)


def advance(scope: Scope, flow: Flow, conv: Conversation, event: Event, *,
            spoken: bool = False, classify: Classifier | None = None) -> list[fx.Effect]:
    """Run the engine on `conv` for `event`, save the result and apply its effects.

    Returns the effects (none: nothing happened). With `spoken`, messages are not stored as
    texts: a voice turn says them in its TwiML. `classify` replaces the text classifier of
    global intents (a call reads its answers with `bot.understanding.call_intents`).
    """
    scope.conversation, scope.flow = conv, flow
    if classify is None:
        new_conv, effects = engine.step(flow, to_engine(conv), event, scope.now)
    else:
        new_conv, effects = engine.step(flow, to_engine(conv), event, scope.now,
                                        classify=classify)
    if effects:
        save_engine(conv, new_conv, scope.now)
        apply(scope, [e for e in effects if not (spoken and isinstance(e, fx.SendMessage))])
    return effects


def process_patient(rt: Runtime, patient_id: int) -> str:
    """Process every unprocessed inbox event of one patient, oldest first."""
    lock = PatientLock(rt.redis, patient_id)
    if not lock.acquire():
        queues.enqueue_process_patient(rt.redis, patient_id,
                                       delay=defaults.PATIENT_LOCK_RETRY_SECONDS)
        return "busy"
    processed = 0
    due_now: list[int] = []
    try:
        while lock.extend():
            after = _process_one(rt, patient_id)
            if after is None:
                break
            processed += 1
            due_now += run_after_commit(rt, after, send_inline=True)
    finally:
        lock.release()
    for message_id in due_now:
        _send_inline(rt, message_id)
    sweeper.ensure_sweeping(rt.redis, rt.settings.SWEEP_INTERVAL_SECONDS)
    log.info("patient %s: %d event(s) processed", patient_id, processed)
    return f"processed {processed}"


def _process_one(rt: Runtime, patient_id: int) -> AfterCommit | None:
    """One event in one transaction; None when the inbox is empty."""
    now = utcnow()
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


def _step(rt: Runtime, scope: Scope, conv: Conversation, event: Event) -> bool:
    return bool(advance(scope, rt.flows.get(conv.flow, conv.version), conv, event))


def _on_start(rt: Runtime, scope: Scope, event: InboxEvent) -> None:
    conv = scope.session.get(Conversation, event.conversation_id)
    if conv is not None:
        _step(rt, scope, conv, Start())


def _on_reply(rt: Runtime, scope: Scope, event: InboxEvent) -> None:
    message = scope.session.get(Message, event.payload["message_id"])
    text = message.body if message else ""
    if message is not None and rt.settings.SAFETY_SECOND_OPINION_URL:
        scope.after.reviews.append(message.id)  # asked after this turn commits, in its own job
    for conv in repo.active_conversations(scope.session, scope.patient.id)[:1]:
        if message is not None:
            message.conversation_id = conv.id
        if _step(rt, scope, conv, Reply(text=text, channel="sms",
                                        message_id=str(message.id) if message else None)):
            enrolments.record_reply(scope.session, conv.id, scope.now)
            metrics.count_after_commit(scope.session, metrics.REPLIES.labels(
                channel="sms", routed="yes").inc)
            return
    metrics.count_after_commit(scope.session, metrics.REPLIES.labels(
        channel="sms", routed="no").inc)
    scope.conversation, scope.flow = None, None
    handle_unrouted_reply(scope, message)


def _on_timeout(rt: Runtime, scope: Scope, event: InboxEvent) -> None:
    token = event.payload["wait_token"]
    conv = scope.session.get(Conversation, event.conversation_id)
    for intent in scope.session.scalars(select(TimeoutIntent).where(
        TimeoutIntent.conversation_id == event.conversation_id,
        TimeoutIntent.wait_token == token, TimeoutIntent.status == "scheduled",
    )):
        intent.status = "fired"
    if conv is not None:
        _step(rt, scope, conv, Timeout(wait_token=token))


def _on_delivery_failed(rt: Runtime, scope: Scope, event: InboxEvent) -> None:
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


def _on_staff(rt: Runtime, scope: Scope, event: InboxEvent) -> None:
    conv = scope.session.get(Conversation, event.conversation_id)
    if conv is not None:
        payload = dict(event.payload)
        _step(rt, scope, conv, StaffAction(
            action=payload.get("action", "close"), state=payload.get("state"),
            outcome=payload.get("outcome"), staff_id=payload.get("staff_id")))


def _on_second_opinion(rt: Runtime, scope: Scope, event: InboxEvent) -> None:
    from bot.services.second_opinion import carry_out

    payload = dict(event.payload)
    carry_out(scope, int(payload["message_id"]), str(payload["tier"]),
              str(payload.get("lexicon_tier", "none")))


_EVENT_HANDLERS: dict[str, Callable[[Runtime, Scope, InboxEvent], None]] = {
    "start": _on_start,
    "reply": _on_reply,
    "timeout": _on_timeout,
    "delivery_failed": _on_delivery_failed,
    "staff": _on_staff,
    "second_opinion": _on_second_opinion,
}


def _send_inline(rt: Runtime, message_id: int) -> None:
    """Send one message from the patient job; on any failure hand it to a send job, which
    retries with backoff (the claim in `bot.services.sending` keeps it at most once)."""
    try:
        send_message_now(rt, message_id)
    except TransientSendError:
        log.info("message %s: transient failure inline; queued with backoff", message_id)
        queues.enqueue_send(rt.redis, message_id, at=utcnow() + timedelta(
            seconds=defaults.SEND_BACKOFF_SECONDS[0]))
    except Exception:
        log.exception("message %s: inline send failed; queued as its own job", message_id)
        queues.enqueue_send(rt.redis, message_id)


def fire_timeout(rt: Runtime, conversation_id: int, wait_token: str) -> str:
    """Put a Timeout event in the patient's inbox (once per wait) and wake the worker."""
    with rt.db.session() as s:
        conv = s.get(Conversation, conversation_id)
        if conv is None:
            return "no conversation"
        patient_id = conv.patient_id
    try:
        with rt.db.session() as s:
            s.add(rows.timeout_event(patient_id, conversation_id, wait_token, utcnow()))
    except IntegrityError:
        pass  # already in the inbox (a re-run of this job)
    queues.enqueue_process_patient(rt.redis, patient_id)
    return "queued"
