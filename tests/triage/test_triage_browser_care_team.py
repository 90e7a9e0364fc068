"""A care team's day in Chromium, on SQLite and PostgreSQL: one voice per patient, finding a
patient, reading Arabic, an approved reply in Spanish from an English-speaking nurse, the phone
layout, and an axe-core accessibility check of every staff page.

Set TRIAGE_SCREENSHOTS to a folder to also save the queue, a task and the registry at desktop
and phone widths there (docs/screenshots holds the ones the README shows).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    axe_violations,
    ensure_chromium,
    sign_in,
)
from sqlalchemy import select
from stack_support import daytime_timezone
from triage_support import add_patient, add_task, add_user, hours

from bot.store.db import get_database
from bot.store.models import FollowUpTask, Message, Patient, utcnow

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = ensure_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def team(stack: Any) -> dict[str, str]:
    add_user(stack.database_url, "dana@clinic.test", "nurse", name="Dana Nurse")
    add_user(stack.database_url, "omar@clinic.test", "nurse", name="Omar Nurse")
    add_user(stack.database_url, "sue@clinic.test", "supervisor", name="Sue Supervisor")
    return {"dana": "dana@clinic.test", "omar": "omar@clinic.test", "sue": "sue@clinic.test"}


def _page(browser: Any, stack: Any, email: str, viewport: dict | None = None,
          bypass_csp: bool = False) -> Any:
    context = browser.new_context(viewport=viewport or DESKTOP, bypass_csp=bypass_csp,
                                  locale="en-US")
    page = context.new_page()
    sign_in(page, stack.base_url, email)
    return page


def _flashes(page: Any) -> str:
    return page.locator(".flashes").inner_text(timeout=10_000)


def _sent_to(stack: Any, pid: int) -> list[str]:
    with get_database(stack.database_url).session() as s:
        phone = s.get(Patient, pid).phone
    return [m["body"] for m in stack.fake.messages(to=phone)]


def test_claim_banner_and_a_refused_stale_reply(browser: Any, stack: Any, team: dict) -> None:
    pid = add_patient(stack.database_url, first_name="Grace", locale="en",
                      timezone=daytime_timezone())
    tid = add_task(stack.database_url, pid, priority="urgent", reason="Crisis words in a reply",
                   inbound="I can't do this anymore")
    dana = _page(browser, stack, team["dana"])
    dana.goto(f"{stack.base_url}/tasks/{tid}")
    with dana.expect_navigation():
        dana.get_by_role("button", name="Claim this task").click()
    assert "You are answering this patient" in dana.locator("#claim-banner").inner_text()

    omar = _page(browser, stack, team["omar"])
    omar.goto(f"{stack.base_url}/tasks/{tid}")
    banner = omar.locator("#claim-banner").inner_text()
    assert "Dana Nurse is answering this patient since" in banner
    omar.get_by_label("Reply to the patient by text").fill("Hi Grace, this is Omar.")
    with omar.expect_navigation():
        omar.get_by_role("button", name="Send reply").click()
    assert "your reply was not sent" in _flashes(omar)

    # Omar's page stays open; meanwhile Dana resolves the task.
    omar.get_by_label("Reply to the patient by text").fill("Hi Grace, this is Omar.")
    omar.get_by_label("Take over from them").check()
    dana.get_by_label("Outcome").select_option("referred")
    dana.get_by_label("Closing note").fill("Warm hand-off to the crisis line; she is safe.")
    with dana.expect_navigation():
        dana.get_by_role("button", name="Resolve task").click()
    assert "Task resolved." in _flashes(dana)

    with omar.expect_navigation():
        omar.get_by_role("button", name="Send reply").click()
    flash = _flashes(omar)
    assert "This task changed while your page was open" in flash
    assert "resolved by Dana Nurse (Referred to another service)" in flash
    assert omar.locator("#task-status").inner_text().startswith("Resolved")
    stack.drain()
    assert _sent_to(stack, pid) == []
    for page in (dana, omar):
        page.context.close()


def test_patient_search_by_phone_and_name(browser: Any, stack: Any, team: dict) -> None:
    pid = add_patient(stack.database_url, first_name="Teodoro", phone="+16175550999",
                      consent="revoked")
    page = _page(browser, stack, team["sue"])
    page.get_by_role("link", name="Patients").click()
    page.wait_for_url("**/patients")
    page.get_by_label("Name, phone or reference (MRN)").fill("(617) 555-0999")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    rows = page.locator("#patients-table tbody tr")
    assert rows.count() == 1 and "Teodoro" in rows.first.inner_text()
    assert "Opted out (STOP)" in rows.first.inner_text()
    page.get_by_label("Name, phone or reference (MRN)").fill("teodoro")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("link", name="Teodoro Test").click()
    page.wait_for_url(f"**/patients/{pid}")
    assert page.get_by_role("link", name="(617) 555-0999").get_attribute("href") == \
        "tel:+16175550999"
    page.context.close()


def test_an_arabic_thread_reads_right_to_left(browser: Any, stack: Any, team: dict) -> None:
    pid = add_patient(stack.database_url, first_name="Layla", locale="ar")
    tid = add_task(stack.database_url, pid, inbound="نفد الدواء، الموعد الساعة ٧:٠٠ م")
    page = _page(browser, stack, team["dana"])
    page.goto(f"{stack.base_url}/tasks/{tid}")
    body = page.locator("#thread li.msg-in .body").first
    assert body.get_attribute("lang") == "ar"
    assert body.evaluate("e => getComputedStyle(e).direction") == "rtl"
    box = page.get_by_label("Reply to the patient by text")
    assert box.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert box.get_attribute("lang") == "ar"
    english = page.locator("#task-facts dt").first
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.context.close()


def test_an_english_nurse_sends_an_approved_reply_in_spanish(
        browser: Any, stack: Any, team: dict) -> None:
    pid = add_patient(stack.database_url, first_name="Rosa", locale="es",
                      timezone=daytime_timezone())
    tid = add_task(stack.database_url, pid, team="nursing", inbound="¿Ya está mi medicina?")
    page = _page(browser, stack, team["dana"])
    page.goto(f"{stack.base_url}/tasks/{tid}")
    page.get_by_label("Approved reply").select_option(
        label="Your refill is ready. You can pick it up at the pharmacy today.")
    spanish = "Su resurtido está listo. Puede recogerlo hoy en la farmacia."
    assert page.get_by_label("Reply to the patient by text").input_value() == spanish
    assert page.locator("#canned-preview").is_visible()
    assert "Machine draft" in page.locator("#canned-review").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Send reply").click()
    assert "Reply queued for sending" in _flashes(page)
    stack.drain()
    assert _sent_to(stack, pid) == [spanish]
    with get_database(stack.database_url).session() as s:
        sent = s.scalars(select(Message).where(Message.patient_id == pid,
                                               Message.direction == "out")).one()
        assert sent.status in ("sent", "delivered") and sent.locale == "es"
        assert s.get(FollowUpTask, tid).assignee == team["dana"]
    page.context.close()


def test_the_phone_layout_puts_the_task_actions_first(
        browser: Any, stack: Any, team: dict) -> None:
    pid = add_patient(stack.database_url, first_name="Minh", locale="vi")
    tid = add_task(stack.database_url, pid, priority="high", reason="Cannot afford the copay",
                   inbound="Thuốc mắc quá, tôi không mua được", created=utcnow() - hours(1))
    page = _page(browser, stack, team["dana"], viewport=PHONE)
    page.goto(f"{stack.base_url}/tasks")
    assert page.locator("#filters-toggle").get_attribute("open") is None
    row = page.locator(f'tr[data-task-id="{tid}"]')
    assert row.evaluate("e => getComputedStyle(e).display") == "block"  # a card, not a row
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the queue scrolls sideways ({width}px)"

    page.goto(f"{stack.base_url}/tasks/{tid}")
    claim = page.get_by_role("button", name="Claim this task").bounding_box()
    assert claim and claim["y"] + claim["height"] <= PHONE["height"], claim
    call = page.locator('#task-actions a[href^="tel:"]').bounding_box()
    assert call and call["y"] + call["height"] <= PHONE["height"], call
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the task page scrolls sideways ({width}px)"
    page.context.close()


def test_every_staff_page_passes_axe(browser: Any, stack: Any, team: dict) -> None:
    pid = add_patient(stack.database_url, first_name="Axel", locale="ko")
    tid = add_task(stack.database_url, pid, priority="urgent", created=utcnow() - hours(5),
                   inbound="약이 떨어졌어요")
    anonymous = browser.new_context(bypass_csp=True)
    login_page = anonymous.new_page()
    login_page.goto(stack.base_url + "/login")
    pages = {"sign in": login_page}
    for viewport in (DESKTOP, PHONE):
        page = _page(browser, stack, team["sue"], viewport=viewport, bypass_csp=True)
        for path in ("/tasks", f"/tasks/{tid}", f"/patients/{pid}", "/patients?q=axel",
                     "/dashboard", "/campaigns", "/tasks/999999", "/tasks?status=resolved"):
            page.goto(stack.base_url + path)
            found = axe_violations(page)
            assert found == [], f"{path} at {viewport['width']}px: {found}"
        to_resolve = add_task(stack.database_url, add_patient(stack.database_url))
        page.goto(f"{stack.base_url}/tasks/{to_resolve}")
        page.get_by_label("Outcome").select_option("not_needed")
        with page.expect_navigation():
            page.get_by_role("button", name="Resolve task").click()
        assert axe_violations(page) == [], "the resolved task with Next task"
        page.context.close()
    for name, page in pages.items():
        assert axe_violations(page) == [], name
    # The check can fail: an unlabelled field added to the page is reported.
    login_page.evaluate("() => document.querySelector('main').insertAdjacentHTML("
                        "'beforeend', '<input type=text id=broken>')")
    assert [v["id"] for v in axe_violations(login_page)] == ["label"]
    anonymous.close()


def test_screenshots_for_the_readme(browser: Any, stack: Any, team: dict) -> None:
    """Saves the README's screenshots when TRIAGE_SCREENSHOTS names a folder."""
    folder = os.environ.get("TRIAGE_SCREENSHOTS")
    if not folder or "sqlite" not in stack.database_url:
        pytest.skip("set TRIAGE_SCREENSHOTS=docs/screenshots to refresh the README's pictures")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    people = [("Amal", "ar", "urgent", 5, "Ran out of medicine", "ran out of the medicine",
               "نفد الدواء ولا أستطيع الحصول عليه"),
              ("Rosa", "es", "high", 1, "Side effects from a new medicine",
               "side effects (in the patient's words)", "me da mucho mareo la pastilla nueva"),
              ("Minh", "vi", "routine", 30, "Cannot afford the copay", "cost",
               "Thuốc mắc quá, tôi không mua được"),
              ("Jean", "ht", "low", 2, "Asks to move the appointment", None,
               "Èske m ka chanje randevou a pou semèn pwochèn?")]
    first = None
    surnames = {"Amal": "Haddad", "Rosa": "Delgado", "Minh": "Nguyen", "Jean": "Pierre"}
    for name, lang, priority, age, reason, understood, words in people:
        pid = add_patient(stack.database_url, first_name=name, locale=lang)
        with get_database(stack.database_url).session() as s:
            s.get(Patient, pid).last_name = surnames[name]
        # The pharmacy team's queue holds only these, so the pictures show just them.
        tid = add_task(stack.database_url, pid, team="pharmacy", priority=priority,
                       created=now - hours(age), reason=reason, inbound=words,
                       understood=understood)
        first = first or tid
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = _page(browser, stack, team["sue"], viewport=viewport)
        for what, path in (("queue", "/tasks?team=pharmacy"), ("task", f"/tasks/{first}"),
                           ("registry", "/patients?team=pharmacy")):
            page.goto(stack.base_url + path)
            page.screenshot(path=str(out / f"{what}-{label}.png"), full_page=False)
        page.context.close()
