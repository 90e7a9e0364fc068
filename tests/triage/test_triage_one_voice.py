"""One voice per patient, on the staff pages (Flask test client, real database and Redis).

A colleague's claim is shown on every page that can text the patient; a reply from someone
else is refused unless they take over; a page showing an older version of the task cannot
reply or resolve; an urgent task closes only with a claim and a note; a patient's open tasks
are one queue row and are listed together on each task.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from triage_support import add_patient, add_task, csrf_from, login, post_form

from bot.store.db import get_database
from bot.store.models import AuditEvent, FollowUpTask, Message


@pytest.fixture(scope="module")
def people(database_url: str) -> dict[str, str]:
    from triage_support import add_user

    add_user(database_url, "dana@clinic.test", "nurse", name="Dana Nurse")
    add_user(database_url, "omar@clinic.test", "nurse", name="Omar Nurse")
    add_user(database_url, "sam@clinic.test", "supervisor", name="Sam Supervisor")
    return {"dana": "dana@clinic.test", "omar": "omar@clinic.test", "sam": "sam@clinic.test"}


def _task(database_url: str, task_id: int) -> FollowUpTask:
    with get_database(database_url).session() as s:
        task = s.get(FollowUpTask, task_id)
        assert task is not None
        return task


def _replies(database_url: str, pid: int) -> list[Message]:
    with get_database(database_url).session() as s:
        return list(s.scalars(select(Message).where(Message.patient_id == pid,
                                                    Message.direction == "out")))


def _second(app: Any, email: str) -> Any:
    other = app.test_client()
    login(other, email)
    return other


# Both pages that can text a patient go through the same rule (bot.store.patient_voice).
REPLY_PAGES = [
    pytest.param(lambda pid, tid: (f"/tasks/{tid}", f"/tasks/{tid}/reply"), id="task-page"),
    pytest.param(lambda pid, tid: (f"/patients/{pid}", f"/patients/{pid}/reply"),
                 id="patient-page"),
]


@pytest.mark.parametrize("urls", REPLY_PAGES)
def test_a_colleagues_reply_needs_an_explicit_take_over(
        client: Any, app: Any, database_url: str, people: dict, urls: Any) -> None:
    pid = add_patient(database_url, first_name="Khalid", locale="ar")
    tid = add_task(database_url, pid, priority="urgent", reason="Crisis words in a reply",
                   inbound="أريد أن أنهي حياتي")
    login(client, people["dana"])
    post_form(client, f"/tasks/{tid}", f"/tasks/{tid}/claim", {})

    omar = _second(app, people["omar"])
    page_url, action = urls(pid, tid)
    page = omar.get(page_url).get_data(as_text=True)
    banner = re.search(r'id="claim-banner"[^>]*>(.*?)</div>', page, re.S)
    assert banner and "Dana Nurse is answering this patient" in banner.group(1)
    assert re.search(r"since <time[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T</time>", banner.group(1))
    assert "Take over from them" in page

    refused = post_form(omar, page_url, action, {"body": "مرحبا، أنا الممرض عمر"})
    text = refused.get_data(as_text=True)
    assert "Dana Nurse is answering this patient; your reply was not sent" in text
    assert _replies(database_url, pid) == []
    assert _task(database_url, tid).assignee == people["dana"]

    taken = post_form(omar, page_url, action,
                      {"body": "مرحبا، أنا الممرض عمر", "take_over": "y",
                       "version": str(_task(database_url, tid).version)})
    assert "Reply queued for sending" in taken.get_data(as_text=True)
    assert [m.body for m in _replies(database_url, pid)] == ["مرحبا، أنا الممرض عمر"]
    assert _task(database_url, tid).assignee == people["omar"]
    with get_database(database_url).session() as s:
        over = s.scalars(select(AuditEvent).where(AuditEvent.patient_id == pid,
                                                  AuditEvent.action == "task_taken_over")).one()
    assert (over.detail["by"], over.detail["from"]) == (people["omar"], people["dana"])
    # Dana's page now says who has the patient, and her own reply would need a take-over too.
    again = client.get(page_url).get_data(as_text=True)
    assert "Omar Nurse is answering this patient" in again


def test_the_holder_sees_it_is_them_and_nobody_claimed_is_said(
        client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid)
    login(client, people["dana"])
    assert "Nobody is answering this patient yet" in client.get(f"/tasks/{tid}").get_data(
        as_text=True)
    post_form(client, f"/tasks/{tid}", f"/tasks/{tid}/claim", {})
    page = client.get(f"/patients/{pid}").get_data(as_text=True)
    assert "You are answering this patient" in page and "Take over" not in page


def test_reply_and_resolve_from_a_stale_page_are_refused_with_the_current_state(
        client: Any, app: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="high")
    login(client, people["dana"])
    stale_page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    stale_version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"',
                              stale_page)
    assert stale_version
    token = csrf_from(stale_page)

    omar = _second(app, people["omar"])
    post_form(omar, f"/tasks/{tid}", f"/tasks/{tid}/resolve",
              {"resolution": "answered_by_message", "closing_note": "Answered"})
    assert _task(database_url, tid).status == "resolved"

    reply = client.post(f"/tasks/{tid}/reply", data={
        "body": "Hi, calling you now", "version": stale_version.group(1), "csrf_token": token},
        follow_redirects=True).get_data(as_text=True)
    assert ("This task changed while your page was open: it is now resolved by Omar Nurse "
            "(Answered by text message). Nothing was sent") in reply
    assert _replies(database_url, pid) == []
    resolve = client.post(f"/tasks/{tid}/resolve", data={
        "resolution": "reached_patient", "version": stale_version.group(1),
        "csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "it is now resolved by Omar Nurse" in resolve
    assert _task(database_url, tid).resolution == "answered_by_message"


@pytest.mark.parametrize("urls", REPLY_PAGES)
def test_a_reply_from_either_stale_page_is_refused(
        client: Any, app: Any, database_url: str, people: dict, urls: Any) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="high")
    add_task(database_url, pid, team="social_work", priority="low", reason="Ride")  # stays open
    page_url, action = urls(pid, tid)
    login(client, people["sam"])
    page = client.get(page_url).get_data(as_text=True)
    fields = dict(re.findall(r'name="(version|task_ref)" type="hidden" value="(\d*)"', page))
    assert fields["version"]
    omar = _second(app, people["omar"])
    post_form(omar, f"/tasks/{tid}", f"/tasks/{tid}/resolve", {"resolution": "not_needed"})
    html = client.post(action, data={"body": "Checking in", "csrf_token": csrf_from(page),
                                     **fields}, follow_redirects=True).get_data(as_text=True)
    assert "it is now resolved by Omar Nurse (No action needed)" in html
    assert _replies(database_url, pid) == []


def test_a_stale_page_cannot_resolve_a_task_a_colleague_claimed(
        client: Any, app: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid)
    login(client, people["sam"])  # a supervisor could otherwise resolve anyone's task
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    version = str(_task(database_url, tid).version)
    post_form(_second(app, people["dana"]), f"/tasks/{tid}", f"/tasks/{tid}/claim", {})
    html = client.post(f"/tasks/{tid}/resolve", data={
        "resolution": "not_needed", "version": version, "csrf_token": csrf_from(page)},
        follow_redirects=True).get_data(as_text=True)
    assert "it is now claimed by Dana Nurse" in html
    assert _task(database_url, tid).status == "claimed"


def test_urgent_outcomes_need_a_claim_and_a_note(
        client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="urgent", reason="Chest pain")
    url = f"/tasks/{tid}"
    login(client, people["dana"])
    html = post_form(client, url, f"{url}/resolve",
                     {"resolution": "reached_patient"}).get_data(as_text=True)
    assert "claim it first" in html and _task(database_url, tid).status == "open"
    post_form(client, url, f"{url}/claim", {})
    html = post_form(client, url, f"{url}/resolve",
                     {"resolution": "reached_patient"}).get_data(as_text=True)
    assert "needs a closing note" in html and _task(database_url, tid).status == "claimed"
    post_form(client, url, f"{url}/resolve",
              {"resolution": "reached_patient", "closing_note": "Sent to the ED by phone"})
    task = _task(database_url, tid)
    assert task.status == "resolved" and "Dana Nurse: Sent to the ED by phone" in task.notes


def test_a_patients_open_tasks_are_one_queue_row_and_shown_together(
        client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url, first_name="Mei")
    routine = add_task(database_url, pid, priority="routine", reason="Refill question")
    urgent = add_task(database_url, pid, priority="urgent", reason="Dizzy and fell")
    pharmacy = add_task(database_url, pid, team="pharmacy", priority="high",
                        reason="Cannot pay")
    low = add_task(database_url, pid, team="social_work", priority="low", reason="Ride")
    login(client, people["sam"])
    html = client.get("/tasks").get_data(as_text=True)
    rows = re.findall(r'data-task-id="(\d+)" data-count="(\d+)"', html)
    mine = [(int(t), int(n)) for t, n in rows if int(t) in (routine, urgent, pharmacy, low)]
    assert mine == [(urgent, 4)], "one row, headed by the most pressing task"
    row = re.search(rf'data-task-id="{urgent}"[^>]*>(.*?)</tr>', html, re.S)
    assert row and "4 open tasks for this patient" in row.group(1)
    assert all(f"#{t}" in row.group(1) for t in (routine, pharmacy, low))

    page = client.get(f"/tasks/{routine}").get_data(as_text=True)
    section = re.search(r'id="patient-tasks">(.*?)</section>', page, re.S)
    assert section and "other open tasks (3)" in section.group(1)
    assert all(f"/tasks/{t}" in section.group(1) for t in (urgent, pharmacy, low))


def test_the_api_follows_the_same_rules(client: Any, database_url: str, people: dict) -> None:
    from triage_support import token_for

    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="urgent")
    dana = {"Authorization": f"Bearer {token_for(database_url, people['dana'])}"}
    omar = {"Authorization": f"Bearer {token_for(database_url, people['omar'])}"}
    assert client.post(f"/api/tasks/{tid}/claim", headers=dana).status_code == 200
    held = client.post(f"/api/tasks/{tid}/reply", headers=omar, json={"body": "Hello"})
    assert held.status_code == 409 and "Dana Nurse is answering" in held.get_json()["error"]
    version = _task(database_url, tid).version
    stale = client.post(f"/api/tasks/{tid}/reply", headers=omar,
                        json={"body": "Hello", "take_over": True, "version": version - 1})
    assert stale.status_code == 409 and "changed while your page was open" in \
        stale.get_json()["error"]
    taken = client.post(f"/api/tasks/{tid}/reply", headers=omar,
                        json={"body": "Hello", "take_over": True, "version": version})
    assert taken.status_code == 202 and _task(database_url, tid).assignee == people["omar"]
    no_note = client.post(f"/api/tasks/{tid}/resolve", headers=omar,
                          json={"resolution": "reached_patient"})
    assert no_note.status_code == 400 and "closing note" in no_note.get_json()["error"]
