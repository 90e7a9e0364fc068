"""A forking RQ worker that loads everything a job needs once, in the parent.

RQ's `Worker` forks a work horse per job. Whatever the parent has not loaded, every horse loads
again: settings, the flows and their compiled machines, the translation catalogs, Babel's locale
data and the reply-understanding tables (about a second in all, measured). Loading them here,
before the first fork, lets each horse start warm through copy-on-write memory. Used by the
Procfile's `worker` line: `rq worker --with-scheduler --worker-class workers.preload.PreloadedWorker`.

It also outlives a Redis outage. RQ retries a failed dequeue, but a connection error anywhere
else in its loop (heartbeat, maintenance, its own sign-off) ends the process, and a worker that
has quit answers no patient until someone restarts it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from typing import Any
from uuid import uuid4

import redis
from rq import Worker

from bot import defaults, redaction
from bot.errors import SettingsError
from bot.services import sweeper
from bot.services.warmup import warm_tables
from workers import context

log = logging.getLogger(__name__)

#: Errors that mean "Redis is not there right now".
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


def warm() -> None:
    """Validate the settings, load everything a job needs, arm the sweeper."""
    rt = context.runtime()  # builds the runtime and calls warm_tables (not inside a job)
    warm_tables(rt, extra_modules=context.JOB_MODULES)
    rt.db.engine.dispose()  # horses open their own connections
    try:
        sweeper.ensure_sweeping(rt.redis, rt.settings.SWEEP_INTERVAL_SECONDS)
    except REDIS_DOWN as exc:
        # The clock sweeps as soon as Redis answers; RQ's own loop waits for Redis.
        log.warning("could not arm the sweeper (%s); the clock will sweep", type(exc).__name__)


class PreloadedWorker(Worker):
    """`rq.Worker` that calls `warm()` before it forks its first work horse."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            warm()
        except SettingsError as exc:
            print(f"outreach worker: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        log.info("worker preloaded flows, catalogs and reply tables")

    def work(self, *args: Any, **kwargs: Any) -> bool:
        """RQ's loop, started again under a new name once Redis answers after an outage.

        A burst run, a requested stop (SIGTERM, SIGINT) or a job or idle limit end as in RQ;
        any other end of RQ's loop is an error, and the worker starts again once Redis answers.
        """
        worked = False
        while True:
            try:
                worked = bool(super().work(*args, **kwargs)) or worked
            except REDIS_DOWN as exc:
                log.warning("worker lost redis (%s)", type(exc).__name__)
            if kwargs.get("burst") or self._stopping() or self._ended_on_purpose(kwargs):
                return worked
            # RQ's loop ends without a stop request only on an error, and a lost Redis is the
            # usual one: Redis may even be back by the time RQ has signed off.
            if not self._wait_for_redis():
                return worked
            with contextlib.suppress(*REDIS_DOWN):
                self.unsubscribe()  # the old listener thread belongs to the lost connection
            # The old name may still be registered (a Redis that kept its data): a new one
            # cannot clash with it, and RQ's maintenance cleans the old one up.
            self.name = uuid4().hex
            log.info("redis answers again; the worker starts again as %s", self.name)

    def _stopping(self) -> bool:
        """SIGTERM or SIGINT arrived (RQ marks an idle worker's stop by its date only)."""
        return self._stop_requested or self._shutdown_requested_date is not None

    @staticmethod
    def _ended_on_purpose(kwargs: dict[str, Any]) -> bool:
        """A job or idle limit the caller set ends the loop as RQ intends."""
        return kwargs.get("max_jobs") is not None or kwargs.get("max_idle_time") is not None

    def _redis_answers(self) -> bool:
        try:
            return bool(self.connection.ping())
        except REDIS_DOWN:
            return False

    def _wait_for_redis(self) -> bool:
        """Wait, backing off, until Redis answers (True) or a stop is requested (False)."""
        delay = defaults.CLOCK_RECONNECT_SECONDS
        while not self._stopping():
            try:
                time.sleep(delay)
            except KeyboardInterrupt:
                return False
            if self._redis_answers():
                return True
            delay = min(delay * 2, defaults.CLOCK_RECONNECT_MAX_SECONDS)
        return False

    def bootstrap(self, *args: Any, **kwargs: Any) -> None:
        """RQ sets up its log handlers here; every one of them gets the redacting filter."""
        super().bootstrap(*args, **kwargs)
        redaction.install()

    def handle_job_failure(self, job: Any, queue: Any, started_job_registry: Any = None,
                           exc_string: str = "") -> None:
        """Store the failure's traceback without phone numbers or SQL parameter values.

        RQ keeps this text in Redis (and so in its append-only file) for the job's failure TTL.
        """
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry,
                                   exc_string=redaction.redact(exc_string))
