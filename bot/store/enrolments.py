"""One enrolment row per (patient, campaign run): what outcome measures read from.

A campaign run for a patient is one conversation a campaign started (by the scheduler or a
one-off `outreach campaign start`), so the row is keyed by its conversation. It is written when
the conversation is created and then kept up to date by the code that already sees each event
(a text handed to Twilio, a delivery callback, a reply, a task, an opt-out, the end), each with
one conditional UPDATE on the row's unique key: the results page, the export and the metrics
never recompute anything by scanning messages or tasks.

Every `record_*` function is a no-op for a conversation no campaign started (it has no row).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.core.engine import VARIANT_KEY
from bot.store.models import Base, Conversation
from bot.store.outcome_classes import OPTED_OUT


class Enrolment(Base):
    """One patient in one campaign run, with the facts the results are counted from."""

    __tablename__ = "enrolments"
    __table_args__ = (Index("ix_enrolments_campaign_enrolled", "campaign", "enrolled_at"),
                      Index("ix_enrolments_enrolled", "enrolled_at"),
                      Index("ix_enrolments_patient_open", "patient_id", "ended_at"),
                      Index("ix_enrolments_flow", "flow"))

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    campaign: Mapped[str] = mapped_column(String(64))
    #: The campaign fire that started it (None for a one-off `outreach campaign start`).
    fire_id: Mapped[int | None] = mapped_column(Integer)
    flow: Mapped[str] = mapped_column(String(64))
    flow_version: Mapped[int] = mapped_column(Integer)
    #: The conversation's language (follows a language change during it).
    locale: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    #: The pilot stage it was enrolled in, 1-based ("1" is the first, smallest stage); None
    #: when the campaign has no pilot or runs for everyone.
    stage: Mapped[str | None] = mapped_column(String(16))
    #: The message variant the patient was assigned (`bot.flows` variants), if the flow has any.
    variant: Mapped[str | None] = mapped_column(String(32))
    enrolled_at: Mapped[datetime]
    #: First message delivered to the patient (or a call answered).
    reached_at: Mapped[datetime | None]
    first_reply_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(64))
    outcome_class: Mapped[str | None] = mapped_column(String(24))
    ended_at: Mapped[datetime | None]
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    urgent_tasks: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    #: When a person first contacted the patient about one of its tasks.
    first_human_contact_at: Mapped[datetime | None]
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    messages_sent: Mapped[int] = mapped_column(Integer, default=0)
    #: SMS segments handed to the carrier (what the run cost).
    segments_sent: Mapped[int] = mapped_column(Integer, default=0)
    messages_delivered: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[int] = mapped_column(Integer, default=0)


def enrol(session: Session, conversation: Conversation, *, fire_id: int | None = None,
          stage: str | None = None, variant: str | None = None) -> Enrolment:
    """The row for a conversation a campaign just started (the conversation is flushed)."""
    if conversation.id is None or not conversation.campaign:
        raise ValueError("an enrolment needs a flushed conversation started by a campaign")
    if variant is not None:
        # The engine words the flow's texts in this variant (`State.say_for`).
        conversation.context = {**(conversation.context or {}), VARIANT_KEY: variant}
    row = Enrolment(
        conversation_id=conversation.id, patient_id=conversation.patient_id,
        campaign=conversation.campaign, fire_id=fire_id, flow=conversation.flow,
        flow_version=conversation.version, locale=conversation.locale,
        channel=conversation.channel, stage=stage, variant=variant,
        enrolled_at=conversation.started_at, tasks=0, urgent_tasks=0, opted_out=False,
        messages_sent=0, segments_sent=0, messages_delivered=0, replies=0)
    session.add(row)
    return row


def _by_conversation(conversation_id: int):  # type: ignore[no-untyped-def]
    return update(Enrolment).where(Enrolment.conversation_id == conversation_id) \
        .execution_options(synchronize_session=False)


def record_sent(session: Session, conversation_id: int | None, segments: int) -> None:
    """A message of the run was handed to Twilio (once per message)."""
    if conversation_id is None:
        return
    session.execute(_by_conversation(conversation_id).values(
        messages_sent=Enrolment.messages_sent + 1,
        segments_sent=Enrolment.segments_sent + max(segments, 1)))


def record_delivered(session: Session, conversation_id: int | None, at: datetime) -> None:
    """A message of the run reached the handset (once per message): the patient is reached."""
    if conversation_id is None:
        return
    session.execute(_by_conversation(conversation_id).values(
        messages_delivered=Enrolment.messages_delivered + 1,
        reached_at=func.coalesce(Enrolment.reached_at, at)))


def record_reached(session: Session, conversation_id: int | None, at: datetime) -> None:
    """The patient was reached another way (a call answered)."""
    if conversation_id is None:
        return
    session.execute(_by_conversation(conversation_id).where(Enrolment.reached_at.is_(None))
                    .values(reached_at=at))


def record_reply(session: Session, conversation_id: int | None, at: datetime) -> None:
    """The patient answered within the run (a reply also proves the patient was reached)."""
    if conversation_id is None:
        return
    session.execute(_by_conversation(conversation_id).values(
        replies=Enrolment.replies + 1,
        first_reply_at=func.coalesce(Enrolment.first_reply_at, at),
        reached_at=func.coalesce(Enrolment.reached_at, at)))


def record_task(session: Session, conversation_id: int | None, urgent: bool,
                at: datetime) -> None:
    """A task for the care team came out of the run: it escalated."""
    if conversation_id is None:
        return
    session.execute(_by_conversation(conversation_id).values(
        tasks=Enrolment.tasks + 1,
        urgent_tasks=Enrolment.urgent_tasks + (1 if urgent else 0),
        escalated_at=func.coalesce(Enrolment.escalated_at, at)))


def record_first_contact(session: Session, conversation_id: int | None, at: datetime) -> None:
    """A person contacted the patient about one of the run's tasks."""
    if conversation_id is None:
        return
    session.execute(_by_conversation(conversation_id).where(
        Enrolment.first_human_contact_at.is_(None)).values(first_human_contact_at=at))


def record_opt_out(session: Session, patient_id: int) -> None:
    """The patient opted out: every run of theirs still going is marked (an indexed update)."""
    session.execute(update(Enrolment).where(
        Enrolment.patient_id == patient_id, Enrolment.ended_at.is_(None),
        Enrolment.opted_out.is_(False)).values(opted_out=True)
        .execution_options(synchronize_session=False))


def record_end(session: Session, conversation: Conversation, outcome: str | None,
               outcome_class: str | None, at: datetime) -> bool:
    """The run ended with `outcome` (its class from the flow); the first end wins (True)."""
    values: dict[str, object] = {"outcome": outcome, "outcome_class": outcome_class,
                                 "ended_at": at, "locale": conversation.locale}
    if outcome_class == OPTED_OUT:
        values["opted_out"] = True
    result = session.execute(_by_conversation(conversation.id)
                             .where(Enrolment.ended_at.is_(None)).values(**values))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def campaign_of(session: Session, conversation_id: int | None) -> str | None:
    """The campaign of a run, for metric labels (None: no campaign started it)."""
    if conversation_id is None:
        return None
    return session.scalar(select(Enrolment.campaign).where(
        Enrolment.conversation_id == conversation_id))
