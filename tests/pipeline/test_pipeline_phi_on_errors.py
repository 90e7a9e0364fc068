"""No phone number or message body in any log line or Redis key when things go wrong.

The happy path is covered elsewhere; errors are where PHI leaks: a database error prints the
statement's parameters, a failing job's traceback is kept by RQ in Redis for days. Each case here
forces a real failure (a database that refuses the row, Twilio answering 500 to every send) through
the real webhook and real `rq worker` processes, then searches every captured log line and every
value in the Redis keyspace for the patient's number and words.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis as redis_lib
from pipeline_helpers import enrol_in_refill
from sqlalchemy import text

from bot import redaction
from bot.store.db import get_database

SECRET_BODY = "my diagnosis is private and my pills are for hiv"


@contextmanager
def refuse_messages(database_url: str, direction: str) -> Iterator[None]:
    """The database refuses every new message row of `direction` (a real constraint error)."""
    db = get_database(database_url)
    sqlite = database_url.startswith("sqlite")
    with db.session() as s:
        if sqlite:
            s.execute(text("CREATE TRIGGER phi_refuse BEFORE INSERT ON messages "
                           f"WHEN NEW.direction = '{direction}' BEGIN SELECT RAISE(ABORT, 'refused'); END"))
        else:
            s.execute(text("ALTER TABLE messages ADD CONSTRAINT phi_refuse "
                           f"CHECK (direction <> '{direction}') NOT VALID"))
    try:
        yield
    finally:
        with db.session() as s:
            s.execute(text("DROP TRIGGER phi_refuse" if sqlite
                           else "ALTER TABLE messages DROP CONSTRAINT phi_refuse"))


def redis_text(url: str) -> str:
    """Every string, hash, list, set and sorted-set value in the Redis keyspace, as text."""
    conn = redis_lib.Redis.from_url(url)
    parts: list[bytes] = []
    for key in conn.scan_iter(count=500):
        kind = conn.type(key)
        if kind == b"string":
            parts.append(conn.get(key) or b"")
        elif kind == b"hash":
            parts.extend(v for pair in conn.hgetall(key).items() for v in pair)
        elif kind == b"list":
            parts.extend(conn.lrange(key, 0, -1))
        elif kind == b"set":
            parts.extend(conn.smembers(key))
        elif kind == b"zset":
            parts.extend(conn.zrange(key, 0, -1))
    return b"\n".join(parts).decode("utf-8", errors="replace")


def leaks(haystack: str, phone: str) -> list[str]:
    national = phone[-10:]
    found = [what for what, needle in (("phone", phone), ("national number", national),
                                       ("body", SECRET_BODY), ("body fragment", "diagnosis"))
             if needle in haystack]
    return found


def test_a_database_error_in_the_webhook_logs_no_phone_or_body(stack, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    pid, phone = enrol_in_refill(stack, first_name="Rosa")
    with refuse_messages(stack.database_url, "in"):
        response = stack.text_in(phone, SECRET_BODY)
    assert response.status_code == 500  # Twilio retries; nothing was stored
    logged = caplog.text  # formatted records, tracebacks included
    assert "refused" in logged or "phi_refuse" in logged or "CheckViolation" in logged, \
        "the forced error should have been logged"
    assert leaks(logged, phone) == []


def test_a_failing_job_leaves_no_phi_in_worker_logs_or_redis(stack, caplog) -> None:
    # The reply is stored, then the worker's write of the answer is refused: the job fails,
    # RQ logs the traceback and keeps it in Redis with the job.
    caplog.set_level(logging.DEBUG)
    pid, phone = enrol_in_refill(stack, first_name="Marisol")
    stack.worker_output.clear()
    with refuse_messages(stack.database_url, "out"):
        assert stack.text_in(phone, SECRET_BODY).status_code == 200
        stack.burst()
    worker_logs = "\n".join(stack.worker_output)
    assert "phi_refuse" in worker_logs or "refused" in worker_logs, worker_logs[-2000:]
    assert leaks(worker_logs, phone) == []
    assert leaks(caplog.text, phone) == []
    assert leaks(redis_text(stack.redis_url), phone) == []


@pytest.mark.parametrize(("raw", "kept"), [
    ("sending to +16175550105 failed", "sending to [phone] failed"),
    ("call (617) 555-0105 back", "call [phone] back"),
    ("[SQL: INSERT INTO messages VALUES (?, ?)]\n[parameters: ('+16175550105', 'my pills')]\n"
     "(Background on this error at: https://sqlalche.me/e/20/gkpj)",
     "[SQL: INSERT INTO messages VALUES (?, ?)]\n[parameters: [redacted]]\n"
     "(Background on this error at: https://sqlalche.me/e/20/gkpj)"),
    ('new row violates check constraint "x"\nDETAIL:  Failing row contains (2, my pills).\n[SQL',
     'new row violates check constraint "x"\nDETAIL:  [redacted]\n[SQL'),
    ("patient 42: 3 event(s) processed", "patient 42: 3 event(s) processed"),
    ("2026-11-29 13:12:05 job 0123456789", "2026-11-29 13:12:05 job 0123456789"),
])
def test_redact(raw: str, kept: str) -> None:
    assert redaction.redact(raw) == kept


def test_the_filter_redacts_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "to %s", ("+16175550105",), None)
    try:
        raise ValueError("number +16175550105 refused")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert redaction.RedactingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "6175550105" not in formatted and formatted.count("[phone]") >= 2
