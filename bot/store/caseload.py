"""Caseload measures per staff member and per team, as care-management programs report them.

- open: tasks not yet resolved (open or claimed)
- overdue: of those, past their SLA due time
- resolved this week: resolved since Monday 00:00 in the program's time zone
- median time to first human contact: from task creation to the first staff reply, logged
  call or contact outcome, over tasks first contacted in the last `MEDIAN_WINDOW`.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.store.models import TASK_RESOLVED, FollowUpTask

#: Window over which the median time to first contact is measured.
MEDIAN_WINDOW = timedelta(days=30)
UNASSIGNED = "(unassigned)"


@dataclass
class Measures:
    key: str
    open: int = 0
    overdue: int = 0
    resolved_this_week: int = 0
    contact_delays: list[float] = field(default_factory=list)

    @property
    def median_first_contact(self) -> timedelta | None:
        if not self.contact_delays:
            return None
        return timedelta(seconds=statistics.median(self.contact_delays))

    def to_dict(self) -> dict[str, object]:
        median = self.median_first_contact
        return {"key": self.key, "open": self.open, "overdue": self.overdue,
                "resolved_this_week": self.resolved_this_week,
                "median_first_contact_seconds": median.total_seconds() if median else None,
                "contacted_tasks": len(self.contact_delays)}


def week_start(now: datetime, tz: str) -> datetime:
    """Monday 00:00 of `now`'s week in time zone `tz`, as UTC."""
    local = now.astimezone(ZoneInfo(tz))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def caseload(session: Session, teams: Sequence[str], now: datetime,
             tz: str) -> tuple[list[Measures], list[Measures]]:
    """(per staff member, per team) measures over tasks of `teams`."""
    since_week = week_start(now, tz)
    since_median = now - MEDIAN_WINDOW
    tasks = session.scalars(select(FollowUpTask).where(
        FollowUpTask.team.in_(teams),
        or_(FollowUpTask.status != TASK_RESOLVED, FollowUpTask.resolved_at >= since_week,
            FollowUpTask.first_contact_at >= since_median),
    ))
    staff: dict[str, Measures] = {}
    team: dict[str, Measures] = {t: Measures(t) for t in teams}
    for t in tasks:
        rows = [team.setdefault(t.team, Measures(t.team)),
                staff.setdefault(t.assignee or UNASSIGNED, Measures(t.assignee or UNASSIGNED))]
        for m in rows:
            _count(m, t, now, since_week, since_median)
    by_staff = sorted(staff.values(), key=lambda m: (m.key == UNASSIGNED, m.key))
    return by_staff, [team[k] for k in sorted(team)]


def _count(m: Measures, t: FollowUpTask, now: datetime, since_week: datetime,
           since_median: datetime) -> None:
    if t.status != TASK_RESOLVED:
        m.open += 1
        if t.sla_due_at < now:
            m.overdue += 1
    elif t.resolved_at is not None and t.resolved_at >= since_week:
        m.resolved_this_week += 1
    if t.first_contact_at is not None and t.first_contact_at >= since_median:
        m.contact_delays.append(max(0.0, (t.first_contact_at - t.created_at).total_seconds()))


def format_duration(value: timedelta | None) -> str:
    """'2 h 05 min', '12 min', '3 d 4 h' or an em dash for no data."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rem = divmod(minutes, 1440)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def by_key(rows: list[Measures]) -> dict[str, Measures]:
    return {m.key: m for m in rows}

