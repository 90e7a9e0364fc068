"""Shared fixtures: a real Redis, a fresh database per backend, the app over real HTTP, the
Twilio stand-in and real RQ workers in subprocesses.

- The run's header names the real parts found (redis-server, PostgreSQL, Chromium) and, for one
  that is unusable, the real reason (tests/real_parts.py). OUTREACH_REQUIRE_POSTGRES=1 (set by
  `.ci/run`) turns an unusable PostgreSQL into a failed run instead of skipped halves.
- Redis: `TEST_REDIS_URL` when set (never flushed: we did not start it), else a private
  redis-server on a free port that this session starts, flushes between module halves and stops.
- Database: every database-backed module runs twice, on a fresh SQLite file and on a fresh
  PostgreSQL database (TEST_DATABASE_URL, default 127.0.0.1:5432/test); both are copies of a
  template migrated once per session. `database_url` and `any_database_url` are the same half.
- `stack`: app served by a threaded WSGI server + its own FakeTwilio + the environment the
  worker subprocesses get. `stack.drain()` runs `rq worker --burst --with-scheduler` until no
  job, scheduled job or unprocessed inbox event is left.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import labelled_sets
import pytest
import real_parts
import redis as redis_lib
from real_parts import Part
from stack_support import Stack, make_stack

from bot.devtools.local_redis import LocalRedis

# Hundreds of accounts are made and signed in here: scrypt at 2^14 instead of production's 2^17
# (bot.store.users) keeps that from dominating the run. Worker and web subprocesses inherit it.
os.environ.setdefault("OUTREACH_TEST_SCRYPT_N", "16384")

_POSTGRES = pytest.StashKey[Part]()


# --- what this machine offers ------------------------------------------------------------------

def _parts_lines(config: pytest.Config) -> list[str]:
    parts = [real_parts.probe_redis(), _postgres_part(config), real_parts.probe_chromium()]
    lines = ["real parts:"] + ["  " + part.line() for part in parts]
    if real_parts.postgres_required():
        lines.append(f"  ({real_parts.REQUIRE_POSTGRES}=1: an unusable PostgreSQL fails the run)")
    return lines


def pytest_report_header(config: pytest.Config) -> list[str]:
    return _parts_lines(config)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """`make test` runs with -q, which hides the header: print the real parts there too."""
    config = session.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and config.get_verbosity() < 0:
        for line in _parts_lines(config):
            reporter.write_line(line)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop at once, with the reason, when PostgreSQL is required, unusable and needed."""
    if not real_parts.postgres_required():
        return
    wanted = any(getattr(item, "callspec", None) is not None
                 and item.callspec.params.get("db_backend") == "postgresql" for item in items)
    part = _postgres_part(config)
    if wanted and not part.usable:
        pytest.exit(f"{real_parts.REQUIRE_POSTGRES}=1 and {_postgres_unusable(part)}",
                    returncode=pytest.ExitCode.TESTS_FAILED)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Every labelled set's development and held-out figures side by side (when they ran)."""
    if labelled_sets.FIGURES:
        terminalreporter.section(
            "labelled sets: development beside frozen held-out (k/n, rate, 95% Wilson interval)")
        for line in labelled_sets.summary_lines():
            terminalreporter.write_line(line)


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

#: Every database-backed module runs once per backend. PostgreSQL is never optional by accident:
#: when it is unusable its half is skipped with the driver's own reason, or the run fails when
#: OUTREACH_REQUIRE_POSTGRES=1 (`.ci/run`). The SQLite half never depends on PostgreSQL.
BACKENDS = ("sqlite", "postgresql")


def _postgres_part(config: pytest.Config) -> Part:
    if _POSTGRES not in config.stash:
        config.stash[_POSTGRES] = real_parts.probe_postgres()
    return config.stash[_POSTGRES]


def _postgres_unusable(part: Part) -> str:
    return (f"PostgreSQL at {part.where} is unusable: {part.reason} "
            f"(set TEST_DATABASE_URL to a server where this role may create databases)")


@pytest.fixture(scope="module", params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    """The backend this half of the module runs on."""
    if request.param == "postgresql":
        part = _postgres_part(request.config)
        if not part.usable:
            if real_parts.postgres_required():
                pytest.fail(f"{real_parts.REQUIRE_POSTGRES}=1 and {_postgres_unusable(part)}",
                            pytrace=False)
            pytest.skip(_postgres_unusable(part))
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each module half starts from a copy of it."""
    from bot.store.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "outreach.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once per session: module halves are made as copies of it
    (CREATE DATABASE ... TEMPLATE), which takes a fraction of a second instead of a migration."""
    import psycopg

    from bot.store.migrate import upgrade

    admin = real_parts.postgres_url()
    name = f"outreach_template_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(_sibling(admin, name))
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sibling(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


@pytest.fixture(scope="module")
def database_url(
    db_backend: str, redis_info: RedisInfo, request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A fresh, migrated database for this module half (SQLite, then PostgreSQL).

    The Redis this session owns is emptied too, so nothing one half queued or counted (a
    scheduled job, a sign-in limit) reaches the other half.
    """
    from bot.store.db import reset_databases

    if redis_info.owned:
        redis_info.client().flushall()
    if db_backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("db") / "outreach.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        reset_databases()
        return
    import psycopg

    source = request.getfixturevalue("postgres_template")
    admin = real_parts.postgres_url()
    name = f"outreach_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield _sibling(admin, name)
    finally:
        reset_databases()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def any_database_url(database_url: str) -> str:
    """The module half's database (the same one `database_url` gives: one per backend)."""
    return database_url


# --- the Twilio stand-in ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def fake_twilio(db_backend: str) -> Iterator[Any]:
    """A stand-in per module half: nothing one backend's run configured or recorded (a latency,
    a landline, a sent message) is seen by the other's."""
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
