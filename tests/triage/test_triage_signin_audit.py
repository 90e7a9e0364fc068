"""Sign-in is throttled and audited; every staff read of a patient's data leaves an audit row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from triage_support import PASSWORD, add_patient, add_task, add_user, login, token_for

from bot.store.db import get_database
from bot.store.models import AuditEvent

_emails = iter(range(1, 1_000_000))


def new_nurse(database_url: str) -> tuple[str, int]:
    email = f"nurse{next(_emails)}@signin.test"
    return email, add_user(database_url, email, "nurse")


def audit_rows(database_url: str, action: str, **detail: Any) -> list[AuditEvent]:
    with get_database(database_url).session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                         .order_by(AuditEvent.id)).all()
    return [r for r in rows if all(r.detail.get(k) == v for k, v in detail.items())]


def test_guessing_a_password_is_stopped_even_when_the_guess_is_right(app: Any,
                                                                    database_url: str) -> None:
    email, _ = new_nurse(database_url)
    client = app.test_client()
    codes = [login(client, email, f"wrong guess {i:04d}").status_code for i in range(40)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    right = login(client, email, PASSWORD)
    assert right.status_code == 429
    assert "Too many failed sign-in attempts" in right.get_data(as_text=True)
    assert client.get("/tasks").status_code == 302
    assert len(audit_rows(database_url, "staff_sign_in_failed", email=email)) == 5
    assert len(audit_rows(database_url, "staff_sign_in_throttled", email=email)) == 36


def test_a_few_typos_then_the_right_password_signs_in_and_is_audited(app: Any,
                                                                     database_url: str) -> None:
    email, user_id = new_nurse(database_url)
    client = app.test_client()
    for _ in range(3):
        assert login(client, email, "not my password").status_code == 401
    assert login(client, email, PASSWORD).status_code == 302
    rows = audit_rows(database_url, "staff_sign_in", user_id=user_id)
    assert len(rows) == 1 and rows[0].detail["address"] == "127.0.0.1"


def test_one_accounts_lockout_does_not_lock_a_colleague_out(app: Any, database_url: str) -> None:
    locked, _ = new_nurse(database_url)
    colleague, _ = new_nurse(database_url)
    client = app.test_client()
    for _ in range(6):
        login(client, locked, "wrong wrong wrong")
    assert login(app.test_client(), colleague, PASSWORD).status_code == 302


def test_reads_of_patient_data_are_audited_with_who_and_which_patient(app: Any,
                                                                      database_url: str) -> None:
    email, user_id = new_nurse(database_url)
    patient_id = add_patient(database_url)
    task_id = add_task(database_url, patient_id, team="nursing")
    hidden_task = add_task(database_url, patient_id, team="pharmacy")
    client = app.test_client()
    login(client, email)
    assert client.get(f"/tasks/{task_id}").status_code == 200
    assert client.get(f"/patients/{patient_id}").status_code == 200
    assert client.get(f"/tasks/{hidden_task}").status_code in (403, 404)
    token = token_for(database_url, email)
    api = app.test_client()
    assert api.get(f"/api/tasks/{task_id}",
                   headers={"Authorization": f"Bearer {token}"}).status_code == 200
    rows = audit_rows(database_url, "staff_viewed", user_id=user_id)
    seen = [(r.reason, r.patient_id) for r in rows]
    assert ("task page", patient_id) in seen and ("patient page", patient_id) in seen
    assert ("task (API)", patient_id) in seen
    assert not [r for r in rows if r.detail.get("task_id") == hidden_task]
