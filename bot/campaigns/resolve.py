"""A need met elsewhere stops its reminders: pending fires are cancelled and an active
conversation about it ends with an outcome that says so (`resolved_elsewhere`).

Called in the same transaction as the fact change (a `panel import`, or `POST /api/events`).
The conversation is ended through the patient's inbox (a staff `close` event), so it is
serialised with the patient's replies under the per-patient lock like every other change; its
unsent messages are suppressed at once, so nothing more goes out even before the worker runs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.campaigns.schema import Campaign
from bot.panel import due
from bot.store import repositories as repo
from bot.store.models import OUTBOUND, STATUS_RANK, Conversation, InboxEvent, Message
from bot.store.panel_models import (
    FIRE_CANCELLED,
    FIRE_ENROLLED,
    FIRE_PENDING,
    CampaignFire,
    DueFact,
)

#: Reasons that mean the need was met (the outcome is then `resolved_elsewhere`).
MET_REASONS = frozenset({due.REFILL_DISPENSED, due.VISIT_KEPT, due.PROGRAM_ENDED})
RESOLVED_ELSEWHERE = "resolved_elsewhere"
NO_LONGER_DUE = "no_longer_due"


def why_gone(fact: DueFact, fire: CampaignFire) -> str | None:
    """Why `fire` no longer stands for an open need, or None when it still does."""
    if fact.status == due.OPEN and fact.anchor == fire.anchor:
        return None
    if fact.status == due.MET:
        return fact.reason
    if fact.kind == due.REFILL_DUE and fact.anchor is not None and fact.anchor > fire.anchor:
        return due.REFILL_DISPENSED  # a new fill pushed the due date out
    return fact.reason or "anchor moved"


class Resolver:
    """The importer's and the events API's `on_facts_changed`; `patients` need a worker run."""

    def __init__(self, campaigns: dict[str, Campaign]) -> None:
        self.campaigns = campaigns
        self.patients: set[int] = set()
        self.cancelled = 0
        self.resolved = 0

    def __call__(self, session: Session, fact_ids: list[int], now: datetime) -> None:
        if not fact_ids:
            return
        facts = {f.id: f for f in session.scalars(select(DueFact).where(DueFact.id.in_(fact_ids)))}
        fires = session.scalars(select(CampaignFire).where(
            CampaignFire.fact_id.in_(fact_ids),
            CampaignFire.status.in_((FIRE_PENDING, FIRE_ENROLLED))))
        for fire in fires:
            fact = facts[fire.fact_id]  # type: ignore[index]
            reason = why_gone(fact, fire)
            if reason is None:
                continue
            if fire.status == FIRE_PENDING:
                fire.status, fire.reason, fire.updated_at = FIRE_CANCELLED, reason, now
                self.cancelled += 1
            elif fire.conversation_id is not None:
                self._end(session, fire, reason, now)

    def _end(self, session: Session, fire: CampaignFire, reason: str, now: datetime) -> None:
        campaign = self.campaigns.get(fire.campaign)
        if reason in MET_REASONS and campaign is not None and reason not in campaign.stop_when:
            return
        conv = session.get(Conversation, fire.conversation_id)
        if conv is None or conv.status != "active":
            return
        outcome = RESOLVED_ELSEWHERE if reason in MET_REASONS else NO_LONGER_DUE
        session.add(InboxEvent(
            patient_id=conv.patient_id, conversation_id=conv.id, kind="staff",
            payload={"action": "close", "outcome": outcome, "staff_id": None},
            dedupe_key=f"resolved-{conv.id}", created_at=now))
        unsent = list(session.scalars(select(Message).where(
            Message.conversation_id == conv.id, Message.direction == OUTBOUND,
            Message.status.in_(("pending", "deferred")))))
        for message in unsent:
            message.status, message.status_rank = "suppressed", STATUS_RANK["suppressed"]
            message.updated_at = now
        repo.audit(session, "campaign_resolved", f"need met elsewhere: {reason}", now,
                   patient_id=conv.patient_id, conversation_id=conv.id,
                   detail={"campaign": fire.campaign, "reason": reason, "outcome": outcome,
                           "suppressed": [m.id for m in unsent]})
        self.patients.add(conv.patient_id)
        self.resolved += 1
