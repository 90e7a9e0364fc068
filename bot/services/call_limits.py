"""How often a patient may be called: per day, per week, and within the daily message cap.

The FCC exempts healthcare calls from prior-consent rules only under conditions; among them,
no more than one call a day and three a week to a patient, an interactive opt-out (key 9 on
every call here), the provider named at the start (the identity question) and a short call.
The settings `VOICE_CALLS_PER_DAY` and `VOICE_CALLS_PER_WEEK` default to those conditions;
unanswered calls count, since the phone rang. A call is also one routine message against the
patient's daily cap shared with texts, so a text and a call do not both land on a day that
allows one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import rules
from bot.settings import Settings
from bot.store import repositories as repo
from bot.store.models import OUTBOUND, Message, Patient

WEEK = timedelta(days=7)


def placed_since(s: Session, patient_id: int, since: datetime) -> list[datetime]:
    """When each call that rang (not one Twilio refused) was placed, oldest first."""
    return list(s.scalars(
        select(Message.created_at).where(
            Message.patient_id == patient_id, Message.channel == "voice",
            Message.direction == OUTBOUND, Message.twilio_sid.like("CA%"),
            Message.status != "failed", Message.created_at >= since,
        ).order_by(Message.created_at)))


def next_call_at(s: Session, patient: Patient, settings: Settings, now: datetime,
                 quiet: tuple[str, str]) -> tuple[datetime | None, str]:
    """When the next call may be placed (None: now) and why it must wait."""
    tz = patient.timezone or settings.DEFAULT_TIMEZONE
    start, end = rules.local_day_bounds(now, tz)
    week = placed_since(s, patient.id, now - WEEK)
    today = [at for at in week if _aware(at) >= start]
    per_day, per_week = settings.VOICE_CALLS_PER_DAY, settings.VOICE_CALLS_PER_WEEK
    if len(today) >= per_day:
        return rules.next_allowed_send(end, tz, *quiet), f"calls a day: {per_day}"
    if len(week) >= per_week:
        oldest = _aware(week[-per_week])
        return rules.next_allowed_send(oldest + WEEK, tz, *quiet), f"calls a week: {per_week}"
    sent = repo.routine_sent_between(s, patient.id, start, end)
    if rules.cap_reached(sent, settings.MAX_ROUTINE_MESSAGES_PER_DAY):
        return rules.next_allowed_send(end, tz, *quiet), "daily routine message cap reached"
    return None, ""


def _aware(at: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back; comparisons need them aware."""
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)
