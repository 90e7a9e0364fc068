"""/flows through the Flask test client on a real database: every flow listed, one drawn with its
texts in the language chosen and each translation's review state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from bot.store import users as users_store
from bot.store.db import get_database

PASSWORD = "correct horse battery staple"
GUIDE = Path(__file__).parents[2] / "conversation_flows" / "README.md"


def flows_folder(tmp: Path) -> Path:
    """The shipped refill flow and the guide's flu-shot example, in a folder of their own."""
    folder = tmp / "flows"
    folder.mkdir()
    shipped = GUIDE.parent
    (folder / "refill_reminder.yaml").write_text((shipped / "refill_reminder.yaml").read_text("utf-8"))
    guide = GUIDE.read_text(encoding="utf-8")
    flu = re.search(r"<!-- worked-example:flu_vaccine.yaml -->\n```yaml\n(.*?)```", guide, re.S)
    assert flu is not None
    (folder / "flu_vaccine.yaml").write_text(flu.group(1))
    return folder


@pytest.fixture
def client(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Any]:
    from bot.app import create_app

    app = create_app({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "TWILIO_AUTH_TOKEN": "test-auth-token", "PUBLIC_BASE_URL": "http://localhost",
        "SECRET_KEY": "test-secret-key-0123456789", "PROGRAM_CONTACT": "555-0100",
        "OUTREACH_FLOWS_DIR": str(flows_folder(tmp_path)), "TESTING": True,
    })
    yield app.test_client()


def login(client: Any, database_url: str, email: str, role: str) -> None:
    with get_database(database_url).session() as s:
        users_store.add_user(s, email, role, password=PASSWORD)
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)})


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_flow_pages_show_states_answers_timeouts_tasks_and_translations(client: Any, database_url: str) -> None:
    assert client.get("/flows").status_code == 302  # sign in first
    login(client, database_url, "pm@clinic.test", "supervisor")
    index = text_of(client.get("/flows").get_data(as_text=True))
    assert "flu vaccine Offer a flu shot and book the day the patient picks." in index
    assert "refill reminder" in index

    html = client.get("/flows/flu_vaccine").get_data(as_text=True)
    page = text_of(html)
    assert 'id="state-ask_reminder"' in html and "reminder for ask , with the same answers" in page
    assert "no reply for 3 days → goes to ask reminder" in page
    assert "no reply for 2 days → goes to no answer" in page
    assert "not understood after 1 re-ask → goes to call me" in page
    assert "yes / 1 → goes to pick day" in page
    assert "task scheduling · routine: Book a flu shot on {day:date}." in page
    assert "ends booked (counted as success)" in page
    assert "ends already vaccinated (counted as success)" in page
    assert "source text" in page and "English is the source text." in page

    es = text_of(client.get("/flows/refill_reminder?lang=es").get_data(as_text=True))
    assert "machine-drafted, not reviewed" in es and "English: Hi {first_name}" in es
    assert "Hola, {first_name}. Le escribe su equipo de salud." in es  # the Spanish translation is shown
    assert "machine-drafted and not yet reviewed by a qualified medical translator" in es
    flu_es = text_of(client.get("/flows/flu_vaccine?lang=es").get_data(as_text=True))
    assert "no translation" in flu_es  # a new flow's texts are not in the catalogs yet

    assert client.get("/flows/nope").status_code == 404


def test_the_integration_account_cannot_see_flows(client: Any, database_url: str) -> None:
    login(client, database_url, "ehr@clinic.test", "integration")
    assert client.get("/flows").status_code == 403
