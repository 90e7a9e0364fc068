"""On SQLite, health checks, metrics, the queue, the dashboard and API list reads do not wait
behind a writer.

Under WAL a reader sees the last committed state while a writer holds the write lock, but only
if the reader's own transaction is not a write transaction (BEGIN IMMEDIATE). The writer here
keeps its lock until the reads have answered or 20 s have passed: a read that waited for the lock
could not answer before then.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from triage_support import add_patient, add_task, add_user, login, token_for


def test_reads_answer_while_a_writer_holds_the_lock(app: Any, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock is SQLite's; PostgreSQL readers never wait for writers")
    from bot.app import create_app

    # The test client calls from 127.0.0.1: let it read /metrics and the /readyz details.
    keep = ("DATABASE_URL", "REDIS_URL", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "SECRET_KEY",
            "PROGRAM_CONTACT", "TESTING")
    app = create_app({**{k: app.config[k] for k in keep}, "METRICS_ALLOW_FROM": "127.0.0.1"})
    add_user(database_url, "reader@reads.test", "supervisor")
    add_task(database_url, add_patient(database_url))
    token = token_for(database_url, "reader@reads.test")
    client = app.test_client()
    login(client, "reader@reads.test")
    api = {"Authorization": f"Bearer {token}"}
    paths = ["/readyz", "/metrics", "/tasks", "/tasks/poll", "/dashboard", "/api/tasks"]
    answered: list[tuple[str, int]] = []

    def read_all() -> None:
        for path in paths:
            answered.append((path, client.get(path, headers=api if "/api/" in path else {})
                             .status_code))

    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE patients SET first_name = first_name")
    reader = threading.Thread(target=read_all, daemon=True)
    try:
        reader.start()
        reader.join(timeout=20)
        waited = reader.is_alive()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    reader.join(timeout=60)
    assert not waited, f"a read waited for the writer; answered before it: {answered}"
    assert answered == [(path, 200) for path in paths]
