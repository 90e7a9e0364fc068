"""Per-process set-up for jobs (Flask's Celery pattern: build once, reuse for every job).

The first use in a process reads and validates the settings and opens the database; later
jobs reuse them. Built outside a job (a worker's parent, `python -m workers`, a script), it
also loads every flow, catalog and reply table up front (`bot.services.warmup`). A forked
work horse inherits the parent's runtime when the worker preloaded it (`python -m workers`),
and drops inherited database connections first.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone

from redis import Redis
from rq import get_current_job

from bot import settings as settings_mod
from bot.services.runtime import Runtime, build_runtime
from bot.services.warmup import warm_tables

#: The job module the worker imports per horse unless the parent did (named, not imported,
#: here: it imports this module).
JOB_MODULES = ("workers.jobs",)

_runtime: Runtime | None = None
_pid: int | None = None


def runtime() -> Runtime:
    """The runtime of this process (settings validated for a worker on first use)."""
    global _runtime, _pid
    if _runtime is None:
        _runtime = build_runtime(settings_mod.load(require=settings_mod.WORKER))
        _pid = os.getpid()
        if get_current_job() is None:
            # The worker's parent (or a script) before any fork: load every table a job
            # touches now, so forked horses inherit them. Inside a job (a horse of a plain
            # `rq worker`), tables load lazily, only the ones this job needs.
            warm_tables(_runtime, extra_modules=JOB_MODULES)
    elif _pid != os.getpid():
        _runtime.db.engine.dispose(close=False)  # never share a pooled connection with a parent
        _pid = os.getpid()
    return _runtime


def job_runtime() -> Runtime:
    """The runtime, talking to Redis over the running job's own connection."""
    rt = runtime()
    job = get_current_job()
    if job is None or job.connection is rt.redis:
        return rt
    return replace(rt, redis=job.connection)


def connection() -> Redis:
    """The running job's own Redis connection (falls back to the runtime's)."""
    job = get_current_job()
    if job is not None:
        return job.connection
    return runtime().redis


def now() -> datetime:
    return datetime.now(timezone.utc)
