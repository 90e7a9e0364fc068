"""A `/metrics` scrape at a small and a large message table.

Each size runs in a fresh interpreter on a migrated SQLite: `messages` rows (Core inserts)
with a task for every hundredth, then the scrape is timed through the app (the median of many,
after a warm-up). A scrape reads only Redis queue lengths, the multiprocess files and one indexed
count of open tasks, so its time must not grow with the message table: the figure is the large
table's scrape against the small one's.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from bench.bench_campaign import CHUNK, generate_patients
from bench.bench_pipeline import environment, phone

SCRAPES = 200


def generate_messages(database_url: str, count: int) -> None:
    from sqlalchemy import insert

    from bot.store.db import get_database
    from bot.store.models import FollowUpTask, Message

    engine = get_database(database_url).engine
    now = datetime.now(timezone.utc)
    patients = max(1, count // 10)
    for first in range(0, count, CHUNK):
        rows = [{"patient_id": 1 + i % patients, "direction": "out", "channel": "sms",
                 "address": phone(i % patients), "body": "Your refill is due.",
                 "kind": "routine", "status": "delivered", "status_rank": 5, "segments": 1,
                 "send_attempts": 1, "created_at": now, "updated_at": now}
                for i in range(first, min(count, first + CHUNK))]
        tasks = [{"patient_id": 1 + i % patients, "team": "nurse",
                  "priority": ("urgent", "routine")[i % 2], "reason": "bench",
                  "status": ("open", "resolved")[(i // 100) % 2],
                  "sla_due_at": now + timedelta(hours=1), "created_at": now, "version": 1,
                  "notes": ""}
                 for i in range(first, min(count, first + CHUNK), 100)]
        with engine.begin() as conn:
            conn.execute(insert(Message), rows)
            if tasks:
                conn.execute(insert(FollowUpTask), tasks)


def bench_scrape(messages: int) -> dict[str, Any]:
    import logging

    from bot.app import create_app

    logging.getLogger("bot").setLevel(logging.WARNING)
    with environment(0) as env:
        generate_patients(env["DATABASE_URL"], max(1, messages // 10))
        generate_messages(env["DATABASE_URL"], messages)
        app = create_app({**env, "METRICS_ALLOW_FROM": "127.0.0.1"})
        client = app.test_client()
        for _ in range(20):
            assert client.get("/metrics").status_code == 200
        times = []
        for _ in range(SCRAPES):
            started = time.perf_counter()
            client.get("/metrics")
            times.append(time.perf_counter() - started)
    return {"messages": messages, "scrape_ms": statistics.median(times) * 1000}


if __name__ == "__main__":
    import json

    print(json.dumps(bench_scrape(int(sys.argv[1]))))
