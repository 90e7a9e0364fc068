"""`campaigns plan`: who gets what, when (their local time) and why, and who is skipped and why.

The preview plans fires exactly as a pass would (the same sync), then judges each fire due in
the window with the same rules as `run-due` (`bot.campaigns.assess`), as if at its fire time,
counting the enrolments it previews against the caps and the pilot stage. Nothing is sent and
no one is enrolled. Patients the panel names but who cannot be reached appear as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.campaigns import assess as rules
from bot.campaigns.pilot import draw_order
from bot.campaigns.scheduler import counters_for
from bot.campaigns.schema import Campaign, describe_offset
from bot.campaigns.sync import sync_campaign
from bot.panel import due
from bot.store.db import Database
from bot.store.models import Conversation, Patient
from bot.store.panel_models import FIRE_PENDING, CampaignFire, DueFact

#: Rows a preview lists per campaign (the page and the terminal stay readable).
PLAN_ROW_LIMIT = 500


@dataclass(frozen=True)
class PlanRow:
    campaign: str
    patient_id: int | None
    patient: str
    local_time: str
    channel: str
    action: str
    reason: str
    why: str
    fire_at: datetime | None = None


def _label(patient: Patient) -> str:
    return f"{patient.first_name} {patient.last_name[:1]}.".strip() + f" (#{patient.id})"


def plan_campaign(db: Database, campaign: Campaign, flow: object, now: datetime, days: int,
                  program_tz: str) -> list[PlanRow]:
    sync_campaign(db, campaign, now)
    end = now + timedelta(days=days)
    rows: list[PlanRow] = []
    with db.session() as s:
        counters = counters_for(s, campaign, now, program_tz)
        stmt = (select(CampaignFire, Patient).join(Patient, Patient.id == CampaignFire.patient_id)
                .where(CampaignFire.campaign == campaign.name,
                       CampaignFire.status == FIRE_PENDING, CampaignFire.fire_at <= end)
                .order_by(CampaignFire.fire_at, CampaignFire.id).limit(PLAN_ROW_LIMIT))
        pairs = [(f, p) for f, p in s.execute(stmt)]
        if counters.stage_size is not None:
            order = draw_order(campaign.name, [(f.id, p.external_ref or f"patient-{p.id}",
                                                p.locale) for f, p in pairs])
            rank = {fid: i for i, fid in enumerate(order)}
            pairs.sort(key=lambda fp: (fp[0].fire_at.date(), rank[fp[0].id]))
        facts = {f.id: f for f in s.scalars(select(DueFact).where(
            DueFact.id.in_({f.fact_id for f, _ in pairs if f.fact_id})))}
        busy: dict[int, list[Conversation]] = {}
        for conv in s.scalars(select(Conversation).where(
                Conversation.patient_id.in_({p.id for _, p in pairs}),
                Conversation.status == "active")):
            busy.setdefault(conv.patient_id, []).append(conv)
        day = None
        for fire, patient in pairs:
            at = max(now, fire.fire_at)
            if day != at.date():
                day, counters.enrolled_today = at.date(), (
                    counters.enrolled_today if day is None else 0)
            fact = facts.get(fire.fact_id) if fire.fact_id else None
            verdict = rules.assess(campaign, flow, fire, patient, fact,
                                   busy.get(patient.id, []), counters, at)
            if verdict.action == rules.START:
                counters.enrolled_today += 1
                counters.enrolled_patients.add(patient.id)
            local = fire.fire_at.astimezone(ZoneInfo(patient.timezone))
            rows.append(PlanRow(
                campaign.name, patient.id, _label(patient),
                local.strftime("%Y-%m-%d %H:%M %Z"), verdict.channel
                if verdict.action == rules.START else rules.channel_for(campaign, patient),
                verdict.action, verdict.reason,
                f"{campaign.audience} {fire.anchor.isoformat()}, "
                f"{describe_offset(fire.offset_days)}", fire.fire_at))
        if campaign.column is None:
            for fact in s.scalars(select(DueFact).where(
                    DueFact.kind == campaign.audience, DueFact.status == due.OPEN,
                    DueFact.patient_id.is_(None)).limit(PLAN_ROW_LIMIT)):
                rows.append(PlanRow(campaign.name, None, f"FHIR Patient/{fact.patient_ref}", "-",
                                    "-", rules.SKIP, "no reachable number",
                                    f"{campaign.audience} {fact.anchor}"))
    return rows
