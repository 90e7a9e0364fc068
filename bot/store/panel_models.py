"""Tables of the EHR panel and the campaign scheduler.

- `panel_resources`: the outreach-relevant fields of every FHIR resource imported, one row per
  (type, id) with a digest, so a second import of the same export changes nothing and a patient's
  facts can be re-derived from the database without re-reading any file.
- `due_facts`: the needs derived from them (refill due, missed visit, program enrolment).
- `campaign_fires`: one row per (campaign, patient, anchor, offset). Its uniqueness constraint is
  what makes enrolment exactly-once when schedulers race or a pass is re-run after a crash; the
  `version` is the campaign file's digest, so an edited campaign recomputes its pending fires.
- `campaign_states`: per campaign, the pilot stage and the sync watermark.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, utcnow

FIRE_PENDING = "pending"
FIRE_ENROLLED = "enrolled"
FIRE_SKIPPED = "skipped"
FIRE_CANCELLED = "cancelled"


class PanelResource(Base):
    """The kept fields of one FHIR resource (`bot.panel.records`), keyed by type and id."""

    __tablename__ = "panel_resources"
    __table_args__ = (UniqueConstraint("resource_type", "resource_id"),
                      Index("ix_panel_resources_patient_ref", "patient_ref"))

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str] = mapped_column(String(64))
    patient_ref: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DueFact(Base):
    """One need of one patient; `changed_at` moves only when anchor or status change."""

    __tablename__ = "due_facts"
    __table_args__ = (UniqueConstraint("patient_ref", "kind", "key"),
                      Index("ix_due_facts_kind_changed", "kind", "changed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_ref: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(100))
    anchor: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(48), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignFire(Base):
    """One planned start of a campaign's flow for one patient."""

    __tablename__ = "campaign_fires"
    __table_args__ = (UniqueConstraint("campaign", "patient_id", "anchor", "offset_days"),
                      Index("ix_campaign_fires_status_fire_at", "status", "fire_at"),
                      Index("ix_campaign_fires_fact", "fact_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    fact_id: Mapped[int | None] = mapped_column(ForeignKey("due_facts.id"))
    anchor: Mapped[date] = mapped_column(Date)
    offset_days: Mapped[int] = mapped_column(Integer)
    fire_at: Mapped[datetime]
    version: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=FIRE_PENDING)
    reason: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str | None] = mapped_column(String(8))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    enrolled_at: Mapped[datetime | None]


class CampaignState(Base):
    """Per campaign: the pilot stage (index into its stages) and the fact sync watermark."""

    __tablename__ = "campaign_states"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(16), default="")
    stage: Mapped[int] = mapped_column(Integer, default=0)
    stage_approved_by: Mapped[str | None] = mapped_column(String(255))
    stage_approved_at: Mapped[datetime | None]
    synced_through: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
