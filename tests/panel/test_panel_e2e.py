"""The panel path end to end: a FHIR export imported with the CLI, the campaign pass run by a
real RQ worker (queued by RQ's cron), texts and calls through the twilio library to the local
stand-in, a dispense posted to /api/events ending the reminder, and a re-import changing
nothing."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select
from stack_support import ROOT, VENV_BIN, Stack, daytime_timezone

from bot.devtools import fhir_samples as fx
from bot.store import users as users_store
from bot.store.db import get_database
from bot.store.models import Conversation, Patient

pytestmark = pytest.mark.integration

UTC = timezone.utc


def outreach(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VENV_BIN / "outreach"), *args], env=stack.env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def by_ref(url: str, ref: str) -> Patient:
    with get_database(url).session() as s:
        return s.scalar(select(Patient).where(Patient.external_ref == ref))


def conversation_of(url: str, patient_id: int) -> Conversation | None:
    with get_database(url).session() as s:
        return s.scalar(select(Conversation).where(Conversation.patient_id == patient_id,
                                                   Conversation.campaign == "refill_due"))


def test_panel_to_reminders_to_dispense_event(stack: Stack, tmp_path: Path) -> None:
    url = stack.database_url
    stack.fake.reset()  # the stand-in is shared by both database runs of this module
    tz = daytime_timezone()
    today = datetime.now(ZoneInfo(tz)).date()
    due_on = today + timedelta(days=3)
    handed = due_on - timedelta(days=30)
    resources = [
        fx.patient("e1", "Elena", "Ruiz", mobile="617-555-0701", language="es"),
        fx.patient("e2", "Hoa", "Lam", landline="617-555-0702", language="vi"),
        fx.patient("e3", "Omar", "Said", mobile="617-555-0703"),
    ]
    for pid in ("e1", "e2", "e3"):
        resources += [fx.med_request(f"r-{pid}", pid, authored=handed),
                      fx.dispense(f"d-{pid}", pid, f"r-{pid}", handed_over=handed)]
    export = tmp_path / "export"
    fx.write_export(export, resources, gzipped=True)

    first = outreach(stack, "panel", "import", str(export))
    assert first.returncode == 0, first.stderr
    assert "3 patient(s) and 3 due fact(s) updated" in first.stdout
    with get_database(url).session() as s:  # daytime for the test; opt one patient out
        for p in s.scalars(select(Patient).where(Patient.external_ref.like("MRN-e%"))):
            p.timezone = tz
            if p.external_ref == "MRN-e3":
                p.consent_status = "revoked"

    plan = outreach(stack, "campaigns", "plan", "refill_due", "--days", "5")
    assert plan.returncode == 0, plan.stderr
    assert "skip: opted_out" in plan.stdout and plan.stdout.count("start") >= 2

    # RQ's cron queues the pass and a real worker runs it; a second pass (as of 10:00, as
    # `campaigns run-due --at` would) finds everyone already enrolled.
    import redis as redis_lib
    from rq.cron import CronScheduler

    cron = CronScheduler(connection=redis_lib.Redis.from_url(stack.redis_url))
    cron.load_config_from_file("workers.cron_config")
    jobs = {job.func_name: job.interval for job in cron.get_jobs()}
    # The campaign pass every minute, and the sweep that finds work whose job was lost.
    assert jobs == {"workers.campaigns.run_pass": 60, "workers.jobs.sweep": 15}
    assert sorted(j.func_name for j in cron.enqueue_jobs()) == ["workers.campaigns.run_pass",
                                                                 "workers.jobs.sweep"]
    from rq import Queue

    queued = Queue("default", connection=redis_lib.Redis.from_url(stack.redis_url)).jobs
    assert "workers.campaigns.run_pass" in [j.func_name for j in queued]
    stack.drain()  # the cron's pass runs now: it is past 10:00 in the patients' zone
    at = datetime.combine(today, datetime.min.time(), ZoneInfo(tz)).replace(hour=10)
    stack.run_job("workers.campaigns.run_pass", at.astimezone(UTC).isoformat())
    stack.drain()

    e1, e2, e3 = (by_ref(url, f"MRN-e{n}") for n in (1, 2, 3))
    [text] = stack.fake.messages(to=e1.phone)
    # In her language, with the due date the panel gave (dates in Spanish: "2 de diciembre").
    assert text["body"].startswith("Hola, Elena") and f"{due_on.day} de " in text["body"]
    assert conversation_of(url, e1.id).channel == "sms"
    assert conversation_of(url, e2.id).channel == "voice"
    assert [c for c in stack.fake.calls() if c.get("to") == e2.phone]
    assert stack.fake.messages(to=e2.phone) == [] and stack.fake.messages(to=e3.phone) == []
    assert conversation_of(url, e3.id) is None

    # The pharmacy hands over e1's refill: the EHR posts the dispense.
    with get_database(url).session() as s:
        user = users_store.add_user(s, "ehr@example.org", "integration")
        token = users_store.issue_token(s, user)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": fx.dispense("d-e1-b", "e1", "r-e1", handed_over=today)},
        {"resource": {"resourceType": "Observation", "id": "o1"}},
    ]}
    resp = requests.post(stack.base_url + "/api/events", json=bundle, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["conversations_resolved"] == 1 and resp.json()["ignored"] == 1
    stack.drain()
    conv = conversation_of(url, e1.id)
    assert (conv.status, conv.outcome) == ("ended", "resolved_elsewhere")
    assert len(stack.fake.messages(to=e1.phone)) == 1  # nothing more was sent

    again = outreach(stack, "panel", "import", str(export))
    assert "0 new or changed" in again.stdout and "0 due fact(s) updated" in again.stdout


def test_events_need_an_integration_token(stack: Stack) -> None:
    resp = requests.post(stack.base_url + "/api/events", json={}, timeout=30)
    assert resp.status_code == 401
    with get_database(stack.database_url).session() as s:
        nurse = users_store.add_user(s, f"nurse{date.today().toordinal()}@example.org", "nurse")
        token = users_store.issue_token(s, nurse)
    resp = requests.post(stack.base_url + "/api/events", json={}, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 403
