"""The /flows page in headless Chromium (Playwright) against the real app on a loopback port: a
program manager opens the flu-shot flow from the guide, reads it as boxes from the start down,
follows an arrow to the reminder, and switches the texts to Spanish with the keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromium
import pytest
from stack_support import make_stack

from bot.store import users as users_store
from bot.store.db import get_database

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
SHIPPED = Path(__file__).parents[2] / "conversation_flows"

#: Contrast of the review-state badges against their background (WCAG AA for normal text: 4.5).
CONTRAST_JS = """
(sel) => Array.from(document.querySelectorAll(sel)).map(el => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const s = getComputedStyle(el);
  const [a, b] = [lum(rgb(s.color)), lum(rgb(s.backgroundColor))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
})
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium.launch()


@pytest.fixture(scope="module")
def live(database_url: str, redis_url: str, fake_twilio: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app with a flows folder holding the shipped refill flow and the guide's flu-shot flow."""
    folder = tmp_path_factory.mktemp("flows")
    (folder / "refill_reminder.yaml").write_text((SHIPPED / "refill_reminder.yaml").read_text("utf-8"))
    guide = (SHIPPED / "README.md").read_text(encoding="utf-8")
    flu = re.search(r"<!-- worked-example:flu_vaccine.yaml -->\n```yaml\n(.*?)```", guide, re.S)
    assert flu is not None
    (folder / "flu_vaccine.yaml").write_text(flu.group(1))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUTREACH_FLOWS_DIR", str(folder))
        yield from make_stack(database_url, redis_url, fake_twilio, tmp_path_factory.mktemp("fb"))


def test_program_manager_reviews_a_flow_and_its_spanish_texts(browser: Any, live: Any) -> None:
    with get_database(live.database_url).session() as s:
        users_store.add_user(s, "pm@clinic.test", "supervisor", password=PASSWORD)
    page = browser.new_page()
    page.goto(live.base_url + "/login")
    page.get_by_label("Email").fill("pm@clinic.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Flows").click()
    page.get_by_role("link", name="flu vaccine").click()
    assert page.url.endswith("/flows/flu_vaccine")

    # A picture, top down: the start box above what it leads to, boxes of one step side by side.
    ask, pick, reminder = (page.locator(f"#state-{n}") for n in ("ask", "pick_day", "ask_reminder"))
    assert "start" in ask.locator("h2").inner_text()
    a, p, r = ask.bounding_box(), pick.bounding_box(), reminder.bounding_box()
    assert a and p and r and a["y"] + a["height"] <= p["y"] and abs(p["y"] - r["y"]) < 1
    assert "Book a flu shot on {day:date}." in page.locator("#state-booked .flow-task").inner_text()
    assert "counted as success" in page.locator("#state-already").inner_text()

    # The overview drawing: one box per step, one arrow per way out, each box a link to its details.
    overview = page.locator("#flow-overview")
    assert overview.locator("a.node").count() == 8 and overview.locator("path.arrow").count() == 5 + 5 + 3
    assert "no reply for 3 days" in overview.locator("path.arrow-silence title").first.text_content()
    overview.locator('a[href="#state-booked"]').click()
    assert page.evaluate("document.querySelector(':target').id") == "state-booked"

    # An arrow is a link to the box it leads to.
    ask.get_by_role("link", name="ask reminder").click()
    assert page.url.endswith("#state-ask_reminder")
    assert page.evaluate("document.querySelector(':target').id") == "state-ask_reminder"
    assert "with the same answers" in reminder.inner_text()

    # Spanish, with the keyboard: the new flow's texts are not translated yet, and the page says so.
    page.get_by_label("Show the texts in").focus()
    page.keyboard.press("End")  # options are in catalog order; pick Spanish by value below
    page.get_by_label("Show the texts in").select_option("es")
    page.get_by_role("button", name="Show").press("Enter")
    page.wait_for_url(re.compile(r"lang=es"))
    badges = page.locator("#state-ask .review")
    assert badges.first.inner_text() == "no translation"
    assert "English: Hi {first_name}, it is time for your flu shot." in ask.inner_text()
    assert "machine-drafted" in page.locator("#catalog-state").inner_text()
    assert min(page.evaluate(CONTRAST_JS, ".review")) >= 4.5

    # The shipped flow in Spanish shows the drafted translation and its review state.
    page.goto(live.base_url + "/flows/refill_reminder?lang=es")
    first = page.locator("#state-ask .flow-text").first
    assert "Hola, {first_name}. Le escribe su equipo de salud." in first.inner_text()
    assert "machine-drafted, not reviewed" in first.locator(".review").inner_text()
    assert min(page.evaluate(CONTRAST_JS, ".review, .badge")) >= 4.5
