"""Whether a due fire may start now, and if not why: one rule table for `run-due` and `plan`.

The verdicts, in the order they are checked: the patient opted out; the need is gone; the fire
is too late; no reachable number; the flow cannot run on the patient's channel or lacks data it
requires; the patient is in another conversation (by start mode: skip, queue, interrupt); a
cap is reached; the pilot stage is full. An opted-out patient is never enrolled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot import defaults
from bot.campaigns import schema
from bot.campaigns.schema import Campaign
from bot.panel import due
from bot.store.models import CONSENT_REVOKED, Conversation, Patient
from bot.store.panel_models import CampaignFire, DueFact

START = "start"
SKIP = "skip"
WAIT = "wait"
CANCEL = "cancel"

#: Carrier verdicts on a number that mean no text or call can reach it.
UNREACHABLE = frozenset({"invalid", "unreachable", "blocked"})
#: Carrier verdicts that mean the number cannot take texts but can take calls.
CALL_ONLY = frozenset({"landline"})


@dataclass(frozen=True)
class Verdict:
    action: str
    reason: str = ""
    channel: str = "sms"
    context: dict[str, Any] = field(default_factory=dict)
    interrupt: tuple[int, ...] = ()


def channel_for(campaign: Campaign, patient: Patient) -> str:
    """SMS to mobiles; a call when the patient has only a landline or prefers calls."""
    if campaign.channel != "auto":
        return campaign.channel
    if patient.phone_status in CALL_ONLY:
        return "voice"
    preferred = str((patient.attributes or {}).get("channel") or "").strip().lower()
    return "voice" if preferred in ("voice", "call", "phone") else "sms"


def flow_context(flow: Any, patient: Patient, fact: DueFact | None,
                 fire: CampaignFire) -> tuple[dict[str, Any], list[str]]:
    """The placeholders the flow gets, and the required ones that are missing.

    Patient attributes first (CSV columns), then what the need says: a refill's due date, a
    missed visit's date, a program's name; the anchor itself as `due_date` for CSV columns.
    """
    context: dict[str, Any] = {"first_name": patient.first_name}
    context.update(patient.attributes or {})
    detail = dict(fact.detail) if fact is not None else {}
    context.update({k: v for k, v in detail.items() if v not in (None, "")})
    if fact is None or fact.kind == due.REFILL_DUE:
        context.setdefault("due_date", fire.anchor.isoformat())
    for name, spec in flow.context.items():
        value = context.get(name)
        if getattr(spec, "type", "") == "list" and isinstance(value, str):
            context[name] = [v.strip() for v in value.split(defaults.CSV_LIST_SEPARATOR)
                             if v.strip()]
    missing = [n for n in flow.settings.required_context if not context.get(n)]
    return context, missing


@dataclass
class Counters:
    """What the caps and pilot need to know, loaded once per pass and kept current."""

    enrolled_today: int = 0
    enrolled_patients: set[int] = field(default_factory=set)
    stage_size: int | None = None


def assess(campaign: Campaign, flow: Any, fire: CampaignFire, patient: Patient,
           fact: DueFact | None, active: list[Conversation], counters: Counters,
           now: datetime) -> Verdict:
    if patient.consent_status == CONSENT_REVOKED:
        return Verdict(SKIP, schema.OPTED_OUT)
    if fact is not None and (fact.status != due.OPEN or fact.anchor != fire.anchor):
        return Verdict(CANCEL, fact.reason or "anchor moved")
    if now > fire.fire_at + timedelta(hours=defaults.CAMPAIGN_LATE_GRACE_HOURS):
        return Verdict(SKIP, "too late" + (f" ({fire.reason})" if fire.reason else ""))
    if patient.phone_status in UNREACHABLE or not patient.phone:
        return Verdict(SKIP, "no reachable number")
    channel = channel_for(campaign, patient)
    if channel not in flow.channels:
        return Verdict(SKIP, f"flow {flow.name} has no {channel} channel")
    context, missing = flow_context(flow, patient, fact, fire)
    if missing:
        return Verdict(SKIP, "missing " + ", ".join(missing))
    others = tuple(c.id for c in active)
    if others and campaign.start_mode == schema.SKIP:
        return Verdict(SKIP, "in another conversation")
    if others and campaign.start_mode == schema.QUEUE:
        return Verdict(WAIT, "in another conversation")
    known = patient.id in counters.enrolled_patients
    if campaign.total is not None and not known and \
            len(counters.enrolled_patients) >= campaign.total:
        return Verdict(SKIP, "total cap reached")
    if campaign.per_day is not None and counters.enrolled_today >= campaign.per_day:
        return Verdict(WAIT, "daily cap reached")
    if counters.stage_size is not None and not known and \
            len(counters.enrolled_patients) >= counters.stage_size:
        return Verdict(WAIT, "waiting for the next pilot stage")
    return Verdict(START, "", channel, context,
                   others if campaign.start_mode == schema.INTERRUPT else ())
