"""The sweeper: finds work whose job was lost and queues it again.

Jobs are enqueued after the database commit, so a crash in between leaves a committed row with
no job. Every row here is safe to re-queue: sends are claimed, events are deduplicated and
marked processed, timeouts carry their wait token.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import and_, or_, select

from bot import defaults
from bot.services import queues
from bot.services.runtime import Runtime, utcnow
from bot.store.models import OUTBOUND, InboxEvent, Message, TimeoutIntent

log = logging.getLogger(__name__)

#: Work younger than this still has its own job in flight (s).
GRACE_SECONDS = 30


#: Set while a sweep is scheduled, so each finished job need not schedule another.
SWEEP_ARMED_KEY = "outreach:sweep-armed"


def sweep(rt: Runtime) -> str:
    """Re-arm lost work, then schedule the next sweep (one scheduled sweep at a time).

    Two timers queue this job. The clock (`workers.clock`, Procfile `clock`) queues it every
    SWEEP_INTERVAL_SECONDS straight onto the default queue and outlives a Redis restart, so
    recovery never waits for new traffic. The chain scheduled here keeps a deployment without
    a clock sweeping while Redis stays up. Sweeping twice is harmless: every re-queue is safe.
    """
    found = sweep_once(rt, rt.redis, utcnow())
    schedule_sweep(rt.redis, rt.settings.SWEEP_INTERVAL_SECONDS)
    return f"re-armed {found}"


def ensure_sweeping(conn: Redis, interval: int = defaults.SWEEP_INTERVAL_SECONDS) -> None:
    """Arm the sweeper unless a sweep is already scheduled (cheap: one EXISTS)."""
    if not conn.exists(SWEEP_ARMED_KEY):
        schedule_sweep(conn, interval)


def schedule_sweep(conn: Redis, interval: int = defaults.SWEEP_INTERVAL_SECONDS) -> None:
    """Schedule the next sweep; its id names the time slot, so repeats collapse into one."""
    conn.set(SWEEP_ARMED_KEY, "1", ex=interval * 3)
    at = utcnow() + timedelta(seconds=interval)
    slot = int(at.timestamp()) // interval
    queues.queue(defaults.QUEUE_DEFAULT, conn).enqueue_at(
        at, queues.SWEEP_JOB, job_id=f"outreach-sweep-{slot}", result_ttl=60)


def sweep_once(rt: Runtime, conn: Redis, now: datetime) -> int:
    """Re-queue lost sends, inbox events and timeouts; returns how many were re-armed."""
    grace = now - timedelta(seconds=GRACE_SECONDS)
    stale_claim = now - timedelta(seconds=defaults.SEND_CLAIM_STALE_SECONDS)
    stale_event = now - timedelta(seconds=rt.settings.SWEEP_STALE_EVENTS_SECONDS)
    with rt.db.session() as s:
        sends = list(s.scalars(select(Message.id).where(
            Message.direction == OUTBOUND,
            or_(
                and_(Message.status == "pending", Message.updated_at < grace),
                and_(Message.status == "deferred", Message.send_after < grace),
                and_(Message.status == "sending", Message.claimed_at < stale_claim),
            ),
        ).limit(1000)))
        patients = list(s.scalars(select(InboxEvent.patient_id).where(
            InboxEvent.processed_at.is_(None), InboxEvent.created_at < stale_event,
        ).distinct().limit(1000)))
        timeouts = list(s.execute(select(TimeoutIntent.conversation_id, TimeoutIntent.wait_token)
                                  .where(TimeoutIntent.status == "scheduled",
                                         TimeoutIntent.fire_at < grace).limit(1000)))
    for message_id in sends:
        queues.enqueue_send(conn, message_id)
    for patient_id in patients:
        queues.enqueue_process_patient(conn, patient_id)
    q = queues.queue(defaults.QUEUE_DEFAULT, conn)
    for conversation_id, token in timeouts:
        q.enqueue(queues.TIMEOUT_JOB, conversation_id, token,
                  job_id=queues.timeout_job_id(conversation_id, token) + "-swept")
    total = len(sends) + len(patients) + len(timeouts)
    if total:
        log.info("sweeper re-armed %d send(s), %d inbox(es), %d timeout(s)",
                 len(sends), len(patients), len(timeouts))
    return total
