"""What each campaign has done so far, for the staff page: stage, next fires, enrolments,
skips and why, and how the conversations it started ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.campaigns.pilot import stage_label
from bot.campaigns.schema import Campaign
from bot.campaigns.sync import state_for
from bot.store.models import Conversation
from bot.store.panel_models import FIRE_ENROLLED, FIRE_PENDING, CampaignFire


@dataclass
class CampaignStatus:
    campaign: Campaign
    stage: int
    stage_label: str
    can_advance: bool
    approved_by: str | None
    approved_at: datetime | None
    pending: int
    next_fire: datetime | None
    enrolled_patients: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)


def status(session: Session, campaign: Campaign, now: datetime) -> CampaignStatus:
    state = state_for(session, campaign.name)
    fires = CampaignFire.campaign == campaign.name
    by_status: dict[str, int] = _pairs(session.execute(select(CampaignFire.status, func.count()).where(fires)
                                     .group_by(CampaignFire.status)).all())
    by_reason: dict[str, int] = _pairs(session.execute(
        select(CampaignFire.reason, func.count()).where(fires, CampaignFire.reason != "")
        .group_by(CampaignFire.reason)).all())
    next_fire = session.scalar(select(func.min(CampaignFire.fire_at)).where(
        fires, CampaignFire.status == FIRE_PENDING, CampaignFire.fire_at >= now))
    enrolled = int(session.scalar(select(func.count(func.distinct(CampaignFire.patient_id)))
                                  .where(fires, CampaignFire.status == FIRE_ENROLLED)) or 0)
    outcomes: dict[str, int] = _pairs(session.execute(
        select(func.coalesce(Conversation.outcome, Conversation.status), func.count())
        .where(Conversation.campaign == campaign.name)
        .group_by(func.coalesce(Conversation.outcome, Conversation.status))).all())
    return CampaignStatus(
        campaign=campaign, stage=state.stage, stage_label=stage_label(campaign, state.stage),
        can_advance=bool(campaign.pilot) and state.stage < len(campaign.pilot),
        approved_by=state.stage_approved_by, approved_at=state.stage_approved_at,
        pending=by_status.get(FIRE_PENDING, 0), next_fire=next_fire,
        enrolled_patients=enrolled, by_status=by_status, by_reason=by_reason, outcomes=outcomes)


def _pairs(rows: Any) -> dict[str, int]:
    return {str(key): int(count) for key, count in rows}
