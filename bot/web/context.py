"""The runtime of the app serving the current request (built by `bot.app.create_app`)."""

from __future__ import annotations

from flask import current_app

from bot.services.runtime import Runtime


def runtime() -> Runtime:
    """The runtime of the current Flask app."""
    return current_app.extensions["outreach"]  # type: ignore[no-any-return]
