"""Twilio's SMS webhooks: inbound messages and delivery status callbacks.

Both are signed by Twilio; both must answer fast (Twilio gives up after 15 s) and be idempotent
(Twilio may retry, callbacks arrive out of order). The inbound handler only stores the message
and an inbox event in one transaction, then enqueues the per-patient worker; the conversation
itself moves in the patient's worker (bot/services/turn.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot import i18n
from bot.core import messages
from bot.core.kinds import MessageKind
from bot.services import queues, statuses
from bot.store import repositories as repo
from bot.store import rows
from bot.store.models import (
    OUTBOUND,
    STATUS_RANK,
    InboxEvent,
    Message,
    Patient,
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
    patient_id: int | None = None
    try:
        with rt.db.session() as s:
            # The id only: the webhook must answer fast, and the Patient row (JSON attributes)
            # is the worker's business.
            found = s.scalar(select(Patient.id).where(Patient.phone == sender))
            message = rows.inbound_text(
                patient_id=found, address=sender, body=form.get("Body", ""), sid=sid,
                segment_count=_int(form.get("NumSegments")), now=now)
            s.add(message)
            s.flush()
            if found is None:
                reply = _unknown_number(s, message, now)
            else:
                patient_id = found
                s.add(rows.reply_event(found, message.id, sid, now))
    except IntegrityError:
        # Twilio retried a message we already stored: answer again, store nothing new.
        log.info("duplicate inbound webhook ignored")
        patient_id = _patient_of_duplicate(sid)
        reply = None
    if patient_id is not None:
        queues.enqueue_process_patient(rt.redis, patient_id)
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return twiml(response)


def _patient_of_duplicate(sid: str) -> int | None:
    """Re-enqueue for a duplicate whose event is still unprocessed (a crash before enqueue)."""
    with runtime().db.session() as s:
        event = s.scalar(select(InboxEvent).where(InboxEvent.dedupe_key == sid))
        if event is None or event.processed_at is not None:
            return None
        return event.patient_id


def _unknown_number(s: Any, message: Message, now: Any) -> str | None:
    """Record a task and answer politely, at most once per number per day."""
    settings = runtime().settings
    recent = s.scalar(
        select(Message.id).where(
            Message.address == message.address, Message.direction == OUTBOUND,
            Message.msgid == messages.UNKNOWN_NUMBER_REPLY,
            Message.created_at >= now - UNKNOWN_REPLY_EVERY,
        ).limit(1)
    )
    if recent is not None:
        return None
    repo.add_task(s, team="outreach", priority="routine", category="unknown_number",
                  reason="Text from a number that matches no patient", now=now,
                  message_id=message.id)
    locale = i18n.negotiate(settings.OUTREACH_DEFAULT_LOCALE)
    body = i18n.render(messages.UNKNOWN_NUMBER_REPLY,
                       {"program": settings.PROGRAM_NAME, "contact": settings.PROGRAM_CONTACT},
                       locale, settings.DEFAULT_TIMEZONE)
    s.add(rows.sent_text(address=message.address, body=body, msgid=messages.UNKNOWN_NUMBER_REPLY,
                         kind=MessageKind.SYSTEM, locale=locale, now=now))
    repo.audit(s, "unknown_number", "inbound text from an unmatched number", now,
               detail={"message_id": message.id})
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
