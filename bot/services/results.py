"""What outreach achieved, read from the enrolment rows: the funnel, its breakdowns, a weekly
trend and the comparison of message variants.

Every number is an aggregate over `enrolments` for one period (by enrolment time, through its
index) and optionally one campaign or flow; nothing here reads messages or tasks. The same
`Filters` come from the page's URL, the export command and the demo, so a shared link, a file
and a printed summary count the same patients.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from bot.errors import OutreachError
from bot.store.distinct import distinct_values
from bot.store.enrolments import Enrolment
from bot.store.outcome_classes import SUCCESS, WITHDRAWN

#: Breakdowns the page offers, and the enrolment column each groups by.
DIMENSIONS: dict[str, Any] = {
    "language": Enrolment.locale,
    "channel": Enrolment.channel,
    "stage": Enrolment.stage,
    "variant": Enrolment.variant,
    "campaign": Enrolment.campaign,
}
SelectT = TypeVar("SelectT", bound=Select)  # type: ignore[type-arg]
#: z for a two-sided 95% interval.
Z95 = 1.959963984540054


class FilterError(OutreachError):
    """A results filter is malformed (the message names the field and what is expected)."""


@dataclass(frozen=True)
class Filters:
    """Which enrolments to count: enrolled in [since, until] (dates, UTC), one campaign/flow."""

    since: date | None = None
    until: date | None = None
    campaign: str | None = None
    flow: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        def day(name: str) -> date | None:
            raw = (args.get(name) or "").strip()
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise FilterError(f"{name}: {raw!r} is not a date (YYYY-MM-DD)") from None

        since, until = day("since"), day("until")
        if since and until and until < since:
            raise FilterError("until: must not be before since")
        return cls(since=since, until=until, campaign=(args.get("campaign") or "").strip() or None,
                   flow=(args.get("flow") or "").strip() or None)

    def as_args(self) -> dict[str, str]:
        """The filters as URL query arguments (only those set)."""
        out = {"since": self.since.isoformat() if self.since else "",
               "until": self.until.isoformat() if self.until else "",
               "campaign": self.campaign or "", "flow": self.flow or ""}
        return {k: v for k, v in out.items() if v}

    def apply(self, stmt: SelectT) -> SelectT:
        if self.since:
            stmt = stmt.where(Enrolment.enrolled_at >= _start_of(self.since))
        if self.until:
            stmt = stmt.where(Enrolment.enrolled_at < _start_of(self.until + timedelta(days=1)))
        if self.campaign:
            stmt = stmt.where(Enrolment.campaign == self.campaign)
        if self.flow:
            stmt = stmt.where(Enrolment.flow == self.flow)
        return stmt


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Interval:
    """A proportion with its Wilson 95% interval."""

    hits: int
    total: int
    low: float
    high: float

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


def wilson(hits: int, total: int, z: float = Z95) -> Interval:
    """Wilson score interval: honest at small counts and near 0% or 100% (unlike p ± 2·SE)."""
    if total <= 0:
        return Interval(hits, total, 0.0, 1.0)
    p = hits / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return Interval(hits, total, max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Funnel:
    """Counts for one group of enrolments; rates are of `enrolled`."""

    enrolled: int = 0
    reached: int = 0
    replied: int = 0
    success: int = 0
    opted_out: int = 0
    escalated: int = 0
    urgent: int = 0
    ended: int = 0
    messages: int = 0
    segments: int = 0
    #: Runs that ended because the need went away (no longer due, another campaign took over).
    withdrawn: int = 0

    def rate(self, name: str) -> float:
        value: int = getattr(self, name)
        return value / self.enrolled if self.enrolled else 0.0

    STAGES = ("enrolled", "reached", "replied", "success")


def _funnel_columns() -> list[Any]:
    def flag(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return [
        func.count(Enrolment.id), func.count(Enrolment.reached_at),
        func.count(Enrolment.first_reply_at), flag(Enrolment.outcome_class == SUCCESS),
        flag(Enrolment.opted_out.is_(True)), func.count(Enrolment.escalated_at),
        flag(Enrolment.urgent_tasks > 0), func.count(Enrolment.ended_at),
        func.coalesce(func.sum(Enrolment.messages_sent), 0),
        func.coalesce(func.sum(Enrolment.segments_sent), 0),
        flag(Enrolment.outcome_class == WITHDRAWN),
    ]


def _funnel(row: Any) -> Funnel:
    return Funnel(*(int(v or 0) for v in row))


def funnel(session: Session, filters: Filters) -> Funnel:
    return _funnel(session.execute(filters.apply(select(*_funnel_columns()))).one())


def breakdown(session: Session, filters: Filters, dimension: str) -> list[tuple[str, Funnel]]:
    """The funnel per value of `dimension` (language, channel, stage, variant, campaign)."""
    column = DIMENSIONS[dimension]
    rows = session.execute(filters.apply(select(column, *_funnel_columns()))
                           .group_by(column).order_by(column))
    return [(str(value) if value is not None else "—", _funnel(rest))
            for value, *rest in rows]


def weekly(session: Session, filters: Filters) -> list[tuple[date, Funnel]]:
    """The funnel per ISO week of enrolment (Monday first), oldest first."""
    day = func.date(Enrolment.enrolled_at)
    weeks: dict[date, list[int]] = {}
    for value, *counts in session.execute(filters.apply(select(day, *_funnel_columns()))
                                          .group_by(day)):
        when = value if isinstance(value, date) else date.fromisoformat(str(value))
        monday = when - timedelta(days=when.weekday())
        total = weeks.setdefault(monday, [0] * len(counts))
        for i, n in enumerate(counts):
            total[i] += int(n or 0)
    return [(monday, Funnel(*weeks[monday])) for monday in sorted(weeks)]


@dataclass(frozen=True)
class VariantResult:
    variant: str
    replied: Interval
    success: Interval


@dataclass
class VariantComparison:
    """Reply and success rates per variant, and whether any difference is beyond chance."""

    variants: list[VariantResult] = field(default_factory=list)

    @staticmethod
    def _apart(a: Interval, b: Interval) -> bool:
        return a.high < b.low or b.high < a.low

    def distinguishable(self, measure: str) -> bool:
        """True when some two variants' 95% intervals on `measure` do not overlap."""
        found = [getattr(v, measure) for v in self.variants]
        return any(self._apart(a, b) for i, a in enumerate(found) for b in found[i + 1:])

    def verdict(self, measure: str) -> str:
        label = {"replied": "reply", "success": "success"}.get(measure, measure)
        if len(self.variants) < 2:
            return "Only one variant has been sent: there is nothing to compare yet."
        if self.distinguishable(measure):
            best = max(self.variants, key=lambda v: getattr(v, measure).rate)
            return (f"{best.variant} does better on {label} rate, beyond what chance explains "
                    f"(the 95% intervals do not overlap).")
        return (f"Not yet distinguishable from chance on {label} rate: the 95% intervals "
                f"overlap. Keep sending before choosing a wording.")


def variants(session: Session, filters: Filters) -> VariantComparison:
    comparison = VariantComparison()
    for name, f in breakdown(session, filters, "variant"):
        if name == "—":
            continue
        comparison.variants.append(VariantResult(
            name, wilson(f.replied, f.enrolled), wilson(f.success, f.enrolled)))
    return comparison


def campaigns(session: Session) -> list[str]:
    """Campaign names with enrolments (for the filter's choices): a loose index scan, one
    probe per campaign, not a pass over a year of enrolments (bot.store.distinct)."""
    return [str(c) for c in distinct_values(session, Enrolment.campaign)]


def flows(session: Session) -> list[str]:
    """Flow names with enrolments, the same way (index ix_enrolments_flow)."""
    return [str(f) for f in distinct_values(session, Enrolment.flow)]
