"""Urgency first: an overdue crisis heads the queue and looks it; the counts filter; next task."""

from __future__ import annotations

import re
from typing import Any

import pytest
from triage_support import add_patient, add_task, add_user, hours, login, post_form

from bot.store.models import utcnow


@pytest.fixture(scope="module")
def people(database_url: str) -> dict[str, str]:
    add_user(database_url, "una@clinic.test", "nurse", name="Una Nurse")
    return {"nurse": "una@clinic.test"}


def _rows(html: str) -> list[tuple[int, str]]:
    return [(int(t), cls) for cls, t in re.findall(r'<tr class="([^"]*)" data-task-id="(\d+)"',
                                                   html)]


def test_overdue_urgent_is_pinned_on_top_with_the_strongest_styling(
        client: Any, database_url: str, people: dict) -> None:
    now = utcnow()
    fresh_urgent = add_task(database_url, add_patient(database_url), priority="urgent",
                            reason="New crisis")
    old_urgent = add_task(database_url, add_patient(database_url), priority="urgent",
                          created=now - hours(3), reason="Old crisis")
    old_routine = add_task(database_url, add_patient(database_url), priority="routine",
                           created=now - hours(40), reason="Old routine")
    login(client, people["nurse"])
    rows = _rows(client.get("/tasks").get_data(as_text=True))
    order = [t for t, _ in rows if t in (fresh_urgent, old_urgent, old_routine)]
    assert order == [old_urgent, fresh_urgent, old_routine]
    styles = dict(rows)
    assert "is-critical" in styles[old_urgent] and "is-urgent" in styles[old_urgent]
    assert "is-critical" not in styles[fresh_urgent] and "is-urgent" in styles[fresh_urgent]
    assert "is-overdue" in styles[old_routine] and "is-urgent" not in styles[old_routine]
    css = client.get("/staff-static/staff.css").get_data(as_text=True)
    assert "tr.is-critical" in css


def test_counts_for_urgent_overdue_unassigned_are_links_that_filter(
        client: Any, database_url: str, people: dict) -> None:
    now = utcnow()
    urgent = add_task(database_url, add_patient(database_url), priority="urgent")
    overdue = add_task(database_url, add_patient(database_url), priority="low",
                       created=now - hours(100))
    calm = add_task(database_url, add_patient(database_url), priority="routine")
    login(client, people["nurse"])
    html = client.get("/tasks").get_data(as_text=True)
    counts = re.search(r'id="queue-counts"[^>]*>(.*?)</ul>', html, re.S)
    assert counts
    links = dict((label, href) for href, label in re.findall(
        r'<a href="([^"]+)"[^>]*><strong>\d+</strong> (\w+)</a>', counts.group(1)))
    assert {"urgent", "overdue", "unassigned"} <= set(links)

    def ids(url: str) -> set[int]:
        return {t for t, _ in _rows(client.get(url.replace("&amp;", "&")).get_data(as_text=True))}

    assert urgent in ids(links["urgent"]) and calm not in ids(links["urgent"])
    assert overdue in ids(links["overdue"]) and calm not in ids(links["overdue"])
    assert {urgent, overdue, calm} <= ids(links["unassigned"])
    post_form(client, f"/tasks/{calm}", f"/tasks/{calm}/claim", {})
    assert calm not in ids(links["unassigned"])


def test_next_task_after_resolving(client: Any, database_url: str, people: dict) -> None:
    pid = add_patient(database_url)
    first = add_task(database_url, pid, priority="high", reason="First")
    login(client, people["nurse"])
    post_form(client, f"/tasks/{first}", f"/tasks/{first}/claim", {})
    html = post_form(client, f"/tasks/{first}", f"/tasks/{first}/resolve",
                     {"resolution": "not_needed"}).get_data(as_text=True)
    assert "Task resolved." in html
    nxt = re.search(r'id="next-task">\s*<a class="button" href="/tasks/(\d+)">Next task', html)
    assert nxt, "a Next task button after resolving"
    queue_top = _rows(client.get("/tasks").get_data(as_text=True))[0][0]
    assert int(nxt.group(1)) == queue_top != first


def test_assign_starts_empty_and_an_empty_choice_is_refused(
        client: Any, database_url: str, people: dict) -> None:
    tid = add_task(database_url, add_patient(database_url))
    login(client, people["nurse"])
    page = client.get(f"/tasks/{tid}").get_data(as_text=True)
    select = re.search(r'<select id="assignee" name="assignee"[^>]*>(.*?)</select>', page, re.S)
    assert select
    first = re.search(r"<option([^>]*)>([^<]*)</option>", select.group(1))
    assert first and first.group(2) == "Choose a colleague"
    assert "selected" not in select.group(1)
    html = post_form(client, f"/tasks/{tid}", f"/tasks/{tid}/assign",
                     {"assignee": "", "version": "1"}).get_data(as_text=True)
    assert "Assign to:" in html


def test_language_names_not_codes_in_the_queue(
        client: Any, database_url: str, people: dict) -> None:
    for code in ("vi", "pt_BR", "es-MX", "zh_Hant"):
        add_task(database_url, add_patient(database_url, locale=code))
    login(client, people["nurse"])
    html = client.get("/tasks").get_data(as_text=True)
    for name in ("Language: Vietnamese", "Language: Portuguese (Brazil)",
                 "Language: Spanish (Mexico)", "Language: Chinese (Traditional)"):
        assert name in html
    assert not re.search(r"Language: (vi|pt_BR|es-MX|zh_Hant)<", html)
    options = re.search(r'<select id="f-language"[^>]*>(.*?)</select>', html, re.S)
    assert options and ">Vietnamese<" in options.group(1)
    # A staff member whose browser asks for Spanish reads the names in Spanish.
    spanish = client.get("/tasks", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Language: Vietnamita" in spanish
