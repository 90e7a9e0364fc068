"""`/metrics`: Prometheus text the official parser reads, counters that move as the real
pipeline (gunicorn and `rq worker` from the Procfile, the Twilio stand-in) sends and receives,
no whole-table read per scrape, and nothing shown to addresses the operator did not allow."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event
from stack_support import daytime_timezone

from bot.store.db import get_database
from bot.store.models import FollowUpTask, Message, Patient, utcnow

#: Tables that grow with the program's volume: a scrape may only read them through a WHERE.
BIG_TABLES = ("messages", "inbox_events", "conversations", "enrolments", "patients",
              "audit_events", "tasks", "timeout_intents", "campaign_fires")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(scrape: dict[Any, float], name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def _allowed_app(database_url: str, redis_url: str, allow: str | None) -> Any:
    from bot.app import create_app

    return create_app({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "TWILIO_AUTH_TOKEN": "test-auth-token", "PUBLIC_BASE_URL": "http://localhost",
        "SECRET_KEY": "test-secret-key-0123456789", "PROGRAM_CONTACT": "555-0100",
        "TESTING": True, "METRICS_ALLOW_FROM": allow,
    })


def test_metrics_and_readiness_details_are_off_on_the_public_listener(client):
    assert client.get("/metrics").status_code == 404
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ready"}
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_only_the_allowed_networks_may_read(database_url, redis_url):
    app = _allowed_app(database_url, redis_url, "10.0.0.0/8, 127.0.0.1")
    client = app.test_client()
    assert client.get("/metrics").status_code == 200
    assert client.get("/readyz").get_json()["checks"] == {"database": "ok", "redis": "ok"}
    outsider = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/metrics", environ_base=outsider).status_code == 404
    assert "checks" not in client.get("/readyz", environ_base=outsider).get_json()
    inside = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics", environ_base=inside).status_code == 200


def test_a_malformed_allow_list_stops_start_up_with_its_name(database_url, redis_url):
    from bot.errors import SettingsError

    with pytest.raises(SettingsError, match="METRICS_ALLOW_FROM"):
        _allowed_app(database_url, redis_url, "127.0.0.1, not-a-network")


def test_a_missing_multiprocess_folder_stops_start_up_with_its_name(tmp_path):
    from bot import settings as settings_mod
    from bot.errors import SettingsError

    with pytest.raises(SettingsError, match="PROMETHEUS_MULTIPROC_DIR: not a directory"):
        settings_mod.load({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "missing")})
    assert settings_mod.load({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})


def test_a_scrape_reads_no_whole_table(database_url, redis_url):
    app = _allowed_app(database_url, redis_url, "127.0.0.1")
    now = utcnow()
    with get_database(database_url).session() as s:
        patient = Patient(phone="+12025550199", first_name="Ana")
        s.add(patient)
        s.flush()
        s.add(Message(patient_id=patient.id, direction="out", address=patient.phone, body="x"))
        for priority in ("urgent", "routine", "routine"):
            s.add(FollowUpTask(patient_id=patient.id, team="nurse", priority=priority,
                               reason="test", sla_due_at=now, created_at=now))
    statements: list[str] = []
    # The read-only engine is an option view of this one: it shares its event listeners.
    engine = app.extensions["outreach"].db.engine

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.lower().split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = app.test_client().get("/metrics")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200
    scrape = samples(response.get_data(as_text=True))
    assert value(scrape, "outreach_open_tasks", priority="routine") == 2
    assert value(scrape, "outreach_open_tasks", priority="urgent") == 1
    assert ("outreach_queue_jobs", (("queue", "inbound"),)) in scrape
    reads = [q for q in statements if q.startswith("select") and " from " in q]
    assert reads, "the scrape should read the open tasks"
    for query in reads:
        touched = [t for t in BIG_TABLES if f" {t} " in f"{query} " or f" {t}." in query]
        assert not touched or " where " in query, f"whole-table read per scrape: {query}"


def wait_for(check: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    """Poll an observable condition (the stand-in's records, a scrape) until it holds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.integration
def test_counters_move_through_the_procfile_stack(redis_url, tmp_path, monkeypatch):
    from bot.devtools.devstack import running_stack

    database_url = f"sqlite:///{tmp_path / 'metrics.db'}"
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.delenv("METRICS_ALLOW_FROM", raising=False)
    with running_stack(tmp_path / "stack", processes=("web", "worker")) as stack:
        def scrape() -> dict[Any, float]:
            response = requests.get(stack.base_url + "/metrics", timeout=10)
            assert response.status_code == 200
            return samples(response.text)

        before = scrape()
        phone = "+12025550142"
        with get_database(database_url).session() as s:
            s.add(Patient(phone=phone, first_name="Ana", timezone=daytime_timezone(),
                          attributes={"due_date": "2030-01-15"}))
        stack.outreach("campaign", "start", "refill_reminder")

        def delivered(n: int) -> Callable[[], bool]:
            return lambda: sum(m["status"] == "delivered"
                               for m in stack.fake.messages(to=phone)) >= n

        wait_for(delivered(1), what="the first text delivered")
        assert stack.fake.send_inbound(phone, "yes").status == 200
        wait_for(delivered(2), what="the confirmation delivered")
        wait_for(lambda: value(scrape(), "outreach_enrolment_outcomes_total",
                               campaign="refill_reminder", outcome_class="success") == 1,
                 what="the success counted")
        after = scrape()

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("outreach_messages_total", direction="out", status="queued") == 2
    assert moved("outreach_messages_total", direction="out", status="sent") == 2
    assert moved("outreach_messages_total", direction="out", status="delivered") == 2
    assert moved("outreach_messages_total", direction="in", status="received") == 1
    assert moved("outreach_replies_total", channel="sms", routed="yes") == 1
    assert moved("outreach_enrolments_total", campaign="refill_reminder") == 1
    assert moved("outreach_webhook_seconds_count", endpoint="/twilio/sms") == 1
    assert moved("outreach_webhook_seconds_count", endpoint="/twilio/status") >= 2
    text = " ".join(f"{k}" for k in after)
    assert phone not in text and phone.lstrip("+") not in text
