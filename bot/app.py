"""The Flask application factory (the Procfile's `web` process serves `create_app()`).

`create_app()` reads and validates the settings once (one clear line if one is wrong), opens the
database and Redis connection pool, and registers the blueprints. Each area adds its pages with a
module in `BLUEPRINT_MODULES` that exposes `bp` (a Blueprint) and optionally `init_app(app)`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from bot import redaction
from bot import settings as settings_mod
from bot.services.runtime import build_runtime

BLUEPRINT_MODULES = (
    "bot.web.webhooks",
    "bot.web.health",
    "bot.web.metrics",
    "bot.web.voice",
    "bot.web.voice_identity",
    "bot.web.auth",
    "bot.web.staff_sessions",
    "bot.web.triage",
    "bot.web.api",
    "bot.web.dashboard",
    "bot.web.events",
    "bot.web.campaigns",
    "bot.web.results",
    "bot.web.flows",
    "bot.web.access_audit",
    "bot.web.password_reset_pages",
    "bot.web.error_pages",
    "bot.web.translations",
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app. `test_config` overrides environment settings (tests)."""
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
        module = importlib.import_module(name)
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    redaction.install(app.logger)  # gunicorn's handlers exist by now: they get the filter too
    return app

