"""Database engine and sessions: SQLite (WAL, busy timeout) by default, PostgreSQL by URL.

Web and several worker processes share one SQLite file in the demo, so every connection turns
on WAL and a busy timeout, and every transaction that may write starts with BEGIN IMMEDIATE: a
deferred transaction that later wants to write fails at once with "database is locked" instead
of waiting, which is the classic SQLite concurrency trap. Transactions that only read
(`Database.read()`: health checks, metrics, staff pages and API reads) start deferred instead,
so under WAL they never wait behind a writer. PostgreSQL needs none of this.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

#: How long a SQLite connection waits for another writer before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Execution option marking a connection whose transactions only read (see `Database.read`).
READ_ONLY_OPTION = "outreach_read_only"


def normalize_url(url: str) -> str:
    """Pick the psycopg 3 driver for plain postgresql:// URLs (Heroku-style postgres:// too)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An Engine for `url`; creates the SQLite file's directory when needed.

    `hide_parameters`: a failed statement's error text must not carry the values it was given
    (phone numbers, names, message bodies); they would end up in logs and in RQ's failure records.
    """
    url = normalize_url(url)
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _sqlite_setup(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # psycopg prepares a statement on its fifth run, and PostgreSQL may then switch it to a
    # generic plan made without the parameters' values. For the staff pages' filters (a
    # campaign, a team's open work) that plan can walk every patient by name instead of
    # starting from the few rows the values pick: 4x slower, measured. Plans are cheap next to
    # that, so every statement is planned for its own values.
    kwargs.setdefault("connect_args", {}).setdefault(
        "options", "-c plan_cache_mode=force_custom_plan")
    return create_engine(url, **kwargs)


class Database:
    """An engine plus its session factory; one per process and URL."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.read_engine = self.engine.execution_options(**{READ_ONLY_OPTION: True})
        self.read_sessionmaker = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: on SQLite it does not take the write lock.

        Writing in it is a mistake the database may not catch at once; use `session()`.
        """
        with self.read_sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_databases: dict[str, Database] = {}
_lock = threading.Lock()


def get_database(url: str) -> Database:
    """The process-wide `Database` for `url` (created once, shared by threads)."""
    url = normalize_url(url)
    with _lock:
        db = _databases.get(url)
        if db is None:
            db = _databases[url] = Database(url)
        return db


def reset_databases() -> None:
    """Drop cached engines (after fork, or between test modules)."""
    with _lock:
        for db in _databases.values():
            db.engine.dispose(close=False)
        _databases.clear()
