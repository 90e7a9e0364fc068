"""Staff pages through the Flask test client on a real (migrated) database and real Redis."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rq import Queue
from sqlalchemy import select
from triage_support import (
    add_patient,
    add_task,
    add_user,
    csrf_from,
    hours,
    login,
    post_form,
)

from bot.store.db import get_database
from bot.store.models import AuditEvent, FollowUpTask, Message, utcnow


@pytest.fixture(scope="module")
def people(database_url: str) -> dict[str, str]:
    add_user(database_url, "nina@clinic.test", "nurse", name="Nina Nurse")
    add_user(database_url, "nick@clinic.test", "nurse", name="Nick Nurse")
    add_user(database_url, "phil@clinic.test", "pharmacist")
    add_user(database_url, "sue@clinic.test", "supervisor")
    return {"nurse": "nina@clinic.test", "nurse2": "nick@clinic.test",
            "pharmacist": "phil@clinic.test", "supervisor": "sue@clinic.test"}


def test_pages_need_sign_in(client: Any) -> None:
    for url in ("/tasks", "/tasks/1", "/patients/1", "/dashboard", "/tasks/poll"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_login_rejects_wrong_password_and_missing_csrf(client: Any, people: dict) -> None:
    assert login(client, people["nurse"], "wrong password!!").status_code == 401
    response = client.post("/login", data={"email": people["nurse"], "password": "x"})
    assert response.status_code == 400  # no CSRF token
    assert client.get("/tasks").status_code == 302


def test_login_sets_secure_cookie_flags(app: Any, people: dict) -> None:
    app.config["SESSION_COOKIE_SECURE"] = False
    client = app.test_client()
    response = login(client, people["nurse"])
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookie_is_secure_when_public_url_is_https(database_url: str, redis_url: str) -> None:
    from bot.app import create_app

    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": redis_url,
                      "TWILIO_AUTH_TOKEN": "t", "PUBLIC_BASE_URL": "https://outreach.example.org",
                      "SECRET_KEY": "test-secret-key-0123456789", "PROGRAM_CONTACT": "555"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_open_redirect_is_refused(client: Any, people: dict) -> None:
    page = client.get("/login?next=https://evil.example/")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/", data={
        "email": people["nurse"], "password": "correct horse battery staple",
        "csrf_token": token})
    assert response.headers["Location"].endswith("/tasks")


def test_queue_orders_by_priority_then_due_and_limits_to_teams(
        client: Any, database_url: str, people: dict) -> None:
    now = utcnow()
    routine_old = add_task(database_url, add_patient(database_url), priority="routine",
                           created=now - hours(30), reason="Routine but overdue")
    urgent = add_task(database_url, add_patient(database_url), priority="urgent",
                      reason="Chest pain")
    high = add_task(database_url, add_patient(database_url), priority="high", reason="High thing")
    pharmacy = add_task(database_url, add_patient(database_url), team="pharmacy",
                        priority="urgent", reason="Pharmacy only")
    login(client, people["nurse"])
    html = client.get("/tasks").get_data(as_text=True)
    order = [int(x) for x in re.findall(r'data-task-id="(\d+)"', html)]
    mine = [t for t in order if t in (routine_old, urgent, high)]
    assert mine == [urgent, high, routine_old]
    assert pharmacy not in order
    assert client.get(f"/tasks/{pharmacy}").status_code == 404
    row = re.search(rf'<tr class="([^"]*)" data-task-id="{routine_old}"', html)
    assert row and "is-overdue" in row.group(1)
    assert "Overdue" in html and "urgent" in html.lower()
    # filters: urgent only via status/team; and the JSON poll sees the same queue
    poll = client.get("/tasks/poll?since=0").get_json()
    assert urgent in poll["new_urgent"] and poll["counts"]["open"] >= 3


def test_poll_signature_changes_when_a_task_arrives(
        client: Any, database_url: str, people: dict) -> None:
    login(client, people["nurse"])
    before = client.get("/tasks/poll").get_json()
    pid = add_patient(database_url)
    new = add_task(database_url, pid, priority="urgent", reason="New urgent")
    after = client.get(f"/tasks/poll?since={max(before['new_urgent'] or [0])}").get_json()
    assert after["signature"] != before["signature"]
    assert new in after["new_urgent"]
    fragment = client.get("/tasks?partial=1").get_data(as_text=True)
    assert f'data-task-id="{new}"' in fragment and "<html" not in fragment


def test_filters(client: Any, database_url: str, people: dict) -> None:
    pid_vi = add_patient(database_url, locale="vi")
    vi_task = add_task(database_url, pid_vi, flow="appointment_recovery", reason="Vietnamese")
    login(client, people["supervisor"])
    html = client.get("/tasks?language=vi").get_data(as_text=True)
    ids = {int(x) for x in re.findall(r'data-task-id="(\d+)"', html)}
    assert vi_task in ids and all(
        _task(database_url, i).patient_id == pid_vi for i in ids)
    html = client.get("/tasks?flow=appointment_recovery&team=nursing").get_data(as_text=True)
    assert f'data-task-id="{vi_task}"' in html
    html = client.get("/tasks?flow=refill_reminder").get_data(as_text=True)
    assert f'data-task-id="{vi_task}"' not in html
    html = client.get("/tasks?assignee=unassigned&status=open").get_data(as_text=True)
    assert f'data-task-id="{vi_task}"' in html


def _task(database_url: str, task_id: int) -> FollowUpTask:
    with get_database(database_url).session() as s:
        task = s.get(FollowUpTask, task_id)
        assert task is not None
        return task


def test_claim_note_assign_resolve(client: Any, app: Any, database_url: str,
                                   people: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="high")
    url = f"/tasks/{tid}"
    login(client, people["nurse"])
    html = post_form(client, url, f"{url}/claim", {}).get_data(as_text=True)
    assert "You have this task now." in html
    assert _task(database_url, tid).assignee == people["nurse"]

    other = app.test_client()
    login(other, people["nurse2"])
    html = post_form(other, url, f"{url}/claim", {}).get_data(as_text=True)
    assert "Nina Nurse has this task" in html

    post_form(client, url, f"{url}/note", {"note": "Called, left voicemail"})
    task = _task(database_url, tid)
    assert "Called, left voicemail" in task.notes and "Nina Nurse" in task.notes
    assert task.first_contact_at is None

    version = str(task.version)
    html = post_form(client, url, f"{url}/assign",
                     {"assignee": people["nurse2"], "version": version}).get_data(as_text=True)
    assert f"Assigned to {people['nurse2']}" in html
    # the stale version is refused
    html = post_form(client, url, f"{url}/assign",
                     {"assignee": people["nurse"], "version": version}).get_data(as_text=True)
    assert "changed since you opened it" in html

    # the nurse no longer holds it: she cannot resolve it; her colleague can
    html = post_form(client, url, f"{url}/resolve",
                     {"resolution": "reached_patient"}).get_data(as_text=True)
    assert "has this task" in html and _task(database_url, tid).status == "claimed"
    html = post_form(other, url, f"{url}/resolve",
                     {"resolution": "reached_patient", "closing_note": "Sorted"}).get_data(as_text=True)
    task = _task(database_url, tid)
    assert task.status == "resolved" and task.resolution == "reached_patient"
    assert task.first_contact_at is not None
    with get_database(database_url).session() as s:
        actions = [a.action for a in s.scalars(select(AuditEvent).where(
            AuditEvent.patient_id == pid, AuditEvent.action != "staff_viewed")
            .order_by(AuditEvent.id))]
    assert actions == ["task_claimed", "task_note", "task_assigned", "task_note",
                       "task_resolved"]


def test_reply_queues_a_message_and_claims(client: Any, database_url: str, redis_url: str,
                                           people: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="urgent")
    login(client, people["nurse"])
    url = f"/tasks/{tid}"
    html = post_form(client, url, f"{url}/reply",
                     {"body": "Hola Ana, soy la enfermera. La llamo en 10 minutos."}
                     ).get_data(as_text=True)
    assert "Reply queued for sending" in html
    with get_database(database_url).session() as s:
        msg = s.scalars(select(Message).where(Message.patient_id == pid, Message.direction == "out")
                        ).one()
        assert msg.kind == "reply" and msg.status == "pending" and msg.msgid is None
        task = s.get(FollowUpTask, tid)
        assert task.status == "claimed" and task.assignee == people["nurse"]
        assert task.first_contact_at is not None
        assert msg.conversation_id == task.conversation_id
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "staff_reply",
                                                   AuditEvent.patient_id == pid)).one()
        assert audit.detail["message_id"] == msg.id and "body" not in audit.detail
    import redis

    jobs = Queue("outbound", connection=redis.Redis.from_url(redis_url)).jobs
    assert any(j.args == (msg.id,) and j.func_name == "workers.jobs.send_message" for j in jobs)
    # the reply shows in the conversation on the task page and in the patient timeline
    assert "La llamo en 10 minutos" in client.get(url).get_data(as_text=True)
    timeline = client.get(f"/patients/{pid}").get_data(as_text=True)
    assert "La llamo en 10 minutos" in timeline and "No puedo pagar" in timeline


def test_reply_refused_after_opt_out(client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url, consent="revoked")
    tid = add_task(database_url, pid)
    login(client, people["nurse"])
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "opted out of texts" in page and 'id="reply-form"' not in page
    token = csrf_from(page)
    html = client.post(f"/tasks/{tid}/reply", data={"body": "hello", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "opted out" in html
    with get_database(database_url).session() as s:
        assert not s.scalars(select(Message).where(Message.patient_id == pid,
                                                   Message.direction == "out")).all()


def test_patient_page_limited_to_teams(client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    add_task(database_url, pid, team="pharmacy")
    login(client, people["nurse"])
    assert client.get(f"/patients/{pid}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks").get_data(
        as_text=True))})
    login(client, people["pharmacist"])
    assert client.get(f"/patients/{pid}").status_code == 200


def test_dashboard_caseload(client: Any, database_url: str, people: dict) -> None:
    login(client, people["supervisor"])
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Caseload by team" in html and "Median time to first human contact" in html
    data = client.get("/dashboard?format=json").get_json()
    nursing = next(t for t in data["teams"] if t["key"] == "nursing")
    assert nursing["open"] >= 1 and nursing["overdue"] >= 1
    assert nursing["median_first_contact_seconds"] is not None


def test_queue_row_and_task_page_show_the_patients_words_and_what_was_understood(
        client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    task_id = add_task(database_url, pid, team="nursing", reason="Patient reports side effects.",
                       inbound="me da mucho mareo la pastilla nueva",
                       understood="side effects (in the patient's words)")
    other = add_task(database_url, add_patient(database_url), team="nursing", inbound=None)
    login(client, people["nurse"])
    html = client.get("/tasks").get_data(as_text=True)
    row = re.search(rf'data-task-id="{task_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, "the task is on the queue"
    assert ('Patient wrote: “<span lang="es" dir="auto">me da mucho mareo la pastilla nueva'
            '</span>”' in row.group(1))
    assert "Understood: side effects (in the patient&#39;s words)" in row.group(1)
    bare = re.search(rf'data-task-id="{other}"[^>]*>(.*?)</tr>', html, re.S)
    assert bare and "Patient wrote" not in bare.group(1)
    assert "Understood: not understood" in bare.group(1)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.search(r'id="task-reply">“<span lang="es" dir="auto">me da mucho mareo la '
                     r'pastilla nueva</span>”', page)
    assert 'id="task-understood">side effects (in the patient&#39;s words)<' in page


def test_task_page_shows_the_patients_recent_readings_and_their_trend(
        client: Any, database_url: str, people: dict) -> None:
    from bot.store.readings import add_reading

    pid = add_patient(database_url)
    start = utcnow() - hours(24 * 21)
    with get_database(database_url).session() as s:
        for week, (top, bottom) in enumerate([(142, 88), (150, 92), (184, 96)]):
            add_reading(s, patient_id=pid, kind="blood_pressure",
                        values={"systolic": top, "diastolic": bottom}, now=start + hours(24 * 7 * week),
                        flow="bp_checkin")
    task_id = add_task(database_url, pid, team="nursing", priority="urgent", flow="bp_checkin",
                       reason="BP 184/96, reported 10:42 AM: crisis level.", inbound="184/96",
                       understood="blood pressure: 184/96")
    bare = add_task(database_url, add_patient(database_url), team="nursing")
    login(client, people["nurse"])
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    section = re.search(r'id="recent-readings">(.*?)</section>', page, re.S)
    assert section, "the task page has the recent readings"
    values = re.findall(r'class="reading-value">([^<]+)<', section.group(1))
    assert values == ["184/96", "150/92", "142/88"]  # newest first
    assert section.group(1).count("<polyline") == 2  # systolic and diastolic lines
    assert 'aria-label="blood pressure systolic, oldest to newest, from 142 to 184"' in section.group(1)
    assert 'id="recent-readings"' not in client.get(f"/tasks/{bare}").get_data(as_text=True)
