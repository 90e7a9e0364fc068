"""Sign-in throttling: per account and per client address, counted in Redis.

Without it, a password can be guessed as fast as the server hashes (and every attempt costs a
scrypt hash of CPU time). Only failed attempts count, so a nurse who types her password right is
never slowed by a colleague's typos on the same ward address. Several windows approximate a
backoff: a few tries, then a pause of minutes, then a day's ceiling. Counts live in Redis so
every web process shares them. When Redis is unreachable sign-in still works (the failure is
logged): locking every nurse out of the triage queue is the worse outcome.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

#: Failed sign-ins allowed for one account (any address) before attempts are refused.
ACCOUNT_LIMITS = "5 per 15 minutes; 20 per day"
#: Failed sign-ins allowed from one client address (any account).
ADDRESS_LIMITS = "30 per 15 minutes; 300 per day"

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


def account_key() -> str:
    """The account the form names, hashed (the key is visible in Redis)."""
    email = (request.form.get("email") or "").strip().lower()
    return "signin-account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()


def failed_sign_in(response: Response) -> bool:
    """Only a wrong email or password counts against the limits."""
    return response.status_code == 401


def init_app(app: Flask) -> None:
    """Bind the limiter to the app's Redis (memory when none, as in unit tests)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "outreach-limits")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
