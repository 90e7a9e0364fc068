"""Quiet hours and frequency caps, as pure functions of a UTC instant and a time zone.

The TCPA's calling window (47 CFR 64.1200(c)(1): not before 8 a.m. or after 9 p.m. at the
called party's location) is judged in the patient's local time, so every rule here converts
to the patient's IANA zone first. Routine messages that fall in the quiet window are deferred
to the next allowed instant, never dropped. Daylight-saving gaps and folds are handled by
building local times with zoneinfo and converting back to UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import defaults
from bot.errors import OutreachError

if TYPE_CHECKING:
    from bot.flows.schema import Flow
    from bot.settings import Settings

__all__ = ["cap_reached", "in_quiet_hours", "local_day_bounds", "next_allowed_send",
           "parse_clock", "quiet_window"]


class RuleError(OutreachError):
    """A rule was called with a value that cannot work (naive datetime, bad HH:MM)."""


def parse_clock(value: str) -> time:
    """"21:00" -> time(21, 0); raises RuleError on anything else."""
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError) as exc:
        raise RuleError(f"not a HH:MM time: {value!r}") from exc


def quiet_window(settings: Settings, flow: Flow | None = None) -> tuple[str, str]:
    """The quiet window (start, end) for anything a conversation on `flow` sends or places:
    the flow's own `quiet_hours` when it sets them, else the program's settings.

    The only place the window is chosen: routine texts when written and again at send time,
    calls and the care team's replies all ask here, so none of them can disagree.
    """
    if flow is not None and flow.settings.quiet_hours:
        return flow.settings.quiet_hours
    return settings.QUIET_HOURS_START, settings.QUIET_HOURS_END


def _utc(now_utc: datetime) -> datetime:
    if now_utc.tzinfo is None:
        raise RuleError("now_utc must be timezone-aware")
    return now_utc.astimezone(dt_timezone.utc)


def _quiet(local: time, start: time, end: time) -> bool:
    if start == end:
        return False  # no quiet window configured
    if start < end:  # e.g. 13:00-14:00 within one day
        return start <= local < end
    return local >= start or local < end  # crosses midnight, e.g. 21:00-08:00


def in_quiet_hours(
    now_utc: datetime,
    timezone: str,
    quiet_start: str = defaults.QUIET_HOURS_START,
    quiet_end: str = defaults.QUIET_HOURS_END,
) -> bool:
    """True when `now_utc` falls in the patient's local quiet window [start, end)."""
    local = _utc(now_utc).astimezone(ZoneInfo(timezone))
    return _quiet(local.time().replace(tzinfo=None), parse_clock(quiet_start),
                  parse_clock(quiet_end))


def _local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`clock` on `day` in `zone` as UTC. With fold=0 (PEP 495) a wall time skipped by a
    spring-forward jump lands after the jump (02:30 -> 03:30), and a repeated one (fall back)
    is its first occurrence."""
    return datetime.combine(day, clock).replace(tzinfo=zone).astimezone(dt_timezone.utc)


def next_allowed_send(
    now_utc: datetime,
    timezone: str,
    quiet_start: str = defaults.QUIET_HOURS_START,
    quiet_end: str = defaults.QUIET_HOURS_END,
) -> datetime:
    """`now_utc` itself when a routine message may go now, else the UTC instant the quiet
    window ends in the patient's zone (the same morning, or the next one)."""
    now = _utc(now_utc)
    if not in_quiet_hours(now, timezone, quiet_start, quiet_end):
        return now
    zone = ZoneInfo(timezone)
    end = parse_clock(quiet_end)
    local = now.astimezone(zone)
    for offset in (0, 1, 2):
        candidate = _local_instant(local.date() + timedelta(days=offset), end, zone)
        if candidate > now and not in_quiet_hours(candidate, timezone, quiet_start, quiet_end):
            return candidate
    raise RuleError(f"no allowed send time found for quiet window {quiet_start}-{quiet_end}")


def local_day_bounds(now_utc: datetime, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the patient's local calendar day containing `now_utc` (23 or 25
    hours long on DST change days), for counting messages against the daily cap."""
    zone = ZoneInfo(timezone)
    day = _utc(now_utc).astimezone(zone).date()
    return (_local_instant(day, time(0, 0), zone),
            _local_instant(day + timedelta(days=1), time(0, 0), zone))


def cap_reached(sent_today: int, limit: int = defaults.MAX_ROUTINE_MESSAGES_PER_DAY) -> bool:
    """True when `sent_today` routine messages already use the daily allowance `limit`.

    A limit of 0 or less means routine messages are switched off for the patient.
    """
    return sent_today >= max(limit, 0)
