"""Readings patients sent (blood pressure, glucose, weight ...): one row per reading.

A reading is kept apart from the conversation that asked for it so that the task page can show
a patient's recent readings as a trend and the readings export can feed the care team's
registry. Values are the numbers only (`{systolic: 184, diastolic: 96}`, `{value: 7.2, unit:
...}`); the patient's own words stay in `messages`, linked by `message_id`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.store.models import Base, utcnow


class Reading(Base):
    __tablename__ = "readings"
    __table_args__ = (Index("ix_readings_patient_kind_at", "patient_id", "kind", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    kind: Mapped[str] = mapped_column(String(32))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    flow: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


def add_reading(session: Session, *, patient_id: int, kind: str, values: dict[str, Any],
                now: datetime, conversation_id: int | None = None, message_id: int | None = None,
                flow: str | None = None) -> Reading:
    row = Reading(patient_id=patient_id, conversation_id=conversation_id, message_id=message_id,
                  kind=kind, values=dict(values), flow=flow, recorded_at=now)
    session.add(row)
    return row


def recent(session: Session, patient_id: int, limit: int = 8) -> list[Reading]:
    """The patient's latest readings, newest first (the task page's trend)."""
    stmt = (select(Reading).where(Reading.patient_id == patient_id)
            .order_by(Reading.recorded_at.desc(), Reading.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def all_readings(session: Session, *, since: datetime | None = None,
                 kind: str | None = None) -> Iterator[Reading]:
    """Every reading, oldest first, for the export (streamed, not loaded at once)."""
    stmt = select(Reading).order_by(Reading.recorded_at, Reading.id)
    if since is not None:
        stmt = stmt.where(Reading.recorded_at >= since)
    if kind is not None:
        stmt = stmt.where(Reading.kind == kind)
    yield from session.scalars(stmt.execution_options(yield_per=500))
