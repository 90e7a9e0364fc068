"""The patient registry: find anyone by name, phone or reference; filters; team visibility; audit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from triage_support import add_patient, add_task, add_user, login

from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, Patient, utcnow
from bot.store.registry import phone_query


@pytest.fixture(scope="module")
def people(database_url: str) -> dict[str, str]:
    add_user(database_url, "reg.nurse@clinic.test", "nurse", name="Rita Nurse")
    add_user(database_url, "reg.sched@clinic.test", "scheduler", name="Sol Scheduler")
    add_user(database_url, "reg.super@clinic.test", "supervisor", name="Sue Supervisor")
    return {"nurse": "reg.nurse@clinic.test", "scheduler": "reg.sched@clinic.test",
            "supervisor": "reg.super@clinic.test"}


@pytest.fixture(scope="module")
def patients(database_url: str) -> dict[str, int]:
    ids = {
        "amal": add_patient(database_url, first_name="Amal", locale="ar", phone="+16175550999"),
        "bao": add_patient(database_url, first_name="Bao", locale="vi"),
        "stopped": add_patient(database_url, first_name="Teresa", consent="revoked"),
    }
    with get_database(database_url).session() as s:
        s.get(Patient, ids["bao"]).external_ref = "MRN-00417"
        s.get(Patient, ids["amal"]).last_name = "Haddad"
        now = utcnow()
        s.add(Conversation(patient_id=ids["bao"], flow="appointment_recovery", version=1,
                           state="offer", status="active", campaign="missed_visits",
                           started_at=now, updated_at=now))
    add_task(database_url, ids["amal"], team="nursing", reason="Side effects")
    add_task(database_url, ids["bao"], team="scheduling", reason="Pick a time", flow=None)
    return ids


def _listed(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'data-patient-id="(\d+)"', html)}


@pytest.mark.parametrize("typed", ["617-555-0999", "(617) 555 0999", "+1 617 555 0999",
                                   "6175550999"])
def test_phone_search_normalises_what_was_typed(typed: str) -> None:
    assert phone_query(typed) == "+16175550999"


def test_find_by_name_phone_or_reference(client: Any, people: dict, patients: dict) -> None:
    login(client, people["supervisor"])
    assert _listed(client.get("/patients?q=haddad").get_data(as_text=True)) == {patients["amal"]}
    assert _listed(client.get("/patients?q=amal+HADDAD").get_data(as_text=True)) == {
        patients["amal"]}
    assert _listed(client.get("/patients?q=(617) 555-0999").get_data(as_text=True)) == {
        patients["amal"]}
    assert _listed(client.get("/patients?q=MRN-00417").get_data(as_text=True)) == {
        patients["bao"]}
    assert "No patients match" in client.get("/patients?q=nobody-like-this").get_data(
        as_text=True)


def test_registry_shows_what_staff_need_before_calling(
        client: Any, people: dict, patients: dict) -> None:
    login(client, people["supervisor"])
    html = client.get("/patients?q=MRN-00417").get_data(as_text=True)
    row = re.search(rf'data-patient-id="{patients["bao"]}">(.*?)</tr>', html, re.S)
    assert row
    cells = row.group(1)
    assert "Ref MRN-00417" in cells and "Vietnamese" in cells and "Texts allowed" in cells
    assert "Appointment recovery: “offer”" in cells
    assert re.search(r'data-label="Open tasks">1<', cells)
    assert 'href="tel:+1202555' in cells


def test_an_opted_out_patient_without_a_task_is_findable_and_filters_work(
        client: Any, people: dict, patients: dict) -> None:
    login(client, people["supervisor"])
    assert patients["stopped"] in _listed(client.get("/patients?consent=revoked").get_data(
        as_text=True))
    assert patients["amal"] not in _listed(client.get("/patients?consent=revoked").get_data(
        as_text=True))
    assert _listed(client.get("/patients?campaign=missed_visits").get_data(as_text=True)) == {
        patients["bao"]}
    by_team = _listed(client.get("/patients?team=nursing").get_data(as_text=True))
    assert patients["amal"] in by_team and patients["bao"] not in by_team
    page = client.get(f"/patients/{patients['stopped']}").get_data(as_text=True)
    assert "Opted out (STOP)" in page


def test_team_visibility_is_respected(client: Any, people: dict, patients: dict) -> None:
    login(client, people["nurse"])
    seen = _listed(client.get("/patients").get_data(as_text=True))
    assert patients["amal"] in seen
    assert patients["bao"] not in seen and patients["stopped"] not in seen
    assert _listed(client.get("/patients?q=MRN-00417").get_data(as_text=True)) == set()
    # A team the nurse is not on is ignored, not used to widen what she sees.
    assert patients["bao"] not in _listed(client.get("/patients?team=scheduling").get_data(
        as_text=True))


def test_the_registry_is_in_the_header_and_searches_are_audited(
        client: Any, database_url: str, people: dict, patients: dict) -> None:
    login(client, people["scheduler"])
    html = client.get("/tasks").get_data(as_text=True)
    assert re.search(r'<nav aria-label="Main">.*href="/patients".*</nav>', html, re.S)
    client.get("/patients?q=617-555-0999")
    client.get("/patients?q=MRN-00417")
    with get_database(database_url).session() as s:
        rows = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "staff_searched")
                              .order_by(AuditEvent.id)))
    mine = [r for r in rows if r.detail.get("by") == people["scheduler"]]
    assert [r.detail["patient_ids"] for r in mine] == [[], [patients["bao"]]]
    for r in mine:
        assert "617" not in str(r.detail) and "MRN" not in str(r.detail)
