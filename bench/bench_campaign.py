"""A campaign over a large panel: `start_campaign` at 10k and 100k patients.

Each size runs in a fresh interpreter: its patients are generated straight into a migrated
SQLite (chunked Core inserts, the bare baseline for time: writing the same number of rows
with nothing else), then the campaign enrols all of them (a conversation and a start event
each, a `process_patient` job in the private Redis). Reported: seconds per 1,000 patients
against the bare insert's, and the peak memory the campaign added to the process (its
resident set sampled every 20 ms, peak minus before), which must not grow with the panel.
"""

from __future__ import annotations

import gc
import resource
import sys
import threading
import time
from typing import Any

from bench.bench_pipeline import environment, phone

CHUNK = 5000


def _rss_mb() -> float:
    """The process's resident set now (Linux /proc; the high-water mark would hide the
    campaign's own peak behind the data generation's)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


class PeakRss:
    """Samples the resident set every 20 ms in a thread; `peak` is the largest seen."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def generate_patients(database_url: str, count: int) -> float:
    """Insert `count` consented patients with a due date; returns the seconds it took."""
    from datetime import datetime, timezone

    from sqlalchemy import insert

    from bot.store.db import get_database
    from bot.store.models import CONSENT_GRANTED, Patient

    engine = get_database(database_url).engine
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    for first in range(0, count, CHUNK):
        rows = [{"phone": phone(i), "first_name": f"P{i}", "locale": "en",
                 "timezone": "America/New_York", "consent_status": CONSENT_GRANTED,
                 "consent_updated_at": now, "attributes": {"due_date": "2030-01-15"},
                 "created_at": now, "last_name": ""}
                for i in range(first, min(count, first + CHUNK))]
        with engine.begin() as conn:
            conn.execute(insert(Patient), rows)
    return time.perf_counter() - started


def bench_campaign(patients: int) -> dict[str, Any]:
    import logging

    from bot.cli.pipeline import start_campaign
    from bot.settings import load
    from bot.store.migrate import upgrade  # noqa: F401  (loaded before the measurement)

    logging.getLogger("bot").setLevel(logging.WARNING)
    with environment(0) as env:
        bare = generate_patients(env["DATABASE_URL"], patients)
        settings = load()
        start_campaign(settings, "refill_reminder", limit=1)  # imports and flows loaded
        gc.collect()
        before = _rss_mb()
        with PeakRss() as rss:
            started = time.perf_counter()
            enrolled = len(start_campaign(settings, "refill_reminder"))
            seconds = time.perf_counter() - started
        grown = rss.peak - before
    assert enrolled == patients - 1, enrolled
    return {
        "patients": patients, "seconds": seconds,
        "ms_per_1000": seconds / patients * 1_000_000,
        "bare_ms_per_1000": bare / patients * 1_000_000,
        "ratio": seconds / bare, "peak_growth_mb": grown,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench_campaign(int(sys.argv[1]))))
