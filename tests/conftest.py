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
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis as redis_lib
from stack_support import Stack, make_stack

from bot.devtools.local_redis import LocalRedis

PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
# Hundreds of accounts are made and signed in here: scrypt at 2^14 instead of production's 2^17
# (bot.store.users) keeps that from dominating the run. Worker and web subprocesses inherit it.
os.environ.setdefault("OUTREACH_TEST_SCRYPT_N", "16384")


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
    from bot.devtools.fake_twilio import FakeTwilio

    fake = FakeTwilio()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


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
