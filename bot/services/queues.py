"""Queue wiring: which job goes on which queue, with which id, retries and timing.

Web handlers and jobs call these helpers rather than `Queue.enqueue` directly so job ids stay
valid for RQ (letters, digits, `_`, `-` only: never a phone number) and deterministic where a
second enqueue of the same work must not run it twice (timeouts, scheduled sends).
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from redis import Redis
from rq import Queue, Retry
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from bot import defaults

#: The RQ entry points, by the dotted path RQ imports them from (the worker shell). Jobs
#: already scheduled name these paths, so a function moved out of `workers.jobs` must leave
#: an alias behind.
PROCESS_JOB = "workers.jobs.process_patient"
SEND_JOB = "workers.jobs.send_message"
TIMEOUT_JOB = "workers.jobs.fire_timeout"
SWEEP_JOB = "workers.jobs.sweep"
CALL_JOB = "workers.jobs.place_call"

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_SCHEDULED_DEFAULT = ScheduledJobRegistry.key_template.format(defaults.QUEUE_DEFAULT)

#: Retry policies, built once (RQ copies them into each job it enqueues).
PROCESS_RETRY = Retry(max=3, interval=[1, 5, 30])
TIMEOUT_RETRY = Retry(max=3, interval=[5, 30, 120])
SEND_RETRY = Retry(max=defaults.SEND_MAX_RETRIES, interval=list(defaults.SEND_BACKOFF_SECONDS))



def job_id(*parts: object) -> str:
    """A job id made of `parts`, with anything RQ refuses replaced by `_`."""
    return "-".join(_UNSAFE.sub("_", str(p)) for p in parts)


def queue(name: str, connection: Redis) -> Queue:
    return Queue(name, connection=connection)


def enqueue_process_patient(connection: Redis, patient_id: int, *, delay: float = 0) -> Job:
    """Ask a worker to drain this patient's inbox (any number of these is harmless)."""
    q = queue(defaults.QUEUE_INBOUND, connection)
    kwargs = {
        "job_timeout": defaults.PROCESS_JOB_TIMEOUT_SECONDS,
        "retry": PROCESS_RETRY,
        "result_ttl": 60,
        "failure_ttl": 7 * 86400,
    }
    if delay > 0:
        # Many jobs that found the patient busy (50 texts in a second) collapse into one retry
        # per second: the id names the patient and the second it is due.
        due = int(time.time() + delay)
        return q.enqueue_in(timedelta(seconds=delay), PROCESS_JOB, patient_id,
                            job_id=job_id("process", patient_id, "at", due), **kwargs)
    return q.enqueue(PROCESS_JOB, patient_id, **kwargs)


def enqueue_process_patients(connection: Redis, patient_ids: list[int]) -> list[Job]:
    """Many `process_patient` jobs in one Redis pipeline (campaign start)."""
    q = queue(defaults.QUEUE_INBOUND, connection)
    data = [
        Queue.prepare_data(PROCESS_JOB, (pid,), timeout=defaults.PROCESS_JOB_TIMEOUT_SECONDS,
                           retry=PROCESS_RETRY, result_ttl=60)
        for pid in patient_ids
    ]
    out: list[Job] = []
    for start in range(0, len(data), 500):
        out.extend(q.enqueue_many(data[start:start + 500]))
    return out


def enqueue_send(connection: Redis, message_id: int, *, at: datetime | None = None) -> Job:
    """Queue the send of message `message_id` now, or at `at` (a deferred routine message).

    A deferred send uses a fixed id, so re-arming it (the sweeper) replaces, not duplicates.
    """
    q = queue(defaults.QUEUE_OUTBOUND, connection)
    kwargs = {"job_timeout": defaults.SEND_JOB_TIMEOUT_SECONDS, "retry": SEND_RETRY, "result_ttl": 300,
              "failure_ttl": 30 * 86400}
    if at is not None and at > datetime.now(at.tzinfo):
        return q.enqueue_at(at, SEND_JOB, message_id,
                            job_id=job_id("send", message_id, int(at.timestamp())), **kwargs)
    return q.enqueue(SEND_JOB, message_id, **kwargs)


def timeout_job_id(conversation_id: int, wait_token: str) -> str:
    return job_id("timeout", conversation_id, wait_token)


def enqueue_timeout(connection: Redis, conversation_id: int, wait_token: str, at: datetime) -> Job:
    """Schedule `fire_timeout` for a wait; the id is derived from conversation + token."""
    q = queue(defaults.QUEUE_DEFAULT, connection)
    return q.enqueue_at(at, TIMEOUT_JOB, conversation_id, wait_token,
                        job_id=timeout_job_id(conversation_id, wait_token), result_ttl=3600,
                        retry=TIMEOUT_RETRY)


def cancel_timeout(connection: Redis, conversation_id: int, wait_token: str) -> None:
    """Drop a scheduled timeout job (a no-op if it already ran or never existed).

    One pipelined round trip: ZREM from the scheduled registry and DEL of the job hash. Safe
    because a stale timeout is already harmless (`fire_timeout` acts only on a wait token the
    conversation still holds); this only spares Redis and the worker the dead job. A job that
    was already moved to its queue leaves an id without a hash there, which RQ skips.
    """
    jid = timeout_job_id(conversation_id, wait_token)
    pipe = connection.pipeline(transaction=False)
    pipe.zrem(_SCHEDULED_DEFAULT, jid)
    pipe.delete(Job.key_for(jid))
    pipe.execute()
