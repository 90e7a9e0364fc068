"""Twilio's SMS webhooks: inbound messages and delivery status callbacks.

Both are signed by Twilio; both must answer fast (Twilio gives up after 15 s) and be idempotent
(Twilio may retry, callbacks arrive out of order). The inbound handler only stores the message
and an inbox event in one transaction (bot.store.inbound), then enqueues the per-patient worker
in one Redis round trip; the conversation itself moves in the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, request
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot import i18n, metrics
from bot.core import messages
from bot.core.kinds import MessageKind
from bot.services import queues, statuses
from bot.store import inbound, rows
from bot.store import repositories as repo
from bot.store.enums import Direction, MessageStatus
from bot.store.models import (
    OUTBOUND,
    STATUS_RANK,
    InboxEvent,
    Message,
    utcnow,
)
from bot.web.context import runtime

log = logging.getLogger(__name__)
bp = Blueprint("twilio", __name__, url_prefix="/twilio")

F = TypeVar("F", bound=Callable[..., Any])

#: How often an unknown number gets the polite generic answer.
UNKNOWN_REPLY_EVERY = timedelta(hours=24)


def twiml(response: MessagingResponse | None = None) -> Response:
    return Response(str(response or MessagingResponse()), mimetype="text/xml")


def public_url() -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path (+ query), not what the proxy shows us."""
    url = runtime().settings.public_base_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def signed(view: F) -> F:
    """Reject (403) a request without a valid X-Twilio-Signature."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        validator = RequestValidator(runtime().settings.TWILIO_AUTH_TOKEN)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not validator.validate(public_url(), request.form, signature):
            log.warning("rejected webhook with a bad signature path=%s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@bp.post("/sms")
@signed
def inbound_sms() -> Response:
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = form.get("From", "")
    if not sid or not sender:
        abort(400)
    rt = runtime()
    now = utcnow()
    reply: str | None = None
    try:
        # One transaction, two Core INSERTs (bot.store.inbound): committed, so durable, before
        # Twilio hears 200.
        with rt.db.engine.begin() as conn:
            stored = inbound.store_reply(conn, sender=sender, sid=sid,
                                         body=form.get("Body", ""),
                                         segments=_int(form.get("NumSegments")), now=now)
            if stored.patient_id is None:
                with Session(bind=conn) as s:
                    reply = _unknown_number(s, sender, stored.message_id, now)
                    s.flush()
        metrics.MESSAGES.labels(direction=Direction.INBOUND, status=MessageStatus.RECEIVED).inc()
        patient_id = stored.patient_id
    except IntegrityError:
        # Twilio retried a message we already stored: answer again, store nothing new. Any
        # other refusal must not pass for a duplicate: answering 200 would lose the reply,
        # while an error makes Twilio try again.
        if not _already_stored(sid):
            raise
        log.info("duplicate inbound webhook ignored")
        patient_id = _patient_of_duplicate(sid)
        reply = None
    if patient_id is not None:
        _wake_worker(rt, patient_id)
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return twiml(response)


def _wake_worker(rt: Any, patient_id: int) -> None:
    """Queue the patient's inbox; a Redis outage must not turn a stored reply into an error.

    The inbox event is committed already: answering 500 would make Twilio send it again (a
    duplicate we drop) while nothing new is learned. The sweeper re-queues unprocessed inbox
    events once Redis is back.
    """
    try:
        queues.enqueue_process_patient(rt.redis, patient_id)
    except RedisError as exc:
        log.warning("enqueue failed (%s); the sweeper will queue patient %s", type(exc).__name__,
                    patient_id)


def _already_stored(sid: str) -> bool:
    with runtime().db.session() as s:
        return s.scalar(select(Message.id).where(Message.twilio_sid == sid)) is not None


def _patient_of_duplicate(sid: str) -> int | None:
    """Re-enqueue for a duplicate whose event is still unprocessed (a crash before enqueue)."""
    with runtime().db.session() as s:
        event = s.scalar(select(InboxEvent).where(InboxEvent.dedupe_key == sid))
        if event is None or event.processed_at is not None:
            return None
        return event.patient_id


def _unknown_number(s: Session, address: str, message_id: int, now: Any) -> str | None:
    """Record a task and answer politely, at most once per number per day."""
    settings = runtime().settings
    recent = s.scalar(
        select(Message.id).where(
            Message.address == address, Message.direction == OUTBOUND,
            Message.msgid == messages.UNKNOWN_NUMBER_REPLY,
            Message.created_at >= now - UNKNOWN_REPLY_EVERY,
        ).limit(1)
    )
    if recent is not None:
        return None
    repo.add_task(s, team="outreach", priority="routine", category="unknown_number",
                  reason="Text from a number that matches no patient", now=now,
                  message_id=message_id)
    locale = i18n.negotiate(settings.OUTREACH_DEFAULT_LOCALE)
    body = i18n.render(messages.UNKNOWN_NUMBER_REPLY,
                       {"program": settings.PROGRAM_NAME, "contact": settings.PROGRAM_CONTACT},
                       locale, settings.DEFAULT_TIMEZONE)
    s.add(rows.sent_text(address=address, body=body, msgid=messages.UNKNOWN_NUMBER_REPLY,
                         kind=MessageKind.SYSTEM, locale=locale, now=now))
    repo.audit(s, "unknown_number", "inbound text from an unmatched number", now,
               detail={"message_id": message_id})
    return body


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@bp.post("/status")
@signed
def status_callback() -> Response:
    form = request.form
    sid = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    if not sid or status not in STATUS_RANK:
        return twiml()
    error_code = _int(form.get("ErrorCode"))
    statuses.record(runtime(), sid, status, error_code)
    return twiml()
