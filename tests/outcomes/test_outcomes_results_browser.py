"""The results page in Chromium (Playwright) against the real app on a loopback port, after a
campaign with two wordings of its question ran through the real pipeline: the funnel, the
breakdowns, the charts (server-side SVG) and the variant comparison with its intervals, the
filters in the URL, and the download of one row per enrolment."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromium
import pytest
from sqlalchemy import select
from stack_support import daytime_timezone, make_stack

from bot import settings as settings_mod
from bot.cli.pipeline import start_campaign
from bot.store import users as users_store
from bot.store.db import get_database
from bot.store.enrolments import Enrolment
from bot.store.models import Patient

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
FLOWS = Path(__file__).parent / "flows"
#: Set to a file path to save a screenshot of the page (the README's picture).
SCREENSHOT = os.environ.get("RESULTS_SCREENSHOT")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium.launch()


@pytest.fixture(scope="module")
def live(database_url: str, redis_url: str, fake_twilio: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUTREACH_FLOWS_DIR", str(FLOWS))
        yield from make_stack(database_url, redis_url, fake_twilio,
                              tmp_path_factory.mktemp("rb"))


@pytest.fixture(scope="module")
def ran(live: Any) -> dict[str, Any]:
    """Twelve patients (four in Spanish) get the check-in; replies: 1, 2 or nothing."""
    phones: dict[str, str] = {}
    with get_database(live.database_url).session() as s:
        for n in range(12):
            ref = f"ab-{n:02d}"
            phone = "+1202557" + str(1000 + n)
            s.add(Patient(phone=phone, external_ref=ref, first_name="Ana",
                          locale="es" if n % 3 == 0 else "en", timezone=daytime_timezone()))
            phones[ref] = phone
    assert len(start_campaign(settings_mod.load(live.env), "checkin_ab")) == 12
    live.drain()
    answers = {ref: ("1" if i % 3 == 1 else "2" if i % 3 == 2 else None)
               for i, ref in enumerate(sorted(phones))}
    for ref, body in answers.items():
        if body:
            assert live.text_in(phones[ref], body).status_code == 200
    live.drain()
    with get_database(live.database_url).session() as s:
        assigned = {ref: variant for ref, variant in s.execute(
            select(Patient.external_ref, Enrolment.variant)
            .join(Patient, Patient.id == Enrolment.patient_id))}
        users_store.add_user(s, "sue@clinic.test", "supervisor", password=PASSWORD)
    return {"phones": phones, "answers": answers, "assigned": assigned}


def test_each_patient_got_the_wording_of_their_variant(live: Any, ran: dict[str, Any]) -> None:
    assert set(ran["assigned"].values()) == {"standard", "short"}
    for ref, variant in ran["assigned"].items():
        first = live.fake.messages(to=ran["phones"][ref])[0]["body"]
        assert ("doing well?" in first) == (variant == "short"), (ref, variant, first)


def _login(browser: Any, live: Any) -> Any:
    page = browser.new_page(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page.goto(live.base_url + "/login")
    page.get_by_label("Email").fill("sue@clinic.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _cells(page: Any, table: str, row: str) -> list[str]:
    return [c.strip() for c in page.locator(f"{table} tbody tr", has_text=row).first
            .locator("td").all_inner_texts()]


def test_results_page_shows_funnel_breakdowns_charts_and_variants(
        browser: Any, live: Any, ran: dict[str, Any]) -> None:
    page = _login(browser, live)
    page.get_by_role("link", name="Results").click()
    page.get_by_label("Campaign").select_option("checkin_ab")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "campaign=checkin_ab" in page.url, "filters live in the URL"
    replied = sum(1 for a in ran["answers"].values() if a)
    success = sum(1 for a in ran["answers"].values() if a == "1")
    funnel = _cells(page, "#funnel", "all")
    assert funnel[0] == "12"
    assert funnel[1].startswith("12 ") and funnel[2].startswith(f"{replied} ")
    assert funnel[3].startswith(f"{success} ")
    assert funnel[5].startswith(str(sum(1 for a in ran["answers"].values() if a == "2")))
    spanish = _cells(page, "#by-language", "es")
    assert spanish[0] == "4"
    for table in ("#by-language", "#by-channel", "#by-stage", "#by-variant", "#by-week"):
        assert page.locator(table).is_visible()
    # Charts are SVG drawn on the server, with the numbers in the tables beside them.
    assert page.locator("#funnel-chart svg").count() == 1
    assert page.locator("#language-chart svg").count() == 1
    comparison = page.locator("#variant-comparison").inner_text()
    assert "95% CI" in comparison and "standard" in comparison and "short" in comparison
    verdicts = page.locator(".verdict").all_inner_texts()
    assert any("Not yet distinguishable from chance" in v for v in verdicts)
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)

    # A shared link shows the same view; the download has one row per enrolment.
    shared = browser.new_page()
    shared.goto(page.url)
    assert "/login" in shared.url, "a shared link still needs a signed-in user"
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV (one row per enrolment)").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert len(rows) == 12 and {r["campaign"] for r in rows} == {"checkin_ab"}
    assert sum(int(r["replies"]) for r in rows) == replied
    assert not any("+1202557" in v for r in rows for v in r.values())


def test_the_page_reads_without_javascript(browser: Any, live: Any, ran: dict[str, Any]) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live.base_url + "/login")
    page.get_by_label("Email").fill("sue@clinic.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live.base_url + "/results?campaign=checkin_ab&since=2000-01-01")
    assert _cells(page, "#funnel", "all")[0] == "12"
    assert page.locator("script").count() == 0
    context.close()


def test_bad_filters_are_a_clear_400(browser: Any, live: Any, ran: dict[str, Any]) -> None:
    page = _login(browser, live)
    response = page.goto(live.base_url + "/results?since=yesterday")
    assert response is not None and response.status == 400
    flash = page.locator(".flashes").inner_text()
    assert "since: 'yesterday' is not a date (YYYY-MM-DD)" in flash
    assert page.locator("#funnel").is_visible(), "the page still shows the default period"
