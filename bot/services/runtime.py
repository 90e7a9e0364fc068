"""The runtime: what a process needs to do its work, built once per process.

The one wiring place: settings, the database, a Redis connection pool and the flow registry.
The web app keeps one in `app.extensions`; a worker process keeps one in `workers.context`;
services take it as their first argument instead of reaching for a global.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

import redis

from bot.flows.loader import FlowRegistry, default_flows_dir, load_dir
from bot.settings import Settings
from bot.store.db import Database, get_database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Settings, the database and Redis of one process, with its flows loaded on first use."""

    settings: Settings
    db: Database
    redis: redis.Redis
    _flows: FlowRegistry | None = field(default=None, repr=False)

    @property
    def flows(self) -> FlowRegistry:
        """The flow registry (loaded once per process from OUTREACH_FLOWS_DIR)."""
        if self._flows is None:
            result = load_dir(self.settings.OUTREACH_FLOWS_DIR or default_flows_dir())
            for issue in result.errors:
                log.error("flow problem: %s", issue)
            self._flows = result.registry
        return self._flows


def build_runtime(settings: Settings) -> Runtime:
    """Open the database and a Redis connection pool for `settings`."""
    conn = redis.Redis.from_url(settings.REDIS_URL) if settings.REDIS_URL else None
    return Runtime(settings=settings, db=get_database(settings.DATABASE_URL), redis=conn)  # type: ignore[arg-type]


def utcnow() -> datetime:
    """The current time, timezone-aware (services read the clock; the core never does)."""
    return datetime.now(timezone.utc)
