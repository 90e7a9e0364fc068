"""The care team's day in a real browser: Chromium driven by Playwright against the real app,
Redis, RQ workers and the Twilio stand-in.

A new pharmacist signs in with the keyboard only, sees an urgent task that a patient's text
created seconds earlier appear in the open queue without reloading, reads the conversation,
answers the patient (the text reaches the stand-in), and resolves the task. Accessibility
basics are checked on the way: labels, focus order, visible focus and text contrast.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from stack_support import daytime_timezone, make_stack
from triage_support import PASSWORD, add_patient, add_task, add_user

from bot import settings as settings_mod
from bot.store.db import get_database
from bot.store.models import FollowUpTask, Message, Patient

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: WCAG 2.1 AA minimum contrast for normal text.
MIN_CONTRAST = 4.5


def ensure_chromium() -> str:
    """Debian's chromium: installed with apt when missing and we are root; never downloaded."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing and cannot be installed (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
    result = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env,
                            capture_output=True, timeout=1200)
    if result.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.skip("apt-get install chromium failed: "
                    + result.stderr.decode(errors="replace")[-300:])
    return CHROMIUM


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
def live(database_url: str, redis_url: str, fake_twilio: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The whole product served on a loopback port; the queue page polls every second."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRIAGE_POLL_SECONDS", "1")
        yield from make_stack(database_url, redis_url, fake_twilio,
                              tmp_path_factory.mktemp("browser"))


# --- accessibility helpers (run in the page) ---------------------------------------------------

UNLABELLED_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML)
"""

CONTRAST_JS = """
(selectors) => {
  function parse(c) {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(',').map(x => parseFloat(x));
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  }
  function lum(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  }
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
      const fg = parse(getComputedStyle(el).color), bg = background(el);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      out.push({sel, text: el.textContent.trim().slice(0, 40), ratio: (a + 0.05) / (b + 0.05)});
    }
  }
  return out;
}
"""

KEY_TEXT = ["body", "h1", "h2", "a", "label", "button", ".button", ".badge", "th", "td", ".hint",
            ".flash", ".meta", "p"]


def assert_accessible(page: Any) -> None:
    assert page.evaluate(UNLABELLED_JS) == [], "form fields without a label"
    assert page.locator("main").count() == 1 and page.locator("header").count() == 1
    results = page.evaluate(CONTRAST_JS, KEY_TEXT)
    assert results, "no text found to check"
    low = [r for r in results if r["ratio"] < MIN_CONTRAST]
    assert low == [], f"text below {MIN_CONTRAST}:1 contrast: {low[:5]}"


def focused(page: Any) -> dict[str, str]:
    return page.evaluate("""() => { const e = document.activeElement;
        const s = getComputedStyle(e);
        return {id: e.id, tag: e.tagName, type: e.type || '', text: (e.value || e.textContent || '').trim(),
                outline: s.outlineStyle + ' ' + s.outlineWidth}; }""")


def keyboard_login(page: Any, base_url: str, email: str) -> None:
    """Sign in with the keyboard only, checking the tab order reaches the fields in order."""
    page.goto(base_url + "/tasks")
    assert "/login" in page.url
    assert_accessible(page)
    assert focused(page)["id"] == "email"  # autofocus
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    button = focused(page)
    assert (button["tag"], button["text"]) == ("INPUT", "Sign in")
    assert not button["outline"].startswith("none"), "focus is not visible"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/tasks"), page.url


def _patient_in_conversation(live: Any) -> tuple[int, str]:
    from bot.cli.pipeline import start_campaign

    pid = add_patient(live.database_url, first_name="Rosa", locale="es",
                      timezone=daytime_timezone())
    with get_database(live.database_url).session() as s:
        patient = s.get(Patient, pid)
        patient.attributes = {"due_date": "2026-12-01"}
        for other in s.scalars(select(Patient).where(Patient.id != pid,
                                                     Patient.phone_status.is_(None))):
            other.phone_status = "test-skip"
        phone = patient.phone
    assert start_campaign(settings_mod.load(live.env), "refill_reminder") == [pid]
    live.drain()
    assert len(live.fake.messages(to=phone)) == 1
    return pid, phone


def test_new_pharmacist_handles_urgent_text_end_to_end(browser: Any, live: Any) -> None:
    pid, phone = _patient_in_conversation(live)
    assert live.text_in(phone, "2").status_code == 200  # something is in the way
    live.drain()

    add_user(live.database_url, "new.pharmacist@clinic.test", "pharmacist", name="Pat Pharmacist")
    context = browser.new_context()
    page = context.new_page()
    keyboard_login(page, live.base_url, "new.pharmacist@clinic.test")
    assert_accessible(page)

    # The patient answers "4: I ran out"; the flow hands off to pharmacy as urgent.
    assert live.text_in(phone, "4").status_code == 200
    live.drain()
    with get_database(live.database_url).session() as s:
        task = s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)).one()
        assert (task.team, task.priority, task.status) == ("pharmacy", "urgent", "open")
        tid = task.id

    # ...and shows up in the open queue without a reload, announced and highlighted.
    row = page.locator(f'tr[data-task-id="{tid}"]')
    row.wait_for(timeout=15_000)
    assert "is-urgent" in (row.get_attribute("class") or "")
    assert "urgent" in page.locator("#queue-live").inner_text(timeout=5_000)
    assert_accessible(page)

    row.get_by_role("link", name=f"#{tid} ").click()
    page.wait_for_url(f"**/tasks/{tid}")
    thread = page.locator("#thread").inner_text()
    assert "Rosa" in thread and "Delivery: delivered" in thread  # the reminder, delivered
    patient_lines = [b for b in page.locator("#thread li.msg-in .body").all_inner_texts()]
    assert patient_lines == ["2", "4"]
    assert_accessible(page)

    reply_text = "Hola Rosa, soy su farmacéutica. Su medicina estará lista hoy a las 3."
    page.get_by_label("Reply to the patient by text").fill(reply_text)
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_load_state()
    assert "Reply queued for sending" in page.locator(".flashes").inner_text()
    live.drain()
    assert any(m["body"] == reply_text for m in live.fake.messages(to=phone))
    with get_database(live.database_url).session() as s:
        sent = s.scalars(select(Message).where(Message.body == reply_text)).one()
        assert sent.status in ("sent", "delivered") and sent.twilio_sid
        task = s.get(FollowUpTask, tid)
        assert task.assignee == "new.pharmacist@clinic.test" and task.first_contact_at

    # The patient's next text comes back to the same task.
    assert live.text_in(phone, "Gracias, paso a las 3").status_code == 200
    live.drain()
    page.reload()
    assert "Gracias, paso a las 3" in page.locator("#thread").inner_text()

    page.get_by_label("Outcome").select_option("refill_arranged")
    page.get_by_label("Closing note").fill("Refill ready at 3; she will pick it up.")
    page.get_by_role("button", name="Resolve task").click()
    page.wait_for_load_state()
    assert "Task resolved." in page.locator(".flashes").inner_text()
    assert page.locator("#task-status").inner_text().startswith("Resolved")
    with get_database(live.database_url).session() as s:
        task = s.get(FollowUpTask, tid)
        assert (task.status, task.resolution) == ("resolved", "refill_arranged")
    context.close()


def test_two_people_claim_at_once_in_the_browser(browser: Any, live: Any) -> None:
    pid = add_patient(live.database_url, first_name="Luis")
    tid = add_task(live.database_url, pid, team="pharmacy", priority="urgent",
                   reason="Ran out of insulin")
    pages = []
    for email in ("claim.a@clinic.test", "claim.b@clinic.test"):
        add_user(live.database_url, email, "pharmacist")
        context = browser.new_context()
        page = context.new_page()
        keyboard_login(page, live.base_url, email)
        page.goto(f"{live.base_url}/tasks/{tid}")
        pages.append(page)
    # Each browser's claim request is held at the browser until both are on their way, then
    # both are let go together: the two POSTs reach the app concurrently, as when two people
    # press the button in the same instant, rather than one after the other's answer.
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    for page in pages:
        page.route(f"**/tasks/{tid}/claim", hold)
    for page in pages:
        page.get_by_role("button", name="Claim this task").click(no_wait_after=True)
    deadline = time.monotonic() + 15
    while len(held) < 2:
        assert time.monotonic() < deadline, f"only {len(held)} claim request(s) were sent"
        pages[0].wait_for_timeout(20)  # lets Playwright deliver the route events
    assert all(page.url.endswith(f"/tasks/{tid}") for page in pages)  # neither answered yet
    for route in held:
        route.continue_()
    for page in pages:
        page.wait_for_selector(".flashes", timeout=15_000)
    flashes = [page.locator(".flashes").inner_text() for page in pages]
    winners = [f for f in flashes if "You have this task now." in f]
    losers = [f for f in flashes if "has this task" in f]
    assert len(winners) == 1 and len(losers) == 1, flashes
    with get_database(live.database_url).session() as s:
        holder = s.get(FollowUpTask, tid).assignee
    assert holder in ("claim.a@clinic.test", "claim.b@clinic.test") and holder in losers[0]
    for page in pages:
        page.context.close()
