"""Sending SMS through the twilio client, and what Twilio's answers mean for the product.

`send_sms` never raises for an answer from Twilio or a network failure: it returns a
`SendResult` whose `outcome` says what to do next (see `classify_error`). When the outcome is
uncertain (the connection broke or Twilio answered 5xx, so the message may exist), workers call
`find_sent` / `list_recent` before trying again, so that a re-run never sends twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.i18n.sms_segments import segments

log = logging.getLogger(__name__)


class SendOutcome(str, Enum):
    """What a send (or a later failed/undelivered status callback) means for the worker."""

    SENT = "sent"  # Twilio accepted the message
    RETRY = "retry"  # 429, 5xx, network, 30003/30008: try again later (with limits)
    OPTED_OUT = "opted_out"  # 21610: the patient replied STOP; mark opted out
    INVALID_NUMBER = "invalid_number"  # 21211, 30005: task to fix the contact
    NOT_MOBILE = "not_mobile"  # 21614, 30006: landline, fall back to voice
    BLOCKED = "blocked"  # 30004, 30007, 30034: blocked/filtered/unregistered; ops review
    FAILED = "failed"  # anything else: record it, do not retry blindly


_BY_CODE: dict[int, SendOutcome] = {
    21610: SendOutcome.OPTED_OUT,
    21211: SendOutcome.INVALID_NUMBER,
    30005: SendOutcome.INVALID_NUMBER,
    21614: SendOutcome.NOT_MOBILE,
    30006: SendOutcome.NOT_MOBILE,
    30004: SendOutcome.BLOCKED,
    30007: SendOutcome.BLOCKED,
    30034: SendOutcome.BLOCKED,
    30003: SendOutcome.RETRY,
    30008: SendOutcome.RETRY,
    20429: SendOutcome.RETRY,
    20500: SendOutcome.RETRY,
    20503: SendOutcome.RETRY,
}


def classify_error(code: int | None, http_status: int | None) -> SendOutcome:
    """Map a Twilio error code and/or HTTP status to an outcome.

    Both None means no answer at all (a network error): retry. Carrier codes from status
    callbacks (30003...) are passed with `http_status=None`.
    """
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if http_status is not None and (http_status == 429 or http_status >= 500):
        return SendOutcome.RETRY
    if code is None and http_status is None:
        return SendOutcome.RETRY
    return SendOutcome.FAILED


@dataclass(frozen=True)
class SendResult:
    """What happened to one send. `uncertain` means the message may exist at Twilio."""

    outcome: SendOutcome
    sid: str | None = None
    status: str | None = None
    num_segments: int | None = None
    error_code: int | None = None
    http_status: int | None = None
    uncertain: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is SendOutcome.SENT


def send_sms(
    client: Client,
    *,
    to: str,
    body: str,
    status_callback: str,
    from_number: str | None = None,
    messaging_service_sid: str | None = None,
) -> SendResult:
    """Create one message at Twilio from a number or a Messaging Service (one is required)."""
    if not (from_number or messaging_service_sid):
        raise ValueError("send_sms needs from_number or messaging_service_sid")
    kwargs: dict[str, str] = {"to": to, "body": body, "status_callback": status_callback}
    if messaging_service_sid:
        kwargs["messaging_service_sid"] = messaging_service_sid
    else:
        kwargs["from_"] = from_number or ""
    try:
        message = client.messages.create(**kwargs)
    except TwilioRestException as exc:
        code = exc.code if isinstance(exc.code, int) else None
        outcome = classify_error(code, exc.status)
        log.info("send refused: code=%s http=%s outcome=%s", code, exc.status, outcome.value)
        return SendResult(
            outcome, error_code=code, http_status=exc.status, uncertain=exc.status >= 500
        )
    except requests.RequestException as exc:
        log.warning("send failed without an answer: %s", type(exc).__name__)
        return SendResult(SendOutcome.RETRY, uncertain=True)
    count = int(message.num_segments or 0) or segments(body)[1]
    log.info("sent %s status=%s segments=%d", message.sid, message.status, count)
    return SendResult(SendOutcome.SENT, sid=message.sid, status=message.status, num_segments=count)


@dataclass(frozen=True)
class RecentMessage:
    sid: str
    to: str
    body: str
    status: str
    date_created: datetime
    error_code: int | None = None


def list_recent(client: Client, to: str, since: datetime, limit: int = 200) -> list[RecentMessage]:
    """Messages to `to` created at or after `since` (aware datetime), newest first.

    Twilio lists newest first, so paging stops at the first older message. Filtering is on
    date_created rather than DateSent, because a message still queued has no date_sent yet.
    """
    since = since.replace(microsecond=0)  # Twilio's dates have whole seconds
    found: list[RecentMessage] = []
    for message in client.messages.stream(to=to, page_size=50, limit=limit):
        if message.date_created is None or message.date_created < since:
            break
        found.append(
            RecentMessage(
                sid=message.sid, to=message.to, body=message.body or "",
                status=message.status, date_created=message.date_created,
                error_code=message.error_code,
            )
        )
    return found


def find_sent(client: Client, to: str, body: str, since: datetime) -> RecentMessage | None:
    """The message with exactly this body sent to `to` since `since`, if Twilio has one.

    A worker that crashed (or lost the connection) mid-send calls this before sending again.
    """
    for message in list_recent(client, to, since):
        if message.body == body:
            return message
    return None
