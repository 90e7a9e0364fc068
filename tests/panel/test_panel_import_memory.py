"""Panel import memory stays flat: patients are read and written in batches."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import func, select

from bot.campaigns.resolve import Resolver
from bot.panel.importer import PanelImporter
from bot.panel.records import MedicationRequestRecord, PatientRecord, Phone
from bot.store.db import get_database
from bot.store.panel_models import DueFact

NOW = datetime(2026, 9, 1, 12, tzinfo=timezone.utc)


def panel(first: int, count: int) -> Iterator[Any]:
    """Patients with one prescription each, all due on 2026-09-20 (generated lazily)."""
    for n in range(first, first + count):
        pid = f"big{n}"
        yield PatientRecord(id=pid, external_ref=f"BIG-{n}", first_name="Pat",
                            phones=(Phone(f"+1617{2000000 + n:07d}", "sms", "mobile", 1),),
                            language=("en", "es", "vi", "zh")[n % 4])
        yield MedicationRequestRecord(id=f"rx{n}", patient=pid, status="active",
                                      authored_on=date(2026, 8, 21), repeats_allowed=3,
                                      supply_days=30)


def import_peak(url: str, first: int, count: int) -> int:
    importer = PanelImporter(get_database(url), "America/New_York", Resolver({}), NOW,
                             batch_size=250)
    tracemalloc.start()
    importer.add_records(panel(first, count))
    importer.derive()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_import_memory_does_not_grow_with_the_panel(database_url: str) -> None:
    small = import_peak(database_url, 0, 500)
    large = import_peak(database_url, 500, 2_000)
    # Four times the patients, not four times the memory: batches, not the whole panel.
    assert large < small * 1.8, (small, large)
    with get_database(database_url).session() as s:
        assert s.scalar(select(func.count(DueFact.id))) == 2_500
