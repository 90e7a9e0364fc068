"""Staff sessions that end: an idle timeout, an absolute lifetime, and addresses we can trust.

A care-team page shows patients' health details, and shared workstations are common on a ward:
a session left open must close itself. Three rules, checked on every request of a signed-in user:

- idle: no request for `STAFF_IDLE_MINUTES` (default 15) signs the user out;
- absolute: `STAFF_SESSION_HOURS` (default 12, a shift) after sign-in, the user signs in again,
  however active they were;
- the client address is the one the proxies we run in front of the app saw (`PROXY_HOPS`
  trusted hops through werkzeug's `ProxyFix`, none by default), never a forwarded header the
  client wrote itself. Flask-Login's "strong" session protection binds a session to that address
  and the browser's user agent.

Sign-out and deactivation ending every session of an account is the session version's job
(`auth._load_user`).
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from typing import Any

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_logged_in
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.web.auth import login_manager

#: Session keys: when the user signed in, and when we last saw a request (epoch seconds).
SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
#: Paths that never carry a staff session.
UNSESSIONED_PATHS = ("/twilio/", "/api/", "/static/", "/healthz", "/readyz", "/metrics")


def _session_identifier() -> str:
    """Address and user agent of the request, the address as ProxyFix resolved it."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


def mark_signed_in(*_sender: Any, **_extra: Any) -> None:
    """Start the clocks (Flask-Login's `user_logged_in` signal calls this)."""
    now = int(time.time())
    # Not `session.permanent`: the cookie ends with the browser (a shared ward computer), and
    # Flask-Login relaxes "strong" protection to "basic" for permanent sessions.
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def _expired(now: float, idle: timedelta, lifetime: timedelta) -> str | None:
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return "Please sign in again."
    if now - signed_in > lifetime.total_seconds():
        return "Your session reached its time limit. Please sign in again."
    if now - seen > idle.total_seconds():
        return "You were signed out after a period without activity."
    return None


def init_app(app: Flask) -> None:
    """Timeouts, the session cookie's lifetime and the proxy hop count, from the settings."""
    idle = timedelta(minutes=int(app.config.get("STAFF_IDLE_MINUTES") or 15))
    lifetime = timedelta(hours=int(app.config.get("STAFF_SESSION_HOURS") or 12))
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime  # bounds any permanent session too
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    # Flask-Login reads X-Forwarded-For itself when it builds the identifier; ours does not.
    login_manager._session_identifier_generator = _session_identifier
    user_logged_in.connect(mark_signed_in, app)

    @app.before_request
    def _end_stale_sessions() -> Any:
        # Webhooks are signed, the API uses bearer tokens: neither has a staff session.
        if request.path.startswith(UNSESSIONED_PATHS) or request.endpoint == "auth.login":
            return None
        if not current_user.is_authenticated:
            return None
        why = _expired(time.time(), idle, lifetime)
        if why is not None:
            logout_user()
            session.clear()
            flash(why, "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        session[SEEN_AT] = int(time.time())
        return None
