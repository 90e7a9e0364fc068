"""Small, named queries and writes shared by the web handlers, the workers and the CLI.

Each function takes an open `Session` and leaves committing to the caller, so a handler can put
several of them in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot import defaults, metrics
from bot.store import enrolments
from bot.store.models import (
    CONSENT_GRANTED,
    CONSENT_REVOKED,
    OUTBOUND,
    AuditEvent,
    ConsentChange,
    Conversation,
    FollowUpTask,
    InboxEvent,
    Message,
    Patient,
    TimeoutIntent,
)
from bot.store.outcome_classes import class_of_builtin

ACTIVE = "active"
ENDED = "ended"
#: Longest keyword the consent history keeps (the column's length).
KEYWORD_MAX = 64


def patient_by_phone(session: Session, phone: str) -> Patient | None:
    return session.scalar(select(Patient).where(Patient.phone == phone))


def find_patient(session: Session, key: str) -> Patient | None:
    """A patient by id, external reference or phone number (for the CLI)."""
    if key.isdigit():
        found = session.get(Patient, int(key))
        if found is not None:
            return found
    found = session.scalar(select(Patient).where(Patient.external_ref == key))
    return found or patient_by_phone(session, key)


def active_conversations(session: Session, patient_id: int) -> list[Conversation]:
    """The patient's active conversations, most recently touched first."""
    return list(session.scalars(
        select(Conversation)
        .where(Conversation.patient_id == patient_id, Conversation.status == ACTIVE)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    ))


def next_event(session: Session, patient_id: int) -> InboxEvent | None:
    """The oldest unprocessed inbox event of the patient (arrival order)."""
    return session.scalar(
        select(InboxEvent)
        .where(InboxEvent.patient_id == patient_id, InboxEvent.processed_at.is_(None))
        .order_by(InboxEvent.id)
        .limit(1)
    )


def add_task(
    session: Session, *, team: str, priority: str, reason: str, now: datetime,
    patient_id: int | None = None, conversation_id: int | None = None,
    message_id: int | None = None, category: str | None = None, understood: str | None = None,
) -> FollowUpTask:
    """A follow-up task due per the priority's SLA (`defaults.TASK_SLA_HOURS`)."""
    if priority not in defaults.TASK_SLA_HOURS:
        priority = "routine"
    task = FollowUpTask(
        patient_id=patient_id, conversation_id=conversation_id, message_id=message_id,
        team=team, priority=priority, reason=reason, category=category,
        understood=understood[:255] if understood else None,
        sla_due_at=now + timedelta(hours=defaults.TASK_SLA_HOURS[priority]), created_at=now,
    )
    session.add(task)
    enrolments.record_task(session, conversation_id, priority == "urgent", now)
    metrics.count_after_commit(session, metrics.TASKS.labels(priority=priority).inc)
    return task


def audit(
    session: Session, action: str, reason: str, now: datetime, *, patient_id: int | None = None,
    conversation_id: int | None = None, detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(patient_id=patient_id, conversation_id=conversation_id, action=action,
                       reason=reason, detail=detail or {}, at=now)
    session.add(event)
    return event


def set_consent(
    session: Session, patient: Patient, status: str, source: str, now: datetime,
    keyword: str | None = None,
) -> bool:
    """Record a consent change (history row + audit); False when nothing changed."""
    if status not in (CONSENT_GRANTED, CONSENT_REVOKED):
        raise ValueError(f"unknown consent status {status!r}")
    changed = patient.consent_status != status
    patient.consent_status = status
    patient.consent_updated_at = now
    if keyword is not None:
        keyword = keyword[:KEYWORD_MAX]
    session.add(ConsentChange(patient_id=patient.id, status=status, source=source,
                              keyword=keyword, at=now))
    action = "opt_out" if status == CONSENT_REVOKED else "opt_in"
    audit(session, action, f"consent {status} via {source}", now, patient_id=patient.id,
          detail={"source": source, "keyword": keyword, "changed": changed})
    if changed and status == CONSENT_REVOKED:
        enrolments.record_opt_out(session, patient.id)
        metrics.count_after_commit(session, metrics.OPT_OUTS.labels(source=source).inc)
    return changed


def end_conversation(
    session: Session, conversation: Conversation, outcome: str, now: datetime,
    outcome_class: str | None = None,
) -> list[TimeoutIntent]:
    """End `conversation` and cancel its scheduled timeouts (returned for the RQ side).

    `outcome_class` is the flow's class of the outcome; without it a built-in outcome's class
    is used. A campaign run's enrolment records both.
    """
    conversation.status = ENDED
    conversation.outcome = conversation.outcome or outcome
    conversation.ended_at = now
    conversation.updated_at = now
    conversation.wait_token = None
    cls = outcome_class or class_of_builtin(conversation.outcome)
    if conversation.campaign and enrolments.record_end(session, conversation,
                                                       conversation.outcome, cls, now):
        metrics.count_after_commit(session, metrics.ENROLMENT_OUTCOMES.labels(
            campaign=conversation.campaign, outcome_class=cls or "unclassified").inc)
    return cancel_timeouts(session, conversation.id)


def cancel_timeouts(
    session: Session, conversation_id: int, wait_token: str | None = None
) -> list[TimeoutIntent]:
    stmt = select(TimeoutIntent).where(
        TimeoutIntent.conversation_id == conversation_id, TimeoutIntent.status == "scheduled"
    )
    if wait_token is not None:
        stmt = stmt.where(TimeoutIntent.wait_token == wait_token)
    intents = list(session.scalars(stmt))
    for intent in intents:
        intent.status = "cancelled"
    return intents


def suppress_routine(session: Session, patient_id: int, now: datetime, reason: str) -> int:
    """Mark every not-yet-sent routine message of the patient as suppressed."""
    rows = list(session.scalars(select(Message).where(
        Message.patient_id == patient_id, Message.direction == OUTBOUND,
        Message.kind == "routine", Message.status.in_(("pending", "deferred")),
    )))
    for message in rows:
        message.status = "suppressed"
        message.status_rank = 5
        message.updated_at = now
    if rows:
        audit(session, "suppressed", reason, now, patient_id=patient_id,
              detail={"messages": [m.id for m in rows]})
    return len(rows)


def routine_sent_between(
    session: Session, patient_id: int, start: datetime, end: datetime,
    exclude_id: int | None = None,
) -> int:
    """Routine messages handed to Twilio for this patient in [start, end) (the daily cap).

    A call counts once (its row with the CallSid), not once per line said on it.
    """
    stmt = select(func.count(Message.id)).where(
        Message.patient_id == patient_id, Message.direction == OUTBOUND,
        Message.kind == "routine",
        or_(Message.channel != "voice", Message.twilio_sid.is_not(None)),
        Message.status.notin_(("pending", "deferred", "suppressed", "failed")),
        Message.claimed_at >= start, Message.claimed_at < end,
    )
    if exclude_id is not None:
        stmt = stmt.where(Message.id != exclude_id)
    return int(session.scalar(stmt) or 0)
