"""One scheduler pass: plan fires from changed facts, then start the due ones in batches.

Exactly once: a fire is claimed by a conditional UPDATE (`pending` -> `enrolled`) that only one
transaction can win, its conversation's start event carries a unique dedupe key, and fires
themselves are unique per (campaign, patient, anchor, offset), so racing workers or a pass
re-run after a crash never enrol anyone twice. Batches (`CAMPAIGN_BATCH_SIZE` fires per
transaction, `CAMPAIGN_MAX_BATCHES_PER_PASS` per pass) keep one pass short; `more` tells the
caller to queue a follow-up pass. The patients started are handed to `enqueue` after each
commit (the worker's patient job sends the first message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import defaults, metrics
from bot.campaigns import assess as rules
from bot.campaigns.pilot import draw_order
from bot.campaigns.schema import Campaign
from bot.campaigns.sync import Need, plan_needs, state_for, sync_campaign
from bot.flows import variants
from bot.store import enrolments, rows
from bot.store.db import Database
from bot.store.models import Conversation, Patient
from bot.store.panel_models import (
    FIRE_CANCELLED,
    FIRE_ENROLLED,
    FIRE_PENDING,
    FIRE_SKIPPED,
    CampaignFire,
    CampaignState,
    DueFact,
)

log = logging.getLogger(__name__)

Enqueue = Callable[[list[int]], None]


@dataclass
class PassReport:
    synced: int = 0
    enrolled: int = 0
    skipped: int = 0
    cancelled: int = 0
    waiting: int = 0
    batches: int = 0
    more: bool = False
    reasons: dict[str, int] = field(default_factory=dict)

    def count(self, action: str, reason: str) -> None:
        if action == rules.START:
            self.enrolled += 1
        elif action == rules.SKIP:
            self.skipped += 1
        elif action == rules.CANCEL:
            self.cancelled += 1
        else:
            self.waiting += 1
        if reason:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1


def stage_name(campaign: Campaign, stage: int) -> str | None:
    """The pilot stage an enrolment belongs to, 1-based; "all" once the pilot is over."""
    if not campaign.pilot:
        return None
    return str(stage + 1) if stage < len(campaign.pilot) else "all"


def dedupe_key(fire: CampaignFire) -> str:
    return f"fire-{fire.campaign}-{fire.patient_id}-{fire.anchor.isoformat()}-{fire.offset_days}"


def counters_for(s: Session, campaign: Campaign, now: datetime, program_tz: str) -> rules.Counters:
    """Today's enrolments (program time zone) and, when a cap or pilot needs them, who."""
    state = state_for(s, campaign.name)
    local = now.astimezone(ZoneInfo(program_tz))
    day_start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    counters = rules.Counters(stage_size=campaign.stage_size(state.stage))
    counters.enrolled_today = int(s.scalar(select(func.count(CampaignFire.id)).where(
        CampaignFire.campaign == campaign.name, CampaignFire.status == FIRE_ENROLLED,
        CampaignFire.enrolled_at >= day_start)) or 0)
    if campaign.total is not None or counters.stage_size is not None:
        counters.enrolled_patients = set(s.scalars(select(CampaignFire.patient_id).distinct().where(
            CampaignFire.campaign == campaign.name, CampaignFire.status == FIRE_ENROLLED)))
    return counters


class Scheduler:
    """Runs passes for a set of loaded campaigns against one database."""

    def __init__(self, db: Database, campaigns: dict[str, Campaign], flows: Any,
                 enqueue: Enqueue, program_tz: str = defaults.DEFAULT_TIMEZONE,
                 batch_size: int = defaults.CAMPAIGN_BATCH_SIZE,
                 max_batches: int = defaults.CAMPAIGN_MAX_BATCHES_PER_PASS) -> None:
        self.db, self.campaigns, self.flows, self.enqueue = db, campaigns, flows, enqueue
        self.program_tz, self.batch_size, self.max_batches = program_tz, batch_size, max_batches

    def run_due(self, now: datetime, sync: bool = True) -> PassReport:
        report = PassReport()
        if sync:
            for campaign in self.campaigns.values():
                report.synced += sync_campaign(self.db, campaign, now)
        for campaign in self.campaigns.values():
            self._run_campaign(campaign, now, report)
        return report

    def _run_campaign(self, campaign: Campaign, now: datetime, report: PassReport) -> None:
        with self.db.session() as s:
            counters = counters_for(s, campaign, now, self.program_tz)
        if counters.stage_size is not None:
            order = self._pilot_order(campaign, now)
            for start in range(0, len(order), self.batch_size):
                if not self._batch_budget(report):
                    return
                self._process(campaign, order[start:start + self.batch_size], counters, now,
                              report)
            return
        last: tuple[datetime, int] | None = None
        while self._batch_budget(report):
            with self.db.session() as s:
                stmt = (select(CampaignFire.fire_at, CampaignFire.id)
                        .where(CampaignFire.campaign == campaign.name,
                               CampaignFire.status == FIRE_PENDING,
                               CampaignFire.fire_at <= now)
                        .order_by(CampaignFire.fire_at, CampaignFire.id).limit(self.batch_size))
                if last is not None:
                    stmt = stmt.where(or_(CampaignFire.fire_at > last[0], and_(
                        CampaignFire.fire_at == last[0], CampaignFire.id > last[1])))
                rows = s.execute(stmt).all()
            if not rows:
                return
            last = (rows[-1][0], rows[-1][1])
            self._process(campaign, [r[1] for r in rows], counters, now, report)

    def _batch_budget(self, report: PassReport) -> bool:
        if report.batches >= self.max_batches:
            report.more = True
            return False
        return True

    def _pilot_order(self, campaign: Campaign, now: datetime) -> list[int]:
        """Due fires of a campaign in a pilot stage, in the stable-hash draw order."""
        with self.db.session() as s:
            rows = s.execute(
                select(CampaignFire.id, Patient.external_ref, Patient.id, Patient.locale)
                .join(Patient, Patient.id == CampaignFire.patient_id)
                .where(CampaignFire.campaign == campaign.name,
                       CampaignFire.status == FIRE_PENDING, CampaignFire.fire_at <= now)
                .order_by(CampaignFire.fire_at, CampaignFire.id)
                .limit(defaults.PILOT_DRAW_LIMIT)).all()
        return draw_order(campaign.name, [(fid, ref or f"patient-{pid}", locale)
                                          for fid, ref, pid, locale in rows])

    def _process(self, campaign: Campaign, ids: list[int], counters: rules.Counters,
                 now: datetime, report: PassReport) -> None:
        flow = self.flows.get(campaign.flow)
        started: list[int] = []
        report.batches += 1
        with self.db.session() as s:
            if campaign.pilot or campaign.total or campaign.per_day:
                # Limits hold across racing passes: one batch of this campaign at a time
                # counts and enrols (the state row is locked until the batch commits).
                s.get(CampaignState, campaign.name, with_for_update=True)
                fresh = counters_for(s, campaign, now, self.program_tz)
                counters.enrolled_today = fresh.enrolled_today
                counters.enrolled_patients = fresh.enrolled_patients
                counters.stage_size = fresh.stage_size
            fires = {f.id: f for f in s.scalars(select(CampaignFire).where(
                CampaignFire.id.in_(ids)).with_for_update(skip_locked=True))}
            patient_ids = {f.patient_id for f in fires.values()}
            patients = {p.id: p for p in s.scalars(select(Patient).where(
                Patient.id.in_(patient_ids)))}
            fact_ids = {f.fact_id for f in fires.values() if f.fact_id}
            facts = {f.id: f for f in s.scalars(select(DueFact).where(DueFact.id.in_(fact_ids)))}
            active: dict[int, list[Conversation]] = {}
            for row in s.scalars(select(Conversation).where(
                    Conversation.patient_id.in_(patient_ids), Conversation.status == "active")):
                active.setdefault(row.patient_id, []).append(row)
            for fid in ids:
                fire = fires.get(fid)
                if fire is None or fire.status != FIRE_PENDING:
                    continue  # another pass holds or took it
                patient = patients[fire.patient_id]
                fact = facts.get(fire.fact_id) if fire.fact_id else None
                verdict = rules.assess(campaign, flow, fire, patient, fact,
                                       active.get(patient.id, []), counters, now)
                if verdict.action == rules.START:
                    enrolled = self._enrol(s, campaign, flow, fire, patient, verdict, now)
                    if enrolled is None:
                        continue
                    active.setdefault(patient.id, []).append(enrolled)
                    counters.enrolled_today += 1
                    counters.enrolled_patients.add(patient.id)
                    started.append(patient.id)
                    if campaign.every_days and fact is not None:
                        plan_needs(s, campaign, [Need(patient.id, fact.anchor, True, "", fact.id,
                                                      patient.timezone)], now)
                elif verdict.action == rules.SKIP:
                    fire.status, fire.reason, fire.updated_at = FIRE_SKIPPED, verdict.reason, now
                elif verdict.action == rules.CANCEL:
                    fire.status, fire.reason, fire.updated_at = FIRE_CANCELLED, verdict.reason, now
                elif fire.reason != verdict.reason:
                    fire.reason, fire.updated_at = verdict.reason, now
                report.count(verdict.action, verdict.reason)
        if started:
            self.enqueue(sorted(set(started)))
        log.info("campaign %s: batch of %d fire(s), %d started", campaign.name, len(ids),
                 len(started))

    def _enrol(self, s: Session, campaign: Campaign, flow: Any, fire: CampaignFire,
               patient: Patient, verdict: rules.Verdict, now: datetime) -> Conversation | None:
        claimed = s.execute(update(CampaignFire).where(
            CampaignFire.id == fire.id, CampaignFire.status == FIRE_PENDING).values(
            status=FIRE_ENROLLED, enrolled_at=now, updated_at=now, reason="",
            channel=verdict.channel).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        try:
            with s.begin_nested():
                for other in verdict.interrupt:
                    s.add(rows.close_event(patient.id, other, "interrupted",
                                           f"interrupt-{other}-{fire.id}", now))
                conv = Conversation(
                    patient_id=patient.id, flow=flow.name, version=flow.version,
                    state=flow.start, context=verdict.context, locale=patient.locale,
                    timezone=patient.timezone, channel=verdict.channel, status="active",
                    campaign=campaign.name, started_at=now, updated_at=now)
                s.add(conv)
                s.flush()
                s.add(rows.start_event(patient.id, conv.id, dedupe_key(fire), now,
                                       {"campaign": campaign.name, "fire_id": fire.id}))
                enrolments.enrol(s, conv, fire_id=fire.id, stage=stage_name(
                    campaign, state_for(s, campaign.name).stage), variant=variants.assign(
                    flow.variant_names, campaign.name,
                    patient.external_ref or f"patient-{patient.id}"))
                s.flush()
        except IntegrityError:
            log.warning("fire %s: start event already exists; not enrolled twice", fire.id)
            return None
        fire.status, fire.enrolled_at, fire.updated_at = FIRE_ENROLLED, now, now
        fire.channel, fire.conversation_id, fire.reason = verdict.channel, conv.id, ""
        metrics.count_after_commit(s, metrics.ENROLMENTS.labels(campaign=campaign.name).inc)
        return conv

