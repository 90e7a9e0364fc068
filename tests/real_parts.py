"""Which real parts this machine offers the suite, and the real reason when one is unusable.

The suite runs on a real redis-server, a real PostgreSQL beside SQLite and Debian's Chromium.
A part that is missing must say why in words a person can act on (the driver's own message:
"password authentication failed", 'database "test" does not exist', "No module named
'psycopg'"), never a blanket "not reachable", and a run that requires a part
(`OUTREACH_REQUIRE_POSTGRES=1`, set by `.ci/run`) must fail when it is unusable instead of
skipping half the suite with exit 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

#: Where the suite looks for PostgreSQL when TEST_DATABASE_URL names none.
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: Set to 1 (as `.ci/run` does) to make an unusable PostgreSQL fail the run.
REQUIRE_POSTGRES = "OUTREACH_REQUIRE_POSTGRES"
CHROMIUM = "/usr/bin/chromium"


@dataclass(frozen=True)
class Part:
    """One real part: usable or not, where it is, and why not."""

    name: str
    usable: bool
    where: str
    reason: str = ""

    def line(self) -> str:
        state = "ok" if self.usable else "UNUSABLE"
        tail = f": {self.reason}" if self.reason else ""
        return f"{self.name:<11}{state:<9}{self.where}{tail}"


def postgres_url() -> str:
    """The PostgreSQL the suite makes its databases beside (libpq form, no driver suffix).

    Only a PostgreSQL TEST_DATABASE_URL counts: a SQLite one leaves the default in place, so
    pointing the variable somewhere odd can never take the SQLite runs away.
    """
    configured = os.environ.get("TEST_DATABASE_URL", "")
    url = configured if configured.startswith("postgres") else DEFAULT_POSTGRES_URL
    return url.replace("postgresql+psycopg://", "postgresql://")


def shown(url: str) -> str:
    """`url` with any password replaced, for headers and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def postgres_required() -> bool:
    return os.environ.get(REQUIRE_POSTGRES, "").strip().lower() in ("1", "true", "yes", "on")


def probe_postgres(url: str | None = None) -> Part:
    """Connect as the suite will and check it may create databases; say exactly what failed."""
    url = url or postgres_url()
    where = shown(url)
    try:
        import psycopg
    except ImportError as exc:
        return Part("postgresql", False, where, f"the psycopg driver cannot be imported ({exc})")
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            row = conn.execute(
                "SELECT rolcreatedb OR rolsuper, current_setting('server_version') "
                "FROM pg_roles WHERE rolname = current_user").fetchone()
    except Exception as exc:  # the driver's message is the point: show it whole
        message = " ".join(str(exc).split()) or type(exc).__name__
        return Part("postgresql", False, where, f"{type(exc).__name__}: {message}")
    if row is None or not row[0]:
        return Part("postgresql", False, where,
                    "connected, but this role may not CREATE DATABASE (the suite makes one a "
                    "module)")
    return Part("postgresql", True, f"{where} (server {row[1]})")


def probe_redis() -> Part:
    """TEST_REDIS_URL when set (answering PING), else the redis-server binary the suite starts."""
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except Exception as exc:
            return Part("redis", False, shown(url), f"{type(exc).__name__}: {exc}")
        return Part("redis", True, f"{shown(url)} (TEST_REDIS_URL; never flushed)")
    from bot.devtools.local_redis import find_server_binary

    try:
        binary = find_server_binary()
    except RuntimeError as exc:
        return Part("redis", False, "redis-server", str(exc))
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                 timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return Part("redis", False, binary, f"cannot run it: {exc}")
    return Part("redis", True, f"{binary} ({version.split(' sha=')[0]}; a private server)")


def probe_chromium() -> Part:
    """Debian's Chromium and the Playwright driver the browser tests launch it with."""
    if not Path(CHROMIUM).exists():
        hint = " (the browser tests install it with apt-get when run as root)" \
            if shutil.which("apt-get") else ""
        return Part("chromium", False, CHROMIUM, f"missing{hint}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return Part("chromium", False, CHROMIUM, f"playwright cannot be imported ({exc})")
    return Part("chromium", True, f"{CHROMIUM} through Playwright")
