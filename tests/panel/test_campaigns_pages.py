"""/campaigns and /campaigns/<name>/plan through the Flask test client on a real database."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from panel_support import import_resources

from bot.devtools import fhir_samples as fx
from bot.store import users as users_store
from bot.store.db import get_database
from bot.store.models import utcnow

PASSWORD = "correct horse battery staple"


def add_user(url: str, email: str, role: str) -> None:
    with get_database(url).session() as s:
        users_store.add_user(s, email, role, password=PASSWORD)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: Any, email: str) -> None:
    token = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def test_campaign_pages(client: Any, database_url: str) -> None:
    add_user(database_url, "sue@clinic.test", "supervisor")
    add_user(database_url, "nina@clinic.test", "nurse")
    add_user(database_url, "ehr@clinic.test", "integration")
    due_on = utcnow().date() + timedelta(days=5)
    handed = due_on - timedelta(days=30)
    import_resources(database_url, [
        fx.patient("w1", "Wen", "Li", mobile="617-555-0901"),
        fx.med_request("rw1", "w1", authored=handed),
        fx.dispense("dw1", "w1", "rw1", handed_over=handed),
        fx.episode("ew1", "w9", start=date(2026, 1, 1)),  # a patient with no number on file
    ], utcnow())

    assert client.get("/campaigns").status_code == 302  # sign-in first
    login(client, "nina@clinic.test")
    page = client.get("/campaigns").get_data(as_text=True)
    assert "refill_due" in page and "stage 1 of 4: 5 patients" in page
    assert "Open the next stage" not in page  # nurses review; supervisors approve
    plan = client.get("/campaigns/refill_due/plan?days=7").get_data(as_text=True)
    assert "Wen L. (#" in plan and "start" in plan and "3 days before" in plan
    checkin = client.get("/campaigns/program_checkin/plan").get_data(as_text=True)
    assert "no reachable number" in checkin
    assert client.get("/campaigns/nope/plan").status_code == 404
    assert client.post("/campaigns/refill_due/advance").status_code in (400, 403)

    client.post("/logout", data={"csrf_token": csrf(client.get("/campaigns").get_data(as_text=True))})
    login(client, "sue@clinic.test")
    page = client.get("/campaigns").get_data(as_text=True)
    done = client.post("/campaigns/refill_due/advance", data={"csrf_token": csrf(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "refill_due: now at stage 2 of 4: 25 patients" in done
    assert "opened by sue@clinic.test" in done
