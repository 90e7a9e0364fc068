"""Facts -> planned fires: one pending `CampaignFire` per (campaign, patient, anchor, offset).

A campaign's fires are recomputed for the facts that changed since its last sync, or all of
them when the campaign file changed (its version is its content digest, like mailroom's fire
versions): new fires are added, pending fires whose need is gone or whose anchor moved are
cancelled, pending fires of an older version are re-timed. Enrolled and skipped fires are
history and stay as they are. Facts are read in keyset-paginated batches, one transaction each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import defaults
from bot.campaigns.schema import Campaign, fire_at, offsets_for
from bot.panel import due
from bot.store.db import Database
from bot.store.models import Patient
from bot.store.panel_models import (
    FIRE_CANCELLED,
    FIRE_PENDING,
    CampaignFire,
    CampaignState,
    DueFact,
)

#: How far before the last sync's newest fact the next sync looks again (s).
SYNC_OVERLAP_SECONDS = 600
#: Attempts at a sync batch that lost a race to insert the same fire (attempts).
SYNC_RETRIES = 3


@dataclass(frozen=True)
class Need:
    """What a campaign is anchored on for one patient (a due fact, or a CSV date column)."""

    patient_id: int
    anchor: date | None
    open: bool
    reason: str
    fact_id: int | None
    timezone: str


def state_for(session: Session, name: str) -> CampaignState:
    state = session.get(CampaignState, name)
    if state is None:
        state = CampaignState(name=name, version="", stage=0)
        session.add(state)
        session.flush()
    return state


def _column_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _fact_needs(s: Session, campaign: Campaign, after_id: int, since: datetime | None,
                size: int) -> tuple[list[Need], int, datetime | None]:
    stmt = (select(DueFact, Patient.timezone).join(Patient, Patient.id == DueFact.patient_id)
            .where(DueFact.kind == campaign.audience, DueFact.id > after_id)
            .order_by(DueFact.id).limit(size))
    if since is not None:
        stmt = stmt.where(DueFact.changed_at > since)
    rows = s.execute(stmt).all()
    needs = [Need(f.patient_id, f.anchor, f.status == due.OPEN, f.reason, f.id, tz)
             for f, tz in rows if f.patient_id is not None]
    return needs, (rows[-1][0].id if rows else -1), max(
        (f.changed_at for f, _ in rows), default=None)


def _column_needs(s: Session, campaign: Campaign, after_id: int,
                  size: int) -> tuple[list[Need], int]:
    rows = list(s.scalars(select(Patient).where(Patient.id > after_id,
                                                Patient.attributes.is_not(None))
                          .order_by(Patient.id).limit(size)))
    needs = []
    for p in rows:
        anchor = _column_date((p.attributes or {}).get(campaign.column or ""))
        if anchor is not None:
            needs.append(Need(p.id, anchor, True, "", None, p.timezone))
    return needs, (rows[-1].id if rows else -1)


def plan_needs(s: Session, campaign: Campaign, needs: list[Need], now: datetime,
               horizon_days: int = defaults.CAMPAIGN_PLAN_DAYS) -> int:
    """Bring the fires of `needs` in line with `campaign`; returns fires added or changed."""
    if not needs:
        return 0
    late = now - timedelta(hours=defaults.CAMPAIGN_LATE_GRACE_HOURS)
    until = (now + timedelta(days=horizon_days)).date()
    patients = {n.patient_id for n in needs}
    by_patient: dict[int, dict[tuple[int, date, int], CampaignFire]] = {}
    for f in s.scalars(select(CampaignFire).where(CampaignFire.campaign == campaign.name,
                                                  CampaignFire.patient_id.in_(patients))):
        by_patient.setdefault(f.patient_id, {})[(f.patient_id, f.anchor, f.offset_days)] = f
    touched = 0
    for need in needs:
        existing = by_patient.setdefault(need.patient_id, {})
        wanted: dict[tuple[int, date, int], datetime] = {}
        if need.open and need.anchor is not None:
            for offset in offsets_for(campaign, need.anchor, until):
                at = fire_at(need.anchor, offset, campaign.send_at, need.timezone)
                wanted[(need.patient_id, need.anchor, offset)] = at
        for key, fire in existing.items():
            if fire.status != FIRE_PENDING or key in wanted:
                continue
            if need.fact_id is None or fire.fact_id == need.fact_id:
                fire.status, fire.updated_at = FIRE_CANCELLED, now
                fire.reason = (need.reason or "need changed") if not need.open else "plan changed"
                touched += 1
        for key, at in wanted.items():
            found = existing.get(key)
            if found is None:
                if at < late:
                    continue  # long past: a new panel does not replay old reminders
                existing[key] = CampaignFire(
                    campaign=campaign.name, patient_id=key[0], anchor=key[1], offset_days=key[2],
                    fact_id=need.fact_id, fire_at=at, version=campaign.version,
                    status=FIRE_PENDING, reason="", created_at=now, updated_at=now)
                s.add(existing[key])
                touched += 1
                continue
            fire = found
            if fire.status == FIRE_PENDING and (fire.fire_at != at
                                                or fire.version != campaign.version):
                fire.fire_at, fire.version, fire.updated_at = at, campaign.version, now
                touched += 1
            elif fire.status == FIRE_CANCELLED and at >= late:
                fire.status, fire.reason, fire.fire_at = FIRE_PENDING, "", at
                fire.version, fire.updated_at = campaign.version, now
                touched += 1
    s.flush()
    return touched


def _retrying(db: Database, work: Callable[[Session], Any]) -> Any:
    """Run `work` in a transaction; when a racing pass inserted the same fire or state first
    (a uniqueness violation), run it again: the second time it sees their rows."""
    for attempt in range(SYNC_RETRIES):
        try:
            with db.session() as s:
                return work(s)
        except IntegrityError:
            if attempt == SYNC_RETRIES - 1:
                raise
    return None


def sync_campaign(db: Database, campaign: Campaign, now: datetime,
                  batch_size: int = defaults.PANEL_BATCH_SIZE) -> int:
    """Recompute the fires of the facts that changed (all of them after a campaign edit)."""
    state = _retrying(db, lambda s: state_for(s, campaign.name))
    full = state.version != campaign.version or campaign.column is not None
    watermark = None if full else state.synced_through
    # Facts committed while a sync ran may carry a slightly older time: look back a little
    # (re-planning a fact twice changes nothing).
    since = watermark - timedelta(seconds=SYNC_OVERLAP_SECONDS) if watermark else None
    after, touched, newest = 0, 0, watermark

    def batch(s: Session) -> tuple[int, int, datetime | None]:
        seen = None
        if campaign.column is not None:
            needs, last = _column_needs(s, campaign, after, batch_size)
        else:
            needs, last, seen = _fact_needs(s, campaign, after, since, batch_size)
        return (plan_needs(s, campaign, needs, now) if last >= 0 else 0), last, seen

    while True:
        count, last, seen = _retrying(db, batch)
        if last < 0:
            break
        touched += count
        after = last
        if seen is not None and (newest is None or seen > newest):
            newest = seen

    def finish(s: Session) -> None:
        st = state_for(s, campaign.name)
        st.version, st.synced_through, st.updated_at = campaign.version, newest, now

    _retrying(db, finish)
    return touched
