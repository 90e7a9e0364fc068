"""Alembic environment: migrates the database named by the config's sqlalchemy.url.

`bot.store.migrate.upgrade()` builds the config in code, so no alembic.ini is needed at run time.
"""

from __future__ import annotations

from alembic import context

from bot.store import (
    enrolments,  # noqa: F401  (one row per patient per campaign run, the same Base)
    models,  # noqa: F401  (registers every table on Base.metadata)
    panel_models,  # noqa: F401  (panel and campaign tables, the same Base)
    readings,  # noqa: F401  (patients' readings, the same Base)
    users,  # noqa: F401  (staff users: their own module, the same Base)
)
from bot.store.db import make_engine
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
