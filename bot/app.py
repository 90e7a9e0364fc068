"""The Flask application factory and the per-process runtime it shares with the workers.

`create_app()` reads and validates the settings once (one clear line if one is wrong), opens the
database and Redis connection pool, and registers the blueprints. Other areas add their pages by
shipping a module in `BLUEPRINT_MODULES` that exposes `bp` (a Blueprint) and optionally
`init_app(app)`; a module that is not there yet is skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask, current_app

from bot import redaction
from bot import settings as settings_mod
from bot.settings import Settings
from bot.store.db import Database, get_database

log = logging.getLogger(__name__)

BLUEPRINT_MODULES = (
    "bot.web.webhooks",
    "bot.web.health",
    "bot.web.voice",
    "bot.web.auth",
    "bot.web.staff_sessions",
    "bot.web.triage",
    "bot.web.api",
    "bot.web.dashboard",
    "bot.web.access_audit",
)


@dataclass
class Runtime:
    """What a process needs to do its work: settings, the database and Redis."""

    settings: Settings
    db: Database
    redis: redis.Redis
    _flows: Any = field(default=None, repr=False)

    @property
    def flows(self) -> Any:
        """The flow registry (loaded once per process from OUTREACH_FLOWS_DIR)."""
        if self._flows is None:
            from bot.flows.loader import default_flows_dir, load_dir

            result = load_dir(self.settings.OUTREACH_FLOWS_DIR or default_flows_dir())
            for issue in result.errors:
                log.error("flow problem: %s", issue)
            self._flows = result.registry
        return self._flows


def build_runtime(settings: Settings) -> Runtime:
    """Open the database and a Redis connection pool for `settings`."""
    conn = redis.Redis.from_url(settings.REDIS_URL) if settings.REDIS_URL else None
    return Runtime(settings=settings, db=get_database(settings.DATABASE_URL), redis=conn)  # type: ignore[arg-type]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app. `test_config` overrides environment settings (tests)."""
    import os

    env: dict[str, str] = dict(os.environ)
    if test_config:
        env.update({k: str(v) for k, v in test_config.items() if v is not None})
    settings = settings_mod.load(env, require=settings_mod.WEB)

    app = Flask(__name__)
    app.config.update(settings.as_flask_config())
    app.config["SECRET_KEY"] = settings.SECRET_KEY
    if test_config:
        app.config.update(test_config)
    app.extensions["outreach"] = build_runtime(settings)

    for name in BLUEPRINT_MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    redaction.install(app.logger)  # gunicorn's handlers exist by now: they get the filter too
    return app


def runtime() -> Runtime:
    """The runtime of the current Flask app."""
    return current_app.extensions["outreach"]  # type: ignore[no-any-return]
