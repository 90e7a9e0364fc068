"""Due-date arithmetic: fills carry surplus, repeats run out, prescriptions expire."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bot.panel import due
from bot.panel.records import (
    AppointmentRecord,
    EpisodeRecord,
    MedicationDispenseRecord,
    MedicationRequestRecord,
)

D = date


def req(**kw: object) -> MedicationRequestRecord:
    base = dict(id="r1", patient="p1", status="active", authored_on=D(2026, 1, 1),
                repeats_allowed=5, supply_days=30)
    base.update(kw)
    return MedicationRequestRecord(**base)  # type: ignore[arg-type]


def fill(n: int, day: date, days: int = 30, status: str = "completed") -> MedicationDispenseRecord:
    return MedicationDispenseRecord(id=f"d{n}", patient="p1", status=status, handed_over=day,
                                    days_supply=days, prescription="r1")


def test_one_fill_is_due_when_its_supply_runs_out() -> None:
    fact = due.refill_fact(req(), [fill(1, D(2026, 1, 5))])
    assert (fact.status, fact.anchor) == (due.OPEN, D(2026, 2, 4))


def test_early_refill_carries_its_surplus_forward() -> None:
    # Second fill 10 days early: it starts when the first runs out, so due = 5 Jan + 60 days.
    fact = due.refill_fact(req(), [fill(1, D(2026, 1, 5)), fill(2, D(2026, 1, 25))])
    assert fact.anchor == D(2026, 3, 6)


def test_late_refill_leaves_a_gap_and_restarts_coverage() -> None:
    fact = due.refill_fact(req(), [fill(1, D(2026, 1, 5)), fill(2, D(2026, 3, 1))])
    assert fact.anchor == D(2026, 3, 31)


def test_fills_are_ordered_by_date_not_by_file_order() -> None:
    fact = due.refill_fact(req(), [fill(2, D(2026, 1, 25)), fill(1, D(2026, 1, 5))])
    assert fact.anchor == D(2026, 3, 6)


def test_cancelled_dispenses_do_not_count() -> None:
    fact = due.refill_fact(req(), [fill(1, D(2026, 1, 5)), fill(2, D(2026, 1, 25), status="cancelled")])
    assert fact.anchor == D(2026, 2, 4)


def test_no_repeats_left_is_not_due() -> None:
    fills = [fill(1, D(2026, 1, 5)), fill(2, D(2026, 2, 4))]
    fact = due.refill_fact(req(repeats_allowed=1), fills)
    assert (fact.status, fact.reason) == (due.NOT_DUE, due.NO_REPEATS_LEFT)
    assert due.refill_fact(req(repeats_allowed=2), fills).status == due.OPEN


def test_expired_prescription_is_not_due() -> None:
    fact = due.refill_fact(req(validity_end=D(2026, 2, 1)), [fill(1, D(2026, 1, 5))])
    assert (fact.status, fact.reason) == (due.NOT_DUE, due.PRESCRIPTION_EXPIRED)
    assert due.refill_fact(req(validity_end=D(2026, 2, 4)), [fill(1, D(2026, 1, 5))]).status == due.OPEN


def test_without_a_fill_falls_back_to_authored_plus_expected_supply() -> None:
    fact = due.refill_fact(req(), [])
    assert (fact.status, fact.anchor) == (due.OPEN, D(2026, 1, 31))
    assert due.refill_fact(req(supply_days=None), []).reason == due.NO_SUPPLY_KNOWN


def test_stopped_prescription_is_not_due() -> None:
    assert due.refill_fact(req(status="stopped"), [fill(1, D(2026, 1, 5))]).reason == \
        due.PRESCRIPTION_INACTIVE


def test_missed_visit_is_met_by_a_later_booking() -> None:
    tz = ZoneInfo("America/New_York")
    missed = AppointmentRecord("a1", "p1", "noshow", datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc))
    [fact] = due.missed_visit_facts([missed], tz)
    # 02:00 UTC is the evening before in New York: the local day is the anchor.
    assert (fact.status, fact.anchor) == (due.OPEN, D(2026, 3, 2))
    rebooked = AppointmentRecord("a2", "p1", "booked", datetime(2026, 3, 20, 14, tzinfo=timezone.utc))
    [fact] = due.missed_visit_facts([missed, rebooked], tz)
    assert (fact.status, fact.reason) == (due.MET, due.VISIT_KEPT)


def test_program_open_while_active_and_met_when_finished() -> None:
    active = EpisodeRecord("e1", "p1", "active", D(2026, 2, 1))
    finished = EpisodeRecord("e1", "p1", "finished", D(2026, 2, 1), D(2026, 4, 1))
    assert due.program_facts([active])[0].status == due.OPEN
    assert due.program_facts([finished])[0].reason == due.PROGRAM_ENDED
