"""A 20,000-patient panel is scheduled in bounded batches with flat memory."""

from __future__ import annotations

import tracemalloc
from datetime import date, datetime, timezone

from panel_support import FLOWS, REFILL, Recorder
from sqlalchemy import func, insert, select

from bot.campaigns.scheduler import Scheduler
from bot.campaigns.sync import sync_campaign
from bot.store.db import get_database
from bot.store.models import Patient
from bot.store.panel_models import CampaignFire, DueFact

PATIENTS = 20_000
NOW = datetime(2026, 9, 1, 12, tzinfo=timezone.utc)
DUE = date(2026, 9, 20)


def seed(url: str) -> None:
    """20k registry rows and due facts, written in bulk (the import itself is tested above)."""
    with get_database(url).session() as s:
        s.execute(insert(Patient), [
            {"phone": f"+1718{3000000 + n:07d}", "first_name": "Pat", "external_ref": f"S-{n}",
             "locale": ("en", "es", "vi", "zh")[n % 4], "timezone": "America/New_York",
             "consent_status": "granted", "attributes": {}, "created_at": NOW}
            for n in range(PATIENTS)])
        ids = list(s.scalars(select(Patient.id).where(Patient.external_ref.like("S-%"))))
        s.execute(insert(DueFact), [
            {"patient_ref": f"s{pid}", "patient_id": pid, "kind": "refill_due",
             "key": f"MedicationRequest/s{pid}", "anchor": DUE, "status": "open", "reason": "",
             "detail": {}, "changed_at": NOW} for pid in ids])


def test_large_panel_is_scheduled_in_bounded_batches(database_url: str) -> None:
    seed(database_url)
    db = get_database(database_url)
    assert sync_campaign(db, REFILL, NOW) >= PATIENTS
    with db.session() as s:
        assert s.scalar(select(func.count(CampaignFire.id)).where(
            CampaignFire.anchor == DUE)) == PATIENTS

    rec = Recorder()
    sched = Scheduler(db, {REFILL.name: REFILL}, FLOWS, rec, batch_size=100, max_batches=5)
    at = datetime(2026, 9, 17, 15, tzinfo=timezone.utc)
    tracemalloc.start()
    report = sched.run_due(at, sync=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (report.batches, report.enrolled, report.more) == (5, 500, True)
    assert [len(b) for b in rec.batches] == [100] * 5
    # 20,000 fires are due; one pass holds a batch at a time, not the panel.
    assert peak < 24 * 1024 * 1024, peak
    assert sched.run_due(at, sync=False).enrolled == 500  # the follow-up pass goes on
