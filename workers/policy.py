"""Send-time rules for routine messages: consent, quiet hours, the daily cap.

Checked when a message is written (so it is deferred, not dropped) and again right before it
goes to Twilio (consent can change in between). Replies to the patient's own message, safety
and system messages are exempt: they go at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.effects import ROUTINE
from bot.settings import Settings
from bot.store import repositories as repo
from bot.store.models import CONSENT_REVOKED, Message, Patient

SEND = "send"
DEFER = "defer"
SUPPRESS = "suppress"


@dataclass(frozen=True)
class Decision:
    action: str  # send, defer or suppress
    at: datetime | None = None
    reason: str = ""


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def day_bounds(now: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """The patient's local calendar day containing `now`, as UTC-aware [start, end)."""
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), time(0), tz)
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tz)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def next_allowed(now: datetime, tz_name: str, quiet_start: str, quiet_end: str) -> datetime:
    """`now` if outside quiet hours in the patient's zone, else the end of the quiet window."""
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz)
    start, end = _hhmm(quiet_start), _hhmm(quiet_end)
    t = local.time()
    in_quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not in_quiet:
        return now
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tz).astimezone(now.tzinfo)


def decide(
    session: Session, patient: Patient, message: Message, settings: Settings, now: datetime,
    quiet_hours: tuple[str, str] | None = None,
) -> Decision:
    """Whether `message` may go now, must wait (until when), or must never go."""
    if message.kind != ROUTINE:
        return Decision(SEND)
    if patient.consent_status == CONSENT_REVOKED:
        return Decision(SUPPRESS, reason="patient opted out")
    tz = patient.timezone or settings.DEFAULT_TIMEZONE
    qs, qe = quiet_hours or (settings.QUIET_HOURS_START, settings.QUIET_HOURS_END)
    at = next_allowed(now, tz, qs, qe)
    if at > now:
        return Decision(DEFER, at, "quiet hours in the patient's time zone")
    start, end = day_bounds(now, tz)
    sent = repo.routine_sent_between(session, patient.id, start, end, exclude_id=message.id)
    if sent >= settings.MAX_ROUTINE_MESSAGES_PER_DAY:
        return Decision(DEFER, next_allowed(end, tz, qs, qe), "daily routine message cap reached")
    return Decision(SEND)
