"""A campaign as data, and its timing arithmetic (pure: no I/O, no clock reads).

Fire times are computed in the patient's own zone: the anchor day plus the offset, at the
campaign's local send time, converted to UTC with zoneinfo, so a 10:00 reminder stays at 10:00
local across a daylight-saving change (14:00 UTC in winter, 15:00 UTC in summer in New York).
A send time that does not exist that day (inside a spring-forward gap) moves forward by the gap,
the way zoneinfo resolves it; `send_at` is checked to lie outside quiet hours when loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.panel import due

#: Start modes (RapidPro's): what to do when the patient is already in a conversation.
SKIP = "skip"
QUEUE = "queue"
INTERRUPT = "interrupt"
START_MODES = (SKIP, QUEUE, INTERRUPT)

CHANNELS = ("auto", "sms", "voice")

#: Audiences from panel facts; `column:<name>` reads a date column of the patient CSV instead.
AUDIENCES = {due.REFILL_DUE: due.REFILL_DUE, due.MISSED_VISIT: due.MISSED_VISIT,
             "program_enrolment": due.PROGRAM, due.PROGRAM: due.PROGRAM}

OPTED_OUT = "opted_out"
#: The stop conditions each audience allows (opting out always stops a campaign).
STOPS: dict[str, tuple[str, ...]] = {
    due.REFILL_DUE: (due.REFILL_DISPENSED, OPTED_OUT),
    due.MISSED_VISIT: (due.VISIT_KEPT, OPTED_OUT),
    due.PROGRAM: (due.PROGRAM_ENDED, OPTED_OUT),
    "column": (OPTED_OUT,),
}

#: How many fires of a repeating campaign are planned ahead of the next one due (occurrences).
REPEAT_LOOKAHEAD = 2


@dataclass(frozen=True)
class Campaign:
    name: str
    flow: str
    audience: str  # a due-fact kind, or "column:<name>"
    offsets: tuple[int, ...]
    send_at: time
    start_mode: str = SKIP
    stop_when: frozenset[str] = frozenset({OPTED_OUT})
    every_days: int | None = None
    per_day: int | None = None
    total: int | None = None
    channel: str = "auto"
    pilot: tuple[int, ...] = ()
    description: str = ""
    path: str = ""
    version: str = ""

    @property
    def column(self) -> str | None:
        return self.audience.split(":", 1)[1] if self.audience.startswith("column:") else None

    @property
    def stop_kind(self) -> str:
        return "column" if self.column else self.audience

    def stage_size(self, stage: int) -> int | None:
        """Patients the pilot may have enrolled at `stage` (None: no limit, the last stage)."""
        return self.pilot[stage] if stage < len(self.pilot) else None


def version_of(text: str) -> str:
    """A campaign file's version: its content digest (any edit recomputes pending fires)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def fire_at(anchor: date, offset_days: int, send_at: time, tz: str) -> datetime:
    """The UTC instant of `send_at` local time on anchor + offset in zone `tz`."""
    day = anchor + timedelta(days=offset_days)
    local = datetime.combine(day, send_at, tzinfo=ZoneInfo(tz))
    # Round-trip through UTC normalises a time inside a DST gap (zoneinfo keeps it as written).
    return local.astimezone(timezone.utc)


def offsets_for(campaign: Campaign, anchor: date, until: date) -> list[int]:
    """Every offset (days from the anchor) to plan, up to the day `until`.

    Fixed offsets are all planned; a repeating campaign (`every N days`) adds occurrences after
    its last fixed offset until `until`, plus `REPEAT_LOOKAHEAD` beyond it so the plan shows
    what comes next.
    """
    offsets = list(campaign.offsets)
    if campaign.every_days:
        step = campaign.every_days
        current = max(offsets) if offsets else 0
        extra = 0
        while extra < REPEAT_LOOKAHEAD:
            current += step
            if anchor + timedelta(days=current) > until:
                extra += 1
            offsets.append(current)
    return offsets


def describe_offset(days: int) -> str:
    if days == 0:
        return "on the day"
    unit = "day" if abs(days) == 1 else "days"
    return f"{abs(days)} {unit} {'before' if days < 0 else 'after'}"
