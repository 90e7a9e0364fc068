"""The campaigns page in Chromium (Playwright) against the real app on a loopback port: a
supervisor sees the refill pilot at its first stage, previews the plan, opens the next stage
with the keyboard, and the page says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import chromium
import pytest
from panel_support import import_resources
from stack_support import make_stack

from bot.devtools import fhir_samples as fx
from bot.store import users as users_store
from bot.store.db import get_database
from bot.store.models import utcnow

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium.launch()


@pytest.fixture(scope="module")
def live(database_url: str, redis_url: str, fake_twilio: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from make_stack(database_url, redis_url, fake_twilio, tmp_path_factory.mktemp("cb"))


def test_supervisor_reviews_plan_and_opens_next_stage(browser: Any, live: Any) -> None:
    url = live.database_url
    with get_database(url).session() as s:
        users_store.add_user(s, "sue@clinic.test", "supervisor", password=PASSWORD)
    due_on = utcnow().date() + timedelta(days=4)
    handed = due_on - timedelta(days=30)
    import_resources(url, [fx.patient("b1", "Bea", "Ng", mobile="617-555-0951"),
                           fx.med_request("rb1", "b1", authored=handed),
                           fx.dispense("db1", "b1", "rb1", handed_over=handed)], utcnow())
    page = browser.new_page()
    page.goto(live.base_url + "/login")
    page.get_by_label("Email").fill("sue@clinic.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Campaigns").click()
    row = page.locator("#campaign-refill_due")
    assert "stage 1 of 4: 5 patients" in row.locator(".stage").inner_text()
    row.get_by_role("link", name="Plan").click()
    assert "Bea N." in page.locator("#plan").inner_text()
    page.go_back()
    button = page.locator("#campaign-refill_due").get_by_role("button",
                                                              name="Open the next stage")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "refill_due: now at stage 2 of 4: 25 patients" in page.locator(".flashes").inner_text()
    assert "opened by sue@clinic.test" in page.locator("#campaign-refill_due").inner_text()
