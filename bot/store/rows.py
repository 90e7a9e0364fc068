"""Row factories for messages and inbox events: each kind of row is built in one place.

A message's direction, channel, starting status and rank, and an inbox event's dedupe key are
decided here, so a second writer cannot get them subtly different. Dedupe keys are part of
the stored data (a re-run of a job must produce the same key), so their formats never change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n.sms_segments import segments
from bot.store.enums import Direction, InboxKind, MessageStatus
from bot.store.models import STATUS_RANK, InboxEvent, Message


def outbound_text(
    *, patient_id: int | None, conversation_id: int | None, address: str, body: str,
    kind: str, now: datetime, msgid: str | None = None, locale: str | None = None,
    send_after: datetime | None = None,
) -> Message:
    """A text to send: pending, or deferred until `send_after`; segments counted here."""
    encoding, count = segments(body)
    status = MessageStatus.DEFERRED if send_after is not None else MessageStatus.PENDING
    return Message(
        patient_id=patient_id, conversation_id=conversation_id, direction=Direction.OUTBOUND,
        channel="sms", address=address, body=body, msgid=msgid, kind=kind, locale=locale,
        status=status, status_rank=STATUS_RANK[status], segments=count, encoding=encoding,
        send_after=send_after, created_at=now, updated_at=now,
    )


def retry_of(message: Message, now: datetime, send_after: datetime) -> Message:
    """The same text again, deferred to `send_after` (a transient carrier failure)."""
    return Message(
        patient_id=message.patient_id, conversation_id=message.conversation_id,
        direction=Direction.OUTBOUND, channel=message.channel, address=message.address,
        body=message.body, msgid=message.msgid, kind=message.kind, locale=message.locale,
        status=MessageStatus.DEFERRED, status_rank=STATUS_RANK[MessageStatus.DEFERRED],
        segments=message.segments, encoding=message.encoding, created_at=now, updated_at=now,
        send_after=send_after,
    )


def sent_text(*, address: str, body: str, msgid: str, kind: str, locale: str,
              now: datetime) -> Message:
    """A text already handed over (a TwiML answer to a webhook), kept for the record."""
    return Message(direction=Direction.OUTBOUND, channel="sms", address=address, body=body,
                   msgid=msgid, kind=kind, locale=locale, status=MessageStatus.SENT,
                   status_rank=STATUS_RANK[MessageStatus.SENT], created_at=now, claimed_at=now)


def inbound_text(*, patient_id: int | None, address: str, body: str, sid: str,
                 segment_count: int | None, now: datetime) -> Message:
    """A text the patient sent (Twilio's MessageSid keeps a retried webhook from storing two)."""
    return Message(
        patient_id=patient_id, direction=Direction.INBOUND, channel="sms", address=address,
        body=body, twilio_sid=sid, status=MessageStatus.RECEIVED,
        status_rank=STATUS_RANK[MessageStatus.RECEIVED], kind="reply", created_at=now,
        segments=segment_count,
    )


def spoken_line(*, patient_id: int, conversation_id: int, address: str, line: str,
                msgid: str, kind: str, locale: str, now: datetime) -> Message:
    """One line said on a call (the call's transcript for the care team)."""
    return Message(
        patient_id=patient_id, conversation_id=conversation_id, direction=Direction.OUTBOUND,
        channel="voice", address=address, body=line, msgid=msgid, kind=kind, locale=locale,
        status=MessageStatus.DELIVERED, status_rank=STATUS_RANK[MessageStatus.DELIVERED],
        created_at=now, claimed_at=now,
    )


def heard_answer(*, patient_id: int, conversation_id: int, address: str, text: str,
                 locale: str, now: datetime, key: str | None = None) -> Message:
    """What the patient said or keyed on a call; `key` ("<CallSid>#<turn>") makes each answer
    of a call count once, like an SMS's MessageSid."""
    return Message(
        patient_id=patient_id, conversation_id=conversation_id, direction=Direction.INBOUND,
        channel="voice", address=address, body=text, kind="reply", locale=locale,
        status=MessageStatus.RECEIVED, status_rank=STATUS_RANK[MessageStatus.RECEIVED],
        twilio_sid=key, created_at=now,
    )


def call(*, patient_id: int, conversation_id: int, address: str, sid: str, status: str,
         now: datetime, error_code: int | None = None) -> Message:
    """A call placed (or refused at create: `error_code`), tracked by its CallSid."""
    return Message(
        patient_id=patient_id, conversation_id=conversation_id, direction=Direction.OUTBOUND,
        channel="voice", address=address, body="", kind="routine", status=status,
        twilio_sid=sid, error_code=error_code, created_at=now,
        claimed_at=None if error_code is not None else now,
        send_attempts=0 if error_code is not None else 1,
    )


# -- inbox events ------------------------------------------------------------------------------

def _event(kind: InboxKind, patient_id: int, dedupe_key: str, now: datetime,
           conversation_id: int | None = None, payload: dict[str, Any] | None = None,
           ) -> InboxEvent:
    return InboxEvent(patient_id=patient_id, conversation_id=conversation_id, kind=kind,
                      dedupe_key=dedupe_key, payload=payload or {}, created_at=now)


def reply_event(patient_id: int, message_id: int, sid: str, now: datetime) -> InboxEvent:
    """The patient texted; deduplicated on Twilio's MessageSid."""
    return _event(InboxKind.REPLY, patient_id, sid, now, payload={"message_id": message_id})


def start_event(patient_id: int, conversation_id: int, dedupe_key: str, now: datetime,
                payload: dict[str, Any] | None = None) -> InboxEvent:
    """Start (or restart) a conversation; the caller names what makes it unique."""
    return _event(InboxKind.START, patient_id, dedupe_key, now, conversation_id, payload)


def close_event(patient_id: int, conversation_id: int, outcome: str, dedupe_key: str,
                now: datetime) -> InboxEvent:
    """End a conversation from outside it (a need met elsewhere, a campaign interrupting it)
    with `outcome`, through the same inbox as a staff close; the caller names what makes it
    unique."""
    return _event(InboxKind.STAFF, patient_id, dedupe_key, now, conversation_id,
                  {"action": "close", "outcome": outcome, "staff_id": None})


def second_opinion_event(patient_id: int, message_id: int, tier: str, lexicon_tier: str | None,
                         now: datetime) -> InboxEvent:
    """A second-opinion classifier raised a reply's tier; once per message."""
    return _event(InboxKind.SECOND_OPINION, patient_id, f"second-opinion-{message_id}", now,
                  payload={"message_id": message_id, "tier": tier, "lexicon_tier": lexicon_tier})


def voice_fallback_key(conversation_id: int) -> str:
    """A voice conversation moved to text after unanswered calls (once per conversation)."""
    return f"voice-to-sms-{conversation_id}"


def timeout_event(patient_id: int, conversation_id: int, wait_token: str,
                  now: datetime) -> InboxEvent:
    """A wait ran out; once per wait."""
    return _event(InboxKind.TIMEOUT, patient_id, f"timeout-{conversation_id}-{wait_token}", now,
                  conversation_id, {"wait_token": wait_token})


def delivery_failed_event(message: Message, now: datetime, *, error_code: int | None,
                          status: str, sid: str | None = None) -> InboxEvent:
    """A message failed: from Twilio's callback (keyed on its sid) or at create time (keyed on
    the message)."""
    if message.patient_id is None:
        raise ValueError("a message with no patient has no inbox to report to")
    key = f"dlr-{sid}" if sid else f"dlr-msg-{message.id}"
    return _event(InboxKind.DELIVERY_FAILED, message.patient_id, key, now,
                  message.conversation_id,
                  {"message_id": message.id, "error_code": error_code, "status": status})
