"""Words for people: the audit with names and one time zone, right-to-left text with its
language, error pages in the site's frame, and a one-time password-reset link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from triage_support import PASSWORD, add_patient, add_task, add_user, csrf_from, login, post_form

from bot.cli.main import main
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask

SECRET = "test-secret-key-0123456789"


@pytest.fixture(scope="module")
def people(database_url: str) -> dict[str, str]:
    add_user(database_url, "ines@clinic.test", "nurse", name="Ines Nurse")
    add_user(database_url, "jo@clinic.test", "nurse", name="Jo Nurse")
    return {"ines": "ines@clinic.test", "jo": "jo@clinic.test"}


def test_task_history_names_who_did_what_in_the_programs_zone(
        client: Any, app: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="high")
    url = f"/tasks/{tid}"
    login(client, people["ines"])
    post_form(client, url, f"{url}/claim", {})
    post_form(client, url, f"{url}/note", {"note": "Left a voicemail"})
    with get_database(database_url).session() as s:
        version = str(s.get(FollowUpTask, tid).version)
    post_form(client, url, f"{url}/reply", {"body": "Hola, la llamo pronto", "version": version})
    # The patient's timeline uses the same words (while the nurse still has work for them).
    timeline = client.get(f"/patients/{pid}").get_data(as_text=True)
    assert "Ines Nurse claimed the task" in timeline and "task claimed" not in timeline
    post_form(client, url, f"{url}/resolve", {"resolution": "answered_by_message"})
    html = client.get(url).get_data(as_text=True)
    history = re.search(r'id="task-history">(.*?)</ol>', html, re.S)
    assert history
    lines = re.findall(r"<li><time[^>]*>([^<]+)</time> — ([^<]+)</li>", history.group(1))
    texts = [t for _, t in lines]
    for expected in ("Ines Nurse opened the record", "Ines Nurse claimed the task",
                     "Ines Nurse added a note", "Ines Nurse texted the patient",
                     "Ines Nurse resolved the task: Answered by text message"):
        assert expected in texts, texts
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T", when) for when, _ in lines)
    notes = re.search(r'id="task-notes">([^<]*)<', html)
    assert notes and re.match(r"\[\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T\] Ines Nurse: Left a voicemail",
                              notes.group(1))
    assert "UTC" not in notes.group(1)


def test_resolved_task_says_resolved_not_due(client: Any, database_url: str,
                                             people: dict) -> None:
    tid = add_task(database_url, add_patient(database_url))
    login(client, people["ines"])
    post_form(client, f"/tasks/{tid}", f"/tasks/{tid}/resolve", {"resolution": "not_needed"})
    html = client.get(f"/tasks/{tid}").get_data(as_text=True)
    facts = re.search(r'id="task-facts">(.*?)</dl>', html, re.S)
    assert facts and "<dt>Resolved</dt>" in facts.group(1) and "<dt>Due</dt>" not in facts.group(1)


def test_arabic_thread_and_reply_box_are_right_to_left_with_language_tags(
        client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url, first_name="Layla", locale="ar")
    tid = add_task(database_url, pid, inbound="نفد الدواء، الموعد ٧:٠٠ م")
    login(client, people["jo"])
    html = client.get(f"/tasks/{tid}").get_data(as_text=True)
    thread = re.search(r'id="thread">(.*?)</ol>', html, re.S)
    assert thread and '<p class="body" lang="ar" dir="auto">نفد الدواء، الموعد ٧:٠٠ م</p>' in \
        thread.group(1)
    box = re.search(r"<textarea[^>]*id=\"body\"[^>]*>", html)
    assert box and 'dir="rtl"' in box.group(0) and 'lang="ar"' in box.group(0)
    assert "the patient reads Arabic" in html
    korean = add_task(database_url, add_patient(database_url, locale="ko"), inbound="약이 떨어졌어요")
    page = client.get(f"/tasks/{korean}").get_data(as_text=True)
    assert '<p class="body" lang="ko" dir="auto">약이 떨어졌어요</p>' in page
    box = re.search(r"<textarea[^>]*id=\"body\"[^>]*>", page)
    assert box and 'dir="ltr"' in box.group(0)


def test_structured_answers_are_fields(client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url, locale="ar")
    tid = add_task(database_url, pid, flow="appointment_recovery")
    with get_database(database_url).session() as s:
        conv = s.scalars(select(Conversation).where(Conversation.patient_id == pid)).one()
        conv.context = {"chosen_slot": "2026-12-03T19:00:00+00:00", "barrier": "cost"}
        conv.state = "confirm_slot"
    login(client, people["jo"])
    html = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert re.search(r"<dt>Chosen appointment time</dt><dd class=\"answer\">2026-12-03 14:00 EST"
                     r"</dd>", html)
    assert "<dt>What is in the way</dt><dd class=\"answer\">cost</dd>" in html
    assert "Appointment recovery: at “confirm slot”" in html
    queue = client.get("/tasks").get_data(as_text=True)
    row = re.search(rf'data-task-id="{tid}"[^>]*>(.*?)</tr>', queue, re.S)
    assert row and "Chosen appointment time: 2026-12-03 14:00 EST" in row.group(1)
    assert "What is in the way: cost" in row.group(1)


def test_error_pages_are_in_the_sites_frame(client: Any, people: dict) -> None:
    login(client, people["jo"])
    response = client.get("/tasks/999999")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<header" in html and "Page not found" in html and 'href="/tasks"' in html
    api = client.get("/api/tasks/999999")
    assert api.status_code in (401, 404) and api.is_json
    nowhere = client.get("/no-such-page")
    assert nowhere.status_code == 404 and "Skip to main content" in nowhere.get_data(as_text=True)


def _reset_link(database_url: str, email: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["users", "reset-link", email],
        env={"DATABASE_URL": database_url, "SECRET_KEY": SECRET,
             "PUBLIC_BASE_URL": "https://outreach.example.org"})
    return result.exit_code, result.stdout


def test_an_admin_issues_a_one_time_password_reset_link(
        app: Any, client: Any, database_url: str, people: dict) -> None:
    assert _reset_link(database_url, "nobody@clinic.test")[0] != 0
    code, out = _reset_link(database_url, people["jo"])
    assert code == 0
    link = out.strip()
    assert link.startswith("https://outreach.example.org/reset-password/")
    path = link.removeprefix("https://outreach.example.org")

    page = client.get(path)
    assert page.status_code == 200 and people["jo"] in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    short = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 400
    new_password = "a brand new long passphrase"
    done = client.post(path, data={"password": new_password, "confirm": new_password,
                                   "csrf_token": token}, follow_redirects=True)
    assert "Your password is set" in done.get_data(as_text=True)
    # Used once: the same link no longer works, and the old password is gone.
    again = client.get(path)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert login(app.test_client(), people["jo"], PASSWORD).status_code == 401
    assert login(app.test_client(), people["jo"], new_password).status_code == 302
    forged = client.get(path[:-4] + "abcd")
    assert forged.status_code == 410 and "not valid" in forged.get_data(as_text=True)
    with get_database(database_url).session() as s:
        audit = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "staff_password_reset")).one()
        assert audit.detail["by"] == people["jo"]


def test_an_english_nurse_sends_an_approved_reply_in_the_patients_language(
        client: Any, database_url: str, people: dict) -> None:
    from bot.store.models import Message

    pid = add_patient(database_url, locale="es")
    tid = add_task(database_url, pid)
    login(client, people["ines"])
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    menu = re.search(r'<select id="canned"[^>]*>(.*?)</select>', page, re.S)
    assert menu
    assert ('<option value="refill_ready" data-text="Su resurtido está listo. Puede recogerlo '
            'hoy en la farmacia.">Your refill is ready. You can pick it up at the pharmacy '
            'today.</option>') in menu.group(1)
    assert "Spanish text: Machine draft, not yet reviewed by a medical translator." in page
    with get_database(database_url).session() as s:
        version = str(s.get(FollowUpTask, tid).version)
    html = post_form(client, f"/tasks/{tid}", f"/tasks/{tid}/reply",
                     {"body": "", "canned": "refill_ready", "version": version}
                     ).get_data(as_text=True)
    assert "Reply queued for sending" in html
    with get_database(database_url).session() as s:
        sent = s.scalars(select(Message).where(Message.patient_id == pid,
                                               Message.direction == "out")).one()
        assert sent.body == "Su resurtido está listo. Puede recogerlo hoy en la farmacia."
        audit = s.scalars(select(AuditEvent).where(AuditEvent.patient_id == pid,
                                                   AuditEvent.action == "staff_reply")).one()
        assert audit.detail["template"] == "refill_ready"
    # Free text still goes as written; neither text nor template is refused with a reason.
    html = post_form(client, f"/tasks/{tid}", f"/tasks/{tid}/reply",
                     {"body": "", "canned": ""}).get_data(as_text=True)
    assert "Write a reply or choose an approved reply." in html
