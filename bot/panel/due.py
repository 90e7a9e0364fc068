"""Due facts derived from one patient's FHIR records: pure arithmetic, no I/O, no clock reads.

- **refill due** per active prescription: each completed fill covers its hand-over day plus its
  days supply; an early refill starts when the previous supply runs out, so the surplus carries
  over; the refill is due the day coverage ends. With no fill yet it falls back to
  `authoredOn + expectedSupplyDuration`. A prescription whose repeats are used up, or whose
  validity period ends before the due day, is not due (it needs a renewal, not a reminder).
- **missed visit**: an appointment marked `noshow`; met once a later visit is booked or kept.
- **program**: an `EpisodeOfCare` that is active (anchored on its start); ended when finished.

Each fact has a stable key (the resource it comes from) so re-deriving after a new import or
event updates the same row; `status` says whether the need is still open and `reason` why not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.panel.records import (
    AppointmentRecord,
    EpisodeRecord,
    MedicationDispenseRecord,
    MedicationRequestRecord,
    PatientBundle,
)

REFILL_DUE = "refill_due"
MISSED_VISIT = "missed_visit"
PROGRAM = "program"
KINDS = (REFILL_DUE, MISSED_VISIT, PROGRAM)

OPEN = "open"
MET = "met"
NOT_DUE = "not_due"

#: Why a need is no longer open; campaigns name these in `stop_when`.
REFILL_DISPENSED = "refill_dispensed"
VISIT_KEPT = "visit_kept"
PROGRAM_ENDED = "program_ended"
NO_REPEATS_LEFT = "no_repeats_left"
PRESCRIPTION_EXPIRED = "prescription_expired"
PRESCRIPTION_INACTIVE = "prescription_inactive"
NO_SUPPLY_KNOWN = "no_supply_known"

#: Appointment statuses that mean a visit was kept or is on the books again.
VISIT_ON_BOOKS = frozenset({"booked", "arrived", "fulfilled", "checked-in", "pending", "proposed"})
#: EpisodeOfCare statuses that end a program.
EPISODE_ENDED = frozenset({"finished", "cancelled", "entered-in-error"})


@dataclass(frozen=True)
class DueFact:
    """One need of one patient; `anchor` is the date campaigns count their offsets from."""

    kind: str
    key: str
    anchor: date | None
    status: str
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def coverage_end(dispenses: list[MedicationDispenseRecord]) -> date | None:
    """The first day not covered by these fills, carrying surplus from early refills."""
    end: date | None = None
    fills = sorted((d for d in dispenses if d.handed_over and d.days_supply),
                   key=lambda d: (d.handed_over, d.id))
    for fill in fills:
        assert fill.handed_over is not None and fill.days_supply is not None
        start = fill.handed_over if end is None or fill.handed_over > end else end
        end = start + timedelta(days=fill.days_supply)
    return end


def refill_fact(request: MedicationRequestRecord,
                dispenses: list[MedicationDispenseRecord]) -> DueFact:
    """The refill due date of one prescription, or why it is not due."""
    key = f"MedicationRequest/{request.id}"
    fills = [d for d in dispenses if d.status == "completed"]
    detail: dict[str, Any] = {"medication": request.medication, "fills": len(fills)}
    if request.status != "active":
        return DueFact(REFILL_DUE, key, None, NOT_DUE, PRESCRIPTION_INACTIVE, detail)
    end = coverage_end(fills)
    if end is None and request.authored_on and request.supply_days:
        end = request.authored_on + timedelta(days=request.supply_days)
    if end is None:
        return DueFact(REFILL_DUE, key, None, NOT_DUE, NO_SUPPLY_KNOWN, detail)
    detail["due_date"] = end.isoformat()
    if fills:
        last = max(fills, key=lambda d: (d.handed_over or date.min, d.id))
        detail["last_fill"] = last.handed_over.isoformat() if last.handed_over else None
    if request.repeats_allowed is not None and len(fills) >= 1 + request.repeats_allowed:
        return DueFact(REFILL_DUE, key, end, NOT_DUE, NO_REPEATS_LEFT, detail)
    if request.validity_end is not None and end > request.validity_end:
        return DueFact(REFILL_DUE, key, end, NOT_DUE, PRESCRIPTION_EXPIRED, detail)
    return DueFact(REFILL_DUE, key, end, OPEN, "", detail)


def _local_date(appointment: AppointmentRecord, tz: ZoneInfo) -> date | None:
    if appointment.start is None:
        return None
    start = appointment.start
    return start.astimezone(tz).date() if start.tzinfo else start.date()


def missed_visit_facts(appointments: list[AppointmentRecord], tz: ZoneInfo) -> list[DueFact]:
    """One fact per no-show; met when a later visit is on the books or kept."""
    facts = []
    for appt in appointments:
        if appt.status != "noshow" or appt.start is None:
            continue
        day = _local_date(appt, tz)
        later = [a for a in appointments if a.id != appt.id and a.status in VISIT_ON_BOOKS
                 and a.start is not None and _aware(a.start) > _aware(appt.start)]
        detail = {"missed_date": day.isoformat() if day else None,
                  "description": appt.description}
        key = f"Appointment/{appt.id}"
        if later:
            facts.append(DueFact(MISSED_VISIT, key, day, MET, VISIT_KEPT, detail))
        else:
            facts.append(DueFact(MISSED_VISIT, key, day, OPEN, "", detail))
    return facts


def _aware(value: Any) -> Any:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def program_facts(episodes: list[EpisodeRecord]) -> list[DueFact]:
    facts = []
    for ep in episodes:
        key = f"EpisodeOfCare/{ep.id}"
        detail = {"program": ep.program, "care_manager": ep.care_manager,
                  "enrolled_on": ep.start.isoformat() if ep.start else None}
        if ep.status in EPISODE_ENDED:
            facts.append(DueFact(PROGRAM, key, ep.start, MET, PROGRAM_ENDED, detail))
        elif ep.status == "active" and ep.start is not None:
            facts.append(DueFact(PROGRAM, key, ep.start, OPEN, "", detail))
        else:  # planned, waitlist, onhold: not enrolled yet / paused
            facts.append(DueFact(PROGRAM, key, ep.start, NOT_DUE, f"episode {ep.status}", detail))
    return facts


def vanished(kind: str, key: str, bundle: PatientBundle) -> DueFact:
    """A fact derived before but not now: its resource changed so it no longer says so.

    A no-show appointment later marked fulfilled, arrived or booked means the visit was kept.
    """
    rid = key.split("/", 1)[-1]
    if kind == MISSED_VISIT:
        appt = next((a for a in bundle.appointments if a.id == rid), None)
        if appt is not None and appt.status in VISIT_ON_BOOKS:
            return DueFact(kind, key, None, MET, VISIT_KEPT)
        return DueFact(kind, key, None, NOT_DUE,
                       f"appointment {appt.status}" if appt is not None else "no longer in record")
    return DueFact(kind, key, None, NOT_DUE, "no longer in record")


def derive(bundle: PatientBundle, tz: ZoneInfo) -> list[DueFact]:
    """Every due fact of one patient from their records."""
    facts: list[DueFact] = []
    by_request: dict[str, list[MedicationDispenseRecord]] = {}
    for d in bundle.dispenses:
        if d.prescription:
            by_request.setdefault(d.prescription, []).append(d)
    for req in bundle.requests:
        facts.append(refill_fact(req, by_request.get(req.id, [])))
    facts += missed_visit_facts(bundle.appointments, tz)
    facts += program_facts(bundle.episodes)
    return facts
