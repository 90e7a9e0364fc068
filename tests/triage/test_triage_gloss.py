"""The machine-translation gloss: off by default, shown marked as machine translation when an
operator configures a service (here the local stand-in), and absent when the service fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from triage_support import add_patient, add_task, add_user, login

from bot.devtools.fake_translator import FakeTranslator


@pytest.fixture()
def translator() -> Iterator[FakeTranslator]:
    fake = FakeTranslator()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def _app(database_url: str, redis_url: str, **extra: str) -> Any:
    from bot.app import create_app

    return create_app({"DATABASE_URL": database_url, "REDIS_URL": redis_url,
                       "TWILIO_AUTH_TOKEN": "test-auth-token",
                       "PUBLIC_BASE_URL": "http://localhost",
                       "SECRET_KEY": "test-secret-key-0123456789", "PROGRAM_CONTACT": "555-0100",
                       "TESTING": True, **extra})


def test_no_gloss_and_no_request_unless_configured(
        database_url: str, redis_url: str, translator: FakeTranslator) -> None:
    add_user(database_url, "gina@clinic.test", "nurse", name="Gina Nurse")
    tid = add_task(database_url, add_patient(database_url, locale="ar"),
                   inbound="نفد الدواء، الموعد ٧:٠٠ م")
    client = _app(database_url, redis_url).test_client()
    login(client, "gina@clinic.test")
    html = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert "Machine translation" not in html and translator.requests == []


def test_configured_gloss_is_marked_as_machine_translation(
        database_url: str, redis_url: str, translator: FakeTranslator) -> None:
    add_user(database_url, "hugo@clinic.test", "nurse", name="Hugo Nurse")
    tid = add_task(database_url, add_patient(database_url, locale="ar"),
                   inbound="نفد الدواء، الموعد ٧:٠٠ م")
    same = add_task(database_url, add_patient(database_url, locale="en"), inbound="I ran out")
    client = _app(database_url, redis_url,
                  TRANSLATION_GLOSS_URL=translator.url).test_client()
    login(client, "hugo@clinic.test")
    html = client.get(f"/tasks/{tid}").get_data(as_text=True)
    assert ('<dd id="task-gloss">The medicine ran out, the appointment is 7:00 PM '
            '<span class="hint">(machine translation, not reviewed') in html
    assert translator.requests == [{"text": "نفد الدواء، الموعد ٧:٠٠ م", "source": "ar",
                                    "target": "en"}]
    # Same language as the reader: nothing is sent.
    assert "task-gloss" not in client.get(f"/tasks/{same}").get_data(as_text=True)
    assert len(translator.requests) == 1
    # The service down: the page still works, without a gloss.
    translator.fail = True
    response = client.get(f"/tasks/{tid}")
    assert response.status_code == 200 and "task-gloss" not in response.get_data(as_text=True)
