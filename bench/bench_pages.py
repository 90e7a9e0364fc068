"""Staff pages at scale: p95 of each page through the real app on a PostgreSQL database holding
a realistic history (100k patients, 100k tasks, 1M messages, their audit trail).

`/results` reads one enrolment per conversation (100k, a year of them).
The history is seeded inside PostgreSQL with `INSERT ... SELECT generate_series` (seeding time is
not the measure), into a throwaway database created next to TEST_DATABASE_URL's and dropped
afterwards. Each page is then asked N times through the Flask test client, signed in as a
supervisor (who sees every team, the widest queries) and as a nurse (one team), and the p95 of
the wall time per request is reported against the 200 ms target.

`python -m bench.bench_pages [tasks]` prints one JSON line (the harness runs it in its own
interpreter); `--explain` prints the plans of the pages' queries instead.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

#: The target for every page, at p95.
TARGET_MS = 200.0
ADMIN_URL = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery staple"
MESSAGES_PER_TASK = 10


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A new database next to ADMIN_URL's, dropped on the way out."""
    import psycopg

    name = f"outreach_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(ADMIN_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(_libpq(ADMIN_URL))
    url = urlunsplit(("postgresql+psycopg", parts.netloc, "/" + name, parts.query, ""))
    try:
        yield url
    finally:
        from bot.store.db import reset_databases

        reset_databases()
        with psycopg.connect(_libpq(ADMIN_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SEED = """
INSERT INTO patients (id, external_ref, phone, first_name, last_name, preferred_language,
    locale, timezone, consent_status, attributes, created_at)
SELECT i, 'MRN' || i, '+1202' || lpad(i::text, 7, '0'),
    (ARRAY['Ana','Ben','Chloe','Dmitri','Eun','Fatima','Goran','Hana','Ivan','Jia'])[1 + i % 10]
        || i % 97,
    (ARRAY['Garcia','Smith','Nguyen','Kim','Okafor','Haddad','Petrov','Silva','Chen','Lopez'])
        [1 + (i / 10) % 10] || (i / 100) % 991,
    NULL, (ARRAY['en','es','vi','ko','ar','zh','ru'])[1 + i % 7], 'America/New_York',
    CASE WHEN i % 50 = 0 THEN 'revoked' ELSE 'granted' END, '{}'::json,
    now() - interval '400 days' + (i % 365) * interval '1 day'
FROM generate_series(1, %(patients)s) AS i;

INSERT INTO conversations (id, patient_id, flow, version, state, context, locale, timezone,
    channel, status, attempts, outcome, campaign, started_at, updated_at, ended_at)
SELECT i, i, (ARRAY['refill_reminder','appointment_confirm','post_discharge'])[1 + i % 3], 1,
    'done', '{"adherence": "yes"}'::json, 'en', 'America/New_York', 'sms',
    CASE WHEN i % 10 = 0 THEN 'active' ELSE 'completed' END, 0, NULL,
    'panel-' || (i % 12), now() - (i % 365) * interval '1 day',
    now() - (i % 365) * interval '1 day', NULL
FROM generate_series(1, %(patients)s) AS i;

INSERT INTO messages (id, patient_id, conversation_id, direction, channel, address, body, kind,
    locale, twilio_sid, status, status_rank, segments, send_attempts, created_at, updated_at)
SELECT m, p, p, CASE WHEN m % 2 = 0 THEN 'in' ELSE 'out' END, 'sms',
    '+1202' || lpad(p::text, 7, '0'),
    CASE WHEN m % 2 = 0 THEN 'yes I picked it up, thanks' ELSE
        'Hi, this is Bench Clinic: your refill is ready. Reply YES when collected.' END,
    'routine', 'en', 'SM' || md5(m::text),
    CASE WHEN m % 2 = 0 THEN 'received' WHEN m % 97 = 1 THEN 'undelivered' ELSE 'delivered' END,
    5, 1, 1, t, t
FROM (SELECT m, 1 + (m - 1) % %(patients)s AS p,
        now() - ((1 + (m - 1) % %(patients)s) % 365) * interval '1 day'
            - ((m - 1) / %(patients)s) * interval '1 hour' AS t
      FROM generate_series(1, %(messages)s) AS m) AS s;

INSERT INTO tasks (id, patient_id, conversation_id, message_id, team, priority, reason,
    category, understood, status, assignee, notes, sla_due_at, created_at, claimed_at,
    first_contact_at, resolved_at, resolution, version)
SELECT i, i, i, i * 2,
    (ARRAY['pharmacy','scheduling','nursing','social_work','outreach','behavioral_health'])
        [1 + i % 6],
    CASE WHEN i % 50 = 0 THEN 'urgent' WHEN i % 10 = 0 THEN 'high'
         WHEN i % 7 = 0 THEN 'low' ELSE 'routine' END,
    'Patient asked for a call back', NULL, 'not understood',
    CASE WHEN i % 20 = 0 THEN 'open' WHEN i % 20 = 1 THEN 'claimed' ELSE 'resolved' END,
    CASE WHEN i % 20 = 0 THEN NULL ELSE 'staff' || (i % 40) || '@clinic.test' END, '',
    c + interval '4 hours', c,
    CASE WHEN i % 20 = 0 THEN NULL ELSE c + interval '1 hour' END,
    CASE WHEN i % 20 = 0 THEN NULL ELSE c + interval '2 hours' END,
    CASE WHEN i % 20 > 1 THEN c + interval '3 hours' END,
    CASE WHEN i % 20 > 1 THEN 'reached_patient' END, 3
FROM (SELECT i, now() - (i % 365) * interval '1 day' - (i % 23) * interval '1 hour' AS c
      FROM generate_series(1, %(tasks)s) AS i) AS s;

INSERT INTO enrolments (id, conversation_id, patient_id, campaign, flow, flow_version, locale,
    channel, stage, variant, outcome, outcome_class, tasks, urgent_tasks, opted_out,
    messages_sent, segments_sent, messages_delivered, replies, enrolled_at, reached_at,
    first_reply_at, ended_at)
SELECT c.id, c.id, c.patient_id, c.campaign, c.flow, 1, c.locale, 'sms', 'ended',
    CASE WHEN c.id % 2 = 0 THEN 'a' ELSE 'b' END,
    CASE WHEN c.id % 4 = 0 THEN NULL ELSE 'confirmed' END,
    CASE WHEN c.id % 4 = 0 THEN 'no_reply' ELSE 'success' END,
    CASE WHEN c.id % 20 < 2 THEN 1 ELSE 0 END, CASE WHEN c.id % 50 = 0 THEN 1 ELSE 0 END,
    c.id % 50 = 7, 5, 5, 5, 5, c.started_at, c.started_at + interval '1 minute',
    CASE WHEN c.id % 4 = 0 THEN NULL ELSE c.started_at + interval '2 hours' END,
    c.started_at + interval '3 days'
FROM conversations c;

INSERT INTO inbox_events (patient_id, conversation_id, kind, payload, dedupe_key, created_at,
    processed_at)
SELECT patient_id, conversation_id, 'inbound', '{}'::json, twilio_sid, created_at, created_at
FROM messages WHERE direction = 'in';

INSERT INTO audit_events (patient_id, conversation_id, action, reason, detail, at)
SELECT t.patient_id, t.conversation_id, a.action, 'bench', json_build_object(
        'task_id', t.id, 'by', 'staff' || (t.id % 40) || '@clinic.test'),
    t.created_at + a.n * interval '1 hour'
FROM tasks t CROSS JOIN (VALUES (0, 'task_created'), (1, 'task_claimed'),
    (2, 'task_resolved')) AS a(n, action)
WHERE a.n = 0 OR t.status <> 'open';
"""


def seed(url: str, tasks: int) -> dict[str, int]:
    """The history, written inside PostgreSQL; then ANALYZE so plans see real sizes."""
    import psycopg

    from bot.store.migrate import upgrade

    upgrade(url)
    sizes = {"patients": tasks, "tasks": tasks, "messages": tasks * MESSAGES_PER_TASK}
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        with conn.transaction():
            sql = SEED
            for key, value in sizes.items():
                sql = sql.replace(f"%({key})s", str(int(value)))
            conn.execute(sql)
            for table in ("patients", "conversations", "messages", "tasks", "audit_events",
                          "inbox_events", "enrolments"):
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT max(id) FROM {table}))")
        conn.execute("VACUUM ANALYZE")
    _add_staff(url)
    return sizes


def _add_staff(url: str) -> None:
    from bot.store import users as users_store
    from bot.store.db import get_database

    with get_database(url).session() as s:
        users_store.add_user(s, "sue@clinic.test", "supervisor", password=PASSWORD,
                             name="Sue Supervisor")
        users_store.add_user(s, "nina@clinic.test", "nurse", password=PASSWORD, name="Nina Nurse")
        for n in range(40):
            users_store.add_user(s, f"staff{n}@clinic.test", "nurse", name=f"Staff {n}")


def _app(url: str, redis_url: str) -> Any:
    from bot.app import create_app

    return create_app({
        "DATABASE_URL": url, "REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": "bench-token",
        "PUBLIC_BASE_URL": "http://localhost", "SECRET_KEY": uuid.uuid4().hex * 2,
        "PROGRAM_CONTACT": "555-0100", "WTF_CSRF_ENABLED": False,
        "METRICS_ALLOW_FROM": "127.0.0.1/32",
    })


def _signed_in(app: Any, email: str) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def pages(tasks: int) -> dict[str, str]:
    """Each page with a URL that exercises its widest realistic query."""
    # An open nursing task in the middle of the table (team nursing: id % 6 == 2; open:
    # id % 20 == 0), so the nurse sees it too.
    open_task = 60 * (tasks // 120) + 20
    year_ago = (date.today() - timedelta(days=365)).isoformat()
    return {
        "/tasks": "/tasks",
        "/tasks (poll)": "/tasks/poll?since=0",
        "task page": f"/tasks/{open_task}",
        "/patients": "/patients",
        "/patients search (name)": "/patients?q=garcia",
        "/patients search (phone)": f"/patients?q=%2B1202{open_task:07d}",
        "/patients (campaign)": "/patients?campaign=panel-3",
        "patient page": f"/patients/{open_task}",
        "/dashboard": "/dashboard",
        "/metrics": "/metrics",
        "/results": "/results",
        "/results (a year, one campaign)": f"/results?since={year_ago}&campaign=panel-3",
    }


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def measure(tasks: int, requests: int) -> dict[str, Any]:
    from bot.devtools.local_redis import LocalRedis

    redis_server = LocalRedis().start()
    try:
        with throwaway_database() as url:
            started = time.perf_counter()
            sizes = seed(url, tasks)
            seeded_s = time.perf_counter() - started
            app = _app(url, redis_server.url)
            results: dict[str, Any] = {"sizes": sizes, "seed_seconds": round(seeded_s, 1),
                                       "requests_per_page": requests, "pages": {}}
            for who in ("sue@clinic.test", "nina@clinic.test"):
                client = _signed_in(app, who)
                role = who.split("@")[0]
                for label, path in pages(tasks).items():
                    samples = []
                    for i in range(requests + 2):
                        t0 = time.perf_counter()
                        response = client.get(path)
                        elapsed = (time.perf_counter() - t0) * 1000
                        assert response.status_code == 200, (path, response.status_code)
                        if i >= 2:  # the first two warm caches (templates, plans)
                            samples.append(elapsed)
                    results["pages"][f"{label} ({'supervisor' if role == 'sue' else 'nurse'})"] = {
                        "path": path, "status": response.status_code,
                        "p50_ms": round(statistics.median(samples), 1),
                        "p95_ms": round(_p95(samples), 1)}
            return results
    finally:
        redis_server.stop()


def main(tasks: int = 100_000, requests: int = 40) -> dict[str, Any]:
    from bench.bench_pipeline import in_fresh_process

    return in_fresh_process("bench.bench_pages", str(tasks), str(requests))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    reqs = int(args[1]) if len(args) > 1 else 40
    print(json.dumps(measure(n, reqs)))
