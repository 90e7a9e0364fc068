"""The database tables, as SQLAlchemy 2 typed models.

One row per fact the product must not lose: patients and their consent history, conversations
(the engine's state, kept as data), every message both ways, the inbox of events waiting for the
per-patient worker, follow-up tasks for the care team and an audit trail. Other modules add
tables against the same `Base` (staff users live in bot/store/users.py).

Times are stored as timezone-aware UTC (`UTCDateTime`), so SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.store.enums import ConsentStatus, Direction, MessageStatus, TaskStatus


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only clock the store uses)."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime that always comes back timezone-aware UTC, also from SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every table (Alembic autogenerates from its metadata)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


# --- value sets -------------------------------------------------------------------------------

CONSENT_GRANTED = ConsentStatus.GRANTED
CONSENT_REVOKED = ConsentStatus.REVOKED

INBOUND = Direction.INBOUND
OUTBOUND = Direction.OUTBOUND

#: Message.status values and their rank: a callback may only move a message to a higher rank,
#: so a late `sent` never overwrites `delivered` (Twilio's callbacks arrive out of order).
STATUS_RANK: dict[str, int] = {
    MessageStatus.PENDING: 0,
    MessageStatus.DEFERRED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.ACCEPTED: 2,
    MessageStatus.SCHEDULED: 2,
    MessageStatus.QUEUED: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 5,
    MessageStatus.UNDELIVERED: 5,
    MessageStatus.FAILED: 5,
    MessageStatus.RECEIVED: 5,
    MessageStatus.SUPPRESSED: 5,
    MessageStatus.READ: 6,
}
FINAL_STATUSES = frozenset({
    MessageStatus.DELIVERED, MessageStatus.UNDELIVERED, MessageStatus.FAILED,
    MessageStatus.RECEIVED, MessageStatus.SUPPRESSED, MessageStatus.READ,
})

TASK_OPEN = TaskStatus.OPEN
TASK_CLAIMED = TaskStatus.CLAIMED
TASK_RESOLVED = TaskStatus.RESOLVED


class Patient(Base):
    """Someone the program may text; `phone` is E.164 and unique."""

    __tablename__ = "patients"
    __table_args__ = (Index("ix_patients_locale", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    preferred_language: Mapped[str | None] = mapped_column(String(35))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    consent_status: Mapped[str] = mapped_column(String(16), default=CONSENT_GRANTED)
    consent_updated_at: Mapped[datetime | None]
    #: What a carrier told us about the number (e.g. "landline" after 30006, "invalid").
    phone_status: Mapped[str | None] = mapped_column(String(32))
    #: Extra per-patient facts flows may use as placeholders (due_date, appointment_at...).
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The patient's own sending window for routine messages, local "HH:MM" (either end may
    #: be open), on top of the program's quiet hours.
    send_window_start: Mapped[str | None] = mapped_column(String(5))
    send_window_end: Mapped[str | None] = mapped_column(String(5))
    #: "voice" when the patient asked to be called rather than texted.
    preferred_channel: Mapped[str | None] = mapped_column(String(8))
    #: What staff must act on ("content", "other_contact", "time"): never the patient's words.
    contact_note: Mapped[str | None] = mapped_column(String(64))

    conversations: Mapped[list[Conversation]] = relationship(back_populates="patient")


class ConsentChange(Base):
    """One change of consent with where it came from (sms keyword, carrier, staff, import)."""

    __tablename__ = "consent_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    keyword: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """The stored form of `bot.core.conversation.Conversation` (the engine's session)."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_patient_status", "patient_id", "status"),
                      Index("ix_conversations_flow", "flow"),
                      Index("ix_conversations_campaign", "campaign"))

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    flow: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(64), default="")
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    channel: Mapped[str] = mapped_column(String(8), default="sms")
    status: Mapped[str] = mapped_column(String(16), default="active")
    wait_token: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(64))
    campaign: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None]

    patient: Mapped[Patient] = relationship(back_populates="conversations")


class Message(Base):
    """One SMS either way. The body is stored for the care team and never logged."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_patient_created", "patient_id", "created_at"),
        Index("ix_messages_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))
    channel: Mapped[str] = mapped_column(String(8), default="sms")
    #: The other party's address (the patient's E.164 number, or an unknown sender's).
    address: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text, default="")
    msgid: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="routine")
    locale: Mapped[str | None] = mapped_column(String(16))
    twilio_sid: Mapped[str | None] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    status_rank: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[int | None] = mapped_column(Integer)
    segments: Mapped[int | None] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(8))
    send_after: Mapped[datetime | None]
    send_attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxEvent(Base):
    """Something for the per-patient worker to process, exactly once, in arrival order.

    `dedupe_key` makes every producer idempotent (MessageSid, timeout-<conv>-<token>...).
    """

    __tablename__ = "inbox_events"
    __table_args__ = (Index("ix_inbox_patient_pending", "patient_id", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    kind: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


class TimeoutIntent(Base):
    """A `no_reply` wait the engine asked for; the RQ scheduler fires it, the sweeper re-arms it."""

    __tablename__ = "timeout_intents"
    __table_args__ = (Index("ix_timeout_status_fire", "status", "fire_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    wait_token: Mapped[str] = mapped_column(String(64))
    fire_at: Mapped[datetime]
    #: scheduled, cancelled or fired
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpTask(Base):
    """Work for a human: the patient needs a call, a fix, or urgent attention.

    `version` is an optimistic lock: two staff members claiming at once cannot both win.
    """

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_status_priority_due", "status", "priority", "sla_due_at"),
                      Index("ix_tasks_status_team", "status", "team"),
                      Index("ix_tasks_resolved_at", "resolved_at"),
                      Index("ix_tasks_first_contact_at", "first_contact_at"),
                      Index("ix_tasks_patient_id", "patient_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    team: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    #: What the engine made of the patient's last reply ("side effects (in the patient's
    #: words)", "not understood", "ambiguous: ..."); the reply itself is `message`.
    understood: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=TASK_OPEN)
    assignee: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str] = mapped_column(Text, default="")
    sla_due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    patient: Mapped[Patient | None] = relationship()


class AuditEvent(Base):
    """A decision with its reason (opt-out, opt-in, deferral, cap, urgent override...)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    action: Mapped[str] = mapped_column(String(48))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SafetyMark(Base):
    """A staff judgement on the safety screen: a crisis it missed, or a false alarm.

    The message text stays in `messages`; exports join it there, so the label set can grow
    (development part) without the text ever passing through logs or queues.
    """

    __tablename__ = "safety_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    #: "missed_crisis" or "not_crisis".
    label: Mapped[str] = mapped_column(String(16))
    #: What the screen said when the message arrived ("urgent", "concern", "none").
    screen_tier: Mapped[str] = mapped_column(String(16))
    staff: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
