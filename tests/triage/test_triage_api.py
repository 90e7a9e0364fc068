"""The JSON API (bearer tokens) and the claim race, on a real database."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select
from triage_support import add_patient, add_task, add_user, token_for

from bot.store import tasks_repo
from bot.store.db import get_database
from bot.store.models import FollowUpTask, Message, utcnow


@pytest.fixture(scope="module")
def tokens(database_url: str) -> dict[str, str]:
    add_user(database_url, "api-nurse@clinic.test", "nurse")
    add_user(database_url, "api-nurse2@clinic.test", "nurse")
    add_user(database_url, "api-sched@clinic.test", "scheduler")
    return {k: token_for(database_url, e) for k, e in (
        ("nurse", "api-nurse@clinic.test"), ("nurse2", "api-nurse2@clinic.test"),
        ("scheduler", "api-sched@clinic.test"))}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_required(client: Any, tokens: dict) -> None:
    response = client.get("/api/tasks")
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    assert client.get("/api/tasks", headers=auth("cot_not-a-token")).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client: Any, database_url: str) -> None:
    from triage_support import login

    add_user(database_url, "cookie@clinic.test", "nurse")
    login(client, "cookie@clinic.test")
    assert client.get("/tasks").status_code == 200
    assert client.get("/api/tasks").status_code == 401


def test_list_show_claim_reply_resolve(client: Any, database_url: str, tokens: dict) -> None:
    pid = add_patient(database_url)
    tid = add_task(database_url, pid, priority="urgent", reason="Chest pain")
    hidden = add_task(database_url, pid, team="scheduling", reason="Reschedule")

    listed = client.get("/api/tasks", headers=auth(tokens["nurse"])).get_json()
    ids = [t["id"] for t in listed["tasks"]]
    assert tid in ids and hidden not in ids and listed["counts"]["open"] >= 1
    assert client.get(f"/api/tasks/{hidden}", headers=auth(tokens["nurse"])).status_code == 404

    shown = client.get(f"/api/tasks/{tid}", headers=auth(tokens["nurse"])).get_json()
    assert shown["priority"] == "urgent" and shown["patient"]["language"] == "es"
    assert shown["messages"][0]["direction"] == "in"

    claimed = client.post(f"/api/tasks/{tid}/claim", headers=auth(tokens["nurse"]))
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "api-nurse@clinic.test"
    lost = client.post(f"/api/tasks/{tid}/claim", headers=auth(tokens["nurse2"]))
    assert lost.status_code == 409 and lost.get_json()["holder"] == "api-nurse@clinic.test"

    sent = client.post(f"/api/tasks/{tid}/reply", headers=auth(tokens["nurse"]),
                       json={"body": "Hola, la llamamos ahora."})
    assert sent.status_code == 202
    with get_database(database_url).session() as s:
        message = s.get(Message, sent.get_json()["message_id"])
        assert message is not None and message.kind == "reply" and message.patient_id == pid

    assert client.post(f"/api/tasks/{tid}/reply", headers=auth(tokens["nurse"]),
                       json={}).status_code == 400
    timeline = client.get(f"/api/patients/{pid}", headers=auth(tokens["nurse"])).get_json()
    kinds = {e["kind"] for e in timeline["timeline"]}
    assert {"message", "task", "audit", "conversation"} <= kinds
    bad = client.post(f"/api/tasks/{tid}/resolve", headers=auth(tokens["nurse"]),
                      json={"resolution": "made-up"})
    assert bad.status_code == 400
    other = client.post(f"/api/tasks/{tid}/resolve", headers=auth(tokens["nurse2"]),
                        json={"resolution": "reached_patient"})
    assert other.status_code == 409
    done = client.post(f"/api/tasks/{tid}/resolve", headers=auth(tokens["nurse"]),
                       json={"resolution": "reached_patient", "note": "Spoke by phone"})
    assert done.status_code == 200
    body = done.get_json()
    assert body["status"] == "resolved" and body["first_contact_at"] is not None
    again = client.post(f"/api/tasks/{tid}/resolve", headers=auth(tokens["nurse"]),
                        json={"resolution": "reached_patient"})
    assert again.status_code == 409

    # The nurse no longer has open work for the patient: the timeline is closed to her.
    assert client.get(f"/api/patients/{pid}", headers=auth(tokens["nurse"])).status_code == 404


def test_reply_to_opted_out_patient_is_refused(client: Any, database_url: str,
                                               tokens: dict) -> None:
    pid = add_patient(database_url, consent="revoked")
    tid = add_task(database_url, pid)
    response = client.post(f"/api/tasks/{tid}/reply", headers=auth(tokens["nurse"]),
                           json={"body": "hello"})
    assert response.status_code == 409 and "opted out" in response.get_json()["error"]


def test_two_claims_at_once_exactly_one_wins(any_database_url: str) -> None:
    """Eight people claim one task at the same moment, on SQLite and on PostgreSQL."""
    pid = add_patient(any_database_url)
    tid = add_task(any_database_url, pid, priority="urgent")
    db = get_database(any_database_url)
    barrier = threading.Barrier(8)
    results: dict[str, tasks_repo.ClaimResult] = {}
    errors: list[BaseException] = []

    def attempt(email: str) -> None:
        try:
            barrier.wait()
            with db.session() as s:
                results[email] = tasks_repo.claim(s, tid, email, utcnow())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(f"n{i}@clinic.test",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    winners = [e for e, r in results.items() if r.won]
    assert len(winners) == 1
    assert all(r.holder == winners[0] for r in results.values())
    with db.session() as s:
        task = s.scalars(select(FollowUpTask).where(FollowUpTask.id == tid)).one()
        assert task.assignee == winners[0] and task.status == "claimed"
