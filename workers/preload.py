"""A forking RQ worker that loads everything a job needs once, in the parent.

RQ's `Worker` forks a work horse per job. Whatever the parent has not loaded, every horse loads
again: settings, the flows and their compiled machines, the translation catalogs, Babel's locale
data and the reply-understanding tables (about a second in all, measured). Loading them here,
before the first fork, lets each horse start warm through copy-on-write memory. Used by the
Procfile's `worker` line: `rq worker --with-scheduler --worker-class workers.preload.PreloadedWorker`.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from rq import Worker

from bot.errors import SettingsError
from bot.services import sweeper
from bot.services.warmup import warm_tables
from workers import context

log = logging.getLogger(__name__)


def warm() -> None:
    """Validate the settings, load everything a job needs, arm the sweeper."""
    rt = context.runtime()  # builds the runtime and calls warm_tables (not inside a job)
    warm_tables(rt, extra_modules=context.JOB_MODULES)
    rt.db.engine.dispose()  # horses open their own connections
    sweeper.ensure_sweeping(rt.redis)


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
