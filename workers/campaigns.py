"""RQ job for the campaign scheduler: one pass, run every minute by RQ's cron
(`rq cron workers.cron_config`, the Procfile's `clock` process) and by
`outreach campaigns run-due`. Several passes may overlap (two clocks, a manual run): fires are
claimed in the database, so overlapping passes never enrol anyone twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from bot import defaults
from bot.campaigns import service
from bot.services import queues
from workers import context

log = logging.getLogger(__name__)

__all__ = ["run_pass"]

#: A pass that hit its batch budget queues a follow-up pass after this many seconds (s).
FOLLOW_UP_SECONDS = 1


def run_pass(at: str | None = None) -> str:
    """Plan fires from changed facts and start the due ones; `at` (ISO time) for backfills."""
    rt = context.runtime()
    conn = context.connection()
    now = datetime.fromisoformat(at) if at else context.now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)

    def enqueue(patient_ids: list[int]) -> None:
        queues.enqueue_process_patients(conn, patient_ids)

    report = service.run_pass(rt.db, rt.settings, rt.flows, enqueue, now)
    if report.more:
        slot = int(now.timestamp())
        queues.queue(defaults.QUEUE_DEFAULT, conn).enqueue_in(
            timedelta(seconds=FOLLOW_UP_SECONDS), "workers.campaigns.run_pass", at,
            job_id=queues.job_id("campaign-pass-more", slot), result_ttl=300)
    summary = (f"enrolled {report.enrolled}, skipped {report.skipped}, "
               f"cancelled {report.cancelled}, waiting {report.waiting}, "
               f"batches {report.batches}{', more to do' if report.more else ''}")
    log.info("campaign pass: %s", summary)
    return summary
