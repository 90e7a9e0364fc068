"""A care-team member answers the patient by text, through the normal sending path.

The reply is stored as an outbound `Message` of kind "reply" (the sending job applies the
consent and quiet-hour rules for that kind and talks to Twilio: bot/services/sending.py), attached to
the task's conversation so the patient's next text lands in the same thread. The text is the
staff member's own words in the patient's language: the product does not translate it.
The caller commits and then enqueues the send with `bot.services.queues.enqueue_send`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.effects import REPLY
from bot.i18n.sms_segments import segments
from bot.store import patient_voice, rows, staff_names, tasks_repo
from bot.store import repositories as repo
from bot.store.models import (
    CONSENT_REVOKED,
    INBOUND,
    TASK_CLAIMED,
    TASK_OPEN,
    FollowUpTask,
    Message,
    Patient,
)

#: Twilio accepts at most 1600 characters in one message body.
MAX_REPLY_CHARS = 1600
#: A patient who texted within this long is awake and waiting: quiet hours do not hold the
#: care team's answer back (minutes).
REPLY_WINDOW_MINUTES = 60
#: Phone statuses that cannot receive a text (set from carrier errors such as 30006).
UNTEXTABLE = frozenset({"landline", "invalid", "unreachable"})


class ReplyRefused(tasks_repo.TaskError):
    """The reply may not or cannot be sent; the message says why and what to do instead."""


@dataclass(frozen=True)
class QueuedReply:
    message_id: int
    segments: int
    encoding: str
    send_after: datetime | None = None


def _address(session: Session, task: FollowUpTask | None, patient: Patient | None) -> str:
    if patient is not None:
        return patient.phone
    if task is not None and task.message_id is not None:
        origin = session.get(Message, task.message_id)
        if origin is not None:
            return origin.address
    raise ReplyRefused("there is no phone number to answer")


def queue_staff_reply(
    session: Session, *, body: str, by: str, now: datetime,
    task: FollowUpTask | None = None, patient: Patient | None = None,
    send_after: datetime | None = None, expected_version: int | None = None,
    take_over: bool = False, template: str | None = None,
) -> QueuedReply:
    """Store a staff reply as a pending outbound message; records first contact and audit.

    `send_after` (from the quiet-hours rule, see `bot.web.triage.send_reply`) defers it;
    `template` names the approved reply it came from, if any (kept in the audit row).

    Replying to an open task claims it for the person replying, so a colleague does not pick
    up a conversation that is already being handled. One voice per patient: when a colleague
    holds the patient the reply is refused unless `take_over` (bot.store.patient_voice), and a
    reply from a page that showed an older `expected_version` of the task is refused.
    """
    text = body.strip()
    if not text:
        raise ReplyRefused("the reply is empty")
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyRefused(f"a text can be at most {MAX_REPLY_CHARS} characters")
    if patient is None and task is not None and task.patient_id is not None:
        patient = session.get(Patient, task.patient_id)
    if patient is not None and patient.consent_status == CONSENT_REVOKED:
        raise ReplyRefused("this patient has opted out of texts (STOP); call them instead")
    if patient is not None and patient.phone_status in UNTEXTABLE:
        raise ReplyRefused(f"this number cannot receive texts ({patient.phone_status}); "
                           "call the patient or fix the contact details")
    if task is not None:
        tasks_repo.expect_version(task, expected_version,
                                  staff_names.by_email(session, [task.assignee]))
    patient_voice.check_reply(session, patient.id if patient else None, by, take_over, now)
    address = _address(session, task, patient)
    encoding, count = segments(text)
    deferred = send_after is not None and send_after > now
    message = rows.outbound_text(
        patient_id=patient.id if patient else None,
        conversation_id=task.conversation_id if task else None, address=address, body=text,
        kind=REPLY, now=now, locale=patient.locale if patient else None,
        send_after=send_after if deferred else None)
    session.add(message)
    session.flush()
    if task is not None:
        task = tasks_repo.get_task(session, task.id)
        if task.status == TASK_OPEN:
            tasks_repo.claim(session, task.id, by, now)
            task = tasks_repo.get_task(session, task.id)
        if task.status in (TASK_OPEN, TASK_CLAIMED):
            tasks_repo.first_contact(session, task, now)
    repo.audit(session, "staff_reply", "care team answered by text", now,
               patient_id=message.patient_id, conversation_id=message.conversation_id,
               detail={"task_id": task.id if task else None, "message_id": message.id, "by": by,
                       "segments": count, "template": template,
                       "deferred_until": send_after.isoformat() if deferred and send_after
                       else None})
    session.flush()
    return QueuedReply(message.id, count, encoding, send_after if deferred else None)


def last_inbound_at(session: Session, patient_id: int) -> datetime | None:
    """When the patient last texted us (a recent text means they are awake and waiting)."""
    return session.scalar(
        select(func.max(Message.created_at))
        .where(Message.patient_id == patient_id, Message.direction == INBOUND)
    )
