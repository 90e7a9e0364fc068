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
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.store.models import TASK_CLAIMED, TASK_OPEN, TASK_RESOLVED, FollowUpTask

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
    """(per staff member, per team) measures over tasks of `teams`.

    Counted in the database, grouped by team and assignee: the open work through the status
    index, the week's resolutions and the month's first contacts through their time indexes.
    Resolved history outside those windows is never read, so the page costs the same with a
    year of tasks behind it as with a week.
    """
    since_week = week_start(now, tz)
    since_median = now - MEDIAN_WINDOW
    in_teams = FollowUpTask.team.in_(teams)
    staff: dict[str, Measures] = {}
    team: dict[str, Measures] = {t: Measures(t) for t in teams}

    def both(team_name: str, assignee: str | None) -> tuple[Measures, Measures]:
        who = assignee or UNASSIGNED
        return (team.setdefault(team_name, Measures(team_name)),
                staff.setdefault(who, Measures(who)))

    for team_name, assignee, n, overdue in session.execute(
        select(FollowUpTask.team, FollowUpTask.assignee, func.count(),
               func.count().filter(FollowUpTask.sla_due_at < now))
        .where(in_teams, FollowUpTask.status.in_((TASK_OPEN, TASK_CLAIMED)))
        .group_by(FollowUpTask.team, FollowUpTask.assignee)
    ):
        for m in both(team_name, assignee):
            m.open += n
            m.overdue += overdue
    for team_name, assignee, n in session.execute(
        select(FollowUpTask.team, FollowUpTask.assignee, func.count())
        .where(in_teams, FollowUpTask.status == TASK_RESOLVED,
               FollowUpTask.resolved_at >= since_week)
        .group_by(FollowUpTask.team, FollowUpTask.assignee)
    ):
        for m in both(team_name, assignee):
            m.resolved_this_week += n
    for team_name, assignee, delay in session.execute(
        select(FollowUpTask.team, FollowUpTask.assignee,
               _seconds_between(session, FollowUpTask.first_contact_at, FollowUpTask.created_at))
        .where(in_teams, FollowUpTask.first_contact_at >= since_median)
    ):
        for m in both(team_name, assignee):
            m.contact_delays.append(max(0.0, round(float(delay or 0.0), 3)))
    by_staff = sorted(staff.values(), key=lambda m: (m.key == UNASSIGNED, m.key))
    return by_staff, [team[k] for k in sorted(team)]


def _seconds_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """`later - earlier` in seconds, computed by the database: a month of first contacts is
    thousands of rows, and a number per row is far cheaper to fetch than two timestamps."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


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

