"""Shared fixtures: a real Redis, a fresh database, the app over real HTTP, the Twilio stand-in
and real RQ workers in subprocesses.

- Redis: `TEST_REDIS_URL` when set (never flushed: we did not start it), else a private
  redis-server on a free port that this session starts, flushes between modules and stops.
- Database: a fresh SQLite file per test module; `any_database_url` also yields a fresh
  PostgreSQL database when one answers at TEST_DATABASE_URL (default 127.0.0.1:5432/test).
- `stack`: app served by a threaded WSGI server + FakeTwilio wired to it + the environment the
  worker subprocesses get. `stack.drain()` runs `rq worker --burst --with-scheduler` until no
  job, scheduled job or unprocessed inbox event is left.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis as redis_lib
import requests
from twilio.request_validator import RequestValidator

from bot.local_redis import LocalRedis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"


# --- Redis ------------------------------------------------------------------------------------

@dataclass
class RedisInfo:
    url: str
    owned: bool

    def client(self) -> redis_lib.Redis:
        return redis_lib.Redis.from_url(self.url)


@pytest.fixture(scope="session")
def redis_info() -> Iterator[RedisInfo]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield RedisInfo(url, owned=False)
        return
    server = LocalRedis().start()
    try:
        yield RedisInfo(server.url, owned=True)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def redis_url(redis_info: RedisInfo) -> Iterator[str]:
    """A Redis URL; emptied before each module only when this session started the server."""
    if redis_info.owned:
        redis_info.client().flushall()
    yield redis_info.url


# --- databases --------------------------------------------------------------------------------

def postgres_reachable(url: str = PG_ADMIN_URL) -> bool:
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            pass
    except OSError:
        return False
    try:
        import psycopg

        with psycopg.connect(_libpq(url), connect_timeout=2):
            return True
    except Exception:
        return False


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _postgres_database(admin_url: str) -> Iterator[str]:
    """Create a uniquely named database next to `admin_url`'s, yield its URL, drop it."""
    import psycopg

    name = f"outreach_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(_libpq(admin_url))
    url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
    try:
        yield url
    finally:
        from bot.store.db import reset_databases

        reset_databases()
        with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fresh_database(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from bot.store.migrate import upgrade

    if kind == "postgresql":
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable at TEST_DATABASE_URL")
        gen = _postgres_database(PG_ADMIN_URL)
        url = next(gen)
        upgrade(url)
        yield url
        gen.close()
        return
    path = tmp_path_factory.mktemp("db") / "outreach.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    yield url


def _default_backend() -> str:
    configured = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return "postgresql" if configured.startswith(("postgres", "postgresql")) else "sqlite"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this module (PostgreSQL when the env points at one)."""
    yield from _fresh_database(_default_backend(), tmp_path_factory)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def any_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like `database_url`, once per backend (PostgreSQL skipped when unreachable)."""
    yield from _fresh_database(request.param, tmp_path_factory)


# --- the Twilio stand-in ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def fake_twilio() -> Iterator[Any]:
    from bot.channels.fake_twilio import FakeTwilio

    fake = FakeTwilio()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


# --- the whole stack --------------------------------------------------------------------------

def daytime_timezone(now: datetime | None = None) -> str:
    """An IANA zone where it is about noon now, so quiet hours never defer a test's sends."""
    now = now or datetime.now(timezone.utc)
    offset = 12 - now.hour  # local = utc + offset
    offset = max(-12, min(14, offset))
    if offset == 0:
        return "Etc/GMT"
    # Etc/GMT zones use POSIX signs: Etc/GMT-5 is UTC+5.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@dataclass
class Stack:
    """The product running for a test module: web over HTTP, Redis, database, stand-in."""

    env: dict[str, str]
    app: Any
    base_url: str
    fake: Any
    redis_url: str
    database_url: str
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    last_worker_log: str = ""

    # -- talking to the app like Twilio does --------------------------------------------------
    def sign(self, path: str, params: dict[str, str]) -> str:
        validator = RequestValidator(self.env["TWILIO_AUTH_TOKEN"])
        return validator.compute_signature(self.env["PUBLIC_BASE_URL"] + path, params)

    def post_signed(self, path: str, params: dict[str, str]) -> requests.Response:
        headers = {"X-Twilio-Signature": self.sign(path, params)}
        return requests.post(self.base_url + path, data=params, headers=headers, timeout=30)

    def text_in(self, from_: str, body: str, sid: str | None = None) -> requests.Response:
        """A patient texts the program (a signed inbound webhook)."""
        params = {
            "MessageSid": sid or "SM" + uuid.uuid4().hex,
            "AccountSid": self.env["TWILIO_ACCOUNT_SID"],
            "From": from_,
            "To": self.env["TWILIO_FROM_NUMBER"],
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        return self.post_signed("/twilio/sms", params)

    # -- workers ------------------------------------------------------------------------------
    def worker_command(self, *extra: str) -> list[str]:
        return [str(VENV_BIN / "rq"), "worker", "--with-scheduler", "-u", self.redis_url,
                *extra, "inbound", "outbound", "default"]

    def start_worker(self, *extra: str) -> subprocess.Popen[bytes]:
        """A long-running `rq worker` subprocess (stopped by PID at module end)."""
        proc = subprocess.Popen(self.worker_command(*extra), env=self.env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.workers.append(proc)
        return proc

    def burst(self, timeout: float = 120) -> None:
        """One `rq worker --burst` run: every job queued now (and due scheduled ones)."""
        result = subprocess.run(self.worker_command("--burst"), env=self.env, cwd=ROOT,
                                capture_output=True, timeout=timeout)
        self.last_worker_log = result.stderr.decode(errors="replace")[-6000:]
        if result.returncode != 0:
            raise AssertionError(result.stderr.decode(errors="replace")[-4000:])

    def run_job(self, func: str, *args: Any, queue: str = "default") -> None:
        """Enqueue a job by dotted name (the workers run it)."""
        from rq import Queue

        Queue(queue, connection=redis_lib.Redis.from_url(self.redis_url)).enqueue(func, *args)

    def pending_work(self) -> int:
        """Queued + scheduled jobs, plus unprocessed inbox events and unsent due messages."""
        from rq import Queue
        from rq.registry import ScheduledJobRegistry, StartedJobRegistry
        from sqlalchemy import func, select

        from bot.store.db import get_database
        from bot.store.models import InboxEvent, Message

        conn = redis_lib.Redis.from_url(self.redis_url)
        count = 0
        for name in ("inbound", "outbound", "default"):
            count += Queue(name, connection=conn).count
            # Scheduled jobs due soon (a 24 h no-reply timeout or the next sweep is not "work").
            due = conn.zrangebyscore(ScheduledJobRegistry(name, connection=conn).key, 0,
                                     time.time() + 60)
            count += sum(1 for jid in due if not jid.startswith(b"outreach-sweep"))
            count += StartedJobRegistry(name, connection=conn).count
        with get_database(self.database_url).session() as s:
            count += s.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None))) or 0
            count += s.scalar(select(func.count()).where(
                Message.direction == "out", Message.status.in_(("pending", "sending")))) or 0
        return count

    def drain(self, timeout: float = 120) -> None:
        """Run burst workers until nothing is left to do (scheduled retries included)."""
        deadline = time.monotonic() + timeout
        while True:
            self.burst()
            self.fake.wait_idle(10)
            if self.pending_work() == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"work still pending after {timeout}s; last worker "
                                     f"log:\n{self.last_worker_log}")
            time.sleep(0.5)

    def stop_workers(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.workers.clear()


def make_stack(database_url: str, redis_url: str, fake: Any, tmp_dir: Path) -> Iterator[Stack]:
    from bot.app import create_app
    from bot.channels.fake_twilio import FAKE_PHONE_NUMBER

    env = dict(os.environ)
    for key in ("TWILIO_MESSAGING_SERVICE_SID", "TWILIO_EDGE", "TWILIO_REGION"):
        env.pop(key, None)
    env.update({
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": FAKE_PHONE_NUMBER,
        "TWILIO_API_BASE_URL": fake.base_url,
        "SECRET_KEY": "test-secret-key-" + uuid.uuid4().hex,
        "PROGRAM_NAME": "Riverside Clinic",
        "PROGRAM_CONTACT": "555-0100",
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
    })
    # The app must know its public URL before it is built: bind first, then attach the app.
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app = create_app({k: env[k] for k in env if k.isupper()})
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.configure(sms_url=env["PUBLIC_BASE_URL"] + "/twilio/sms")
    stack = Stack(env=env, app=app, base_url=env["PUBLIC_BASE_URL"], fake=fake,
                  redis_url=redis_url, database_url=database_url)
    try:
        yield stack
    finally:
        stack.stop_workers()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def stack(
    any_database_url: str, redis_url: str, fake_twilio: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    """The whole product for a module, once per database backend."""
    yield from make_stack(any_database_url, redis_url, fake_twilio, tmp_path_factory.mktemp("st"))


@pytest.fixture()
def app(database_url: str, redis_url: str) -> Any:
    """The Flask app on a fresh database (for tests using its test client)."""
    from bot.app import create_app

    return create_app({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "TWILIO_AUTH_TOKEN": "test-auth-token", "PUBLIC_BASE_URL": "http://localhost",
        "SECRET_KEY": "test-secret-key-0123456789", "PROGRAM_CONTACT": "555-0100",
        "TESTING": True,
    })


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture()
def runner(app: Any) -> Any:
    return app.test_cli_runner()
