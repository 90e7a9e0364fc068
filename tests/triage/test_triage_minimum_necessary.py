"""Minimum necessary: a team sees its own tasks on a timeline, and sees a patient only while it
has open work for them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from triage_support import add_patient, add_task, add_user, login, token_for

from bot.store.db import get_database
from bot.store.models import FollowUpTask, utcnow

_emails = iter(range(1, 1_000_000))


def account(database_url: str, role: str) -> str:
    email = f"{role}{next(_emails)}@minimum.test"
    add_user(database_url, email, role)
    return email


def resolve(database_url: str, task_id: int) -> None:
    with get_database(database_url).session() as s:
        s.execute(update(FollowUpTask).where(FollowUpTask.id == task_id).values(
            status="resolved", resolution="reached_patient", resolved_at=utcnow()))


def test_a_nurse_sees_nursing_work_but_not_the_pharmacy_task(app: Any, database_url: str) -> None:
    nurse, boss = account(database_url, "nurse"), account(database_url, "supervisor")
    patient = add_patient(database_url)
    add_task(database_url, patient, team="nursing", reason="Dizzy after the new dose")
    add_task(database_url, patient, team="pharmacy", reason="Prior authorisation for refill")
    client = app.test_client()
    login(client, nurse)
    page = client.get(f"/patients/{patient}").get_data(as_text=True)
    assert "Dizzy after the new dose" in page and "Prior authorisation" not in page
    api = app.test_client().get(f"/api/patients/{patient}",
                                headers={"Authorization": f"Bearer {token_for(database_url, nurse)}"})
    reasons = {e["body"] for e in api.get_json()["timeline"] if e["kind"] == "task"}
    assert "Prior authorisation for refill" not in reasons
    supervisor = app.test_client()
    login(supervisor, boss)
    assert "Prior authorisation" in supervisor.get(f"/patients/{patient}").get_data(as_text=True)


def test_a_resolved_task_no_longer_opens_the_patient(app: Any, database_url: str) -> None:
    nurse = account(database_url, "nurse")
    patient = add_patient(database_url)
    task = add_task(database_url, patient, team="nursing")
    client = app.test_client()
    login(client, nurse)
    assert client.get(f"/patients/{patient}").status_code == 200
    resolve(database_url, task)
    assert client.get(f"/patients/{patient}").status_code == 404
    token = token_for(database_url, nurse)
    assert app.test_client().get(f"/api/patients/{patient}",
                                 headers={"Authorization": f"Bearer {token}"}).status_code == 404
