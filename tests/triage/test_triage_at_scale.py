"""What the staff pages do to stay fast with a year of history (bench/bench_pages.py measures
the speed): the queue comes a page at a time, menus keep the chosen value, the caseload counts
its windows in SQL, and the loose index scan finds every distinct value. On the module's database (SQLite, or PostgreSQL when TEST_DATABASE_URL says)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from triage_support import add_patient, add_task, add_user, hours, login

from bot.store import tasks_repo
from bot.store.db import get_database
from bot.store.distinct import distinct_values
from bot.store.models import FollowUpTask, Patient, utcnow


@pytest.fixture(scope="module")
def people(database_url: str) -> dict[str, str]:
    add_user(database_url, "nora@clinic.test", "nurse", name="Nora Nurse")
    add_user(database_url, "sam@clinic.test", "supervisor", name="Sam Supervisor")
    return {"nurse": "nora@clinic.test", "supervisor": "sam@clinic.test"}


def _task_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-task-id="(\d+)"', html)]


def test_queue_comes_a_page_at_a_time_with_links_both_ways(
        client: Any, database_url: str, people: dict) -> None:
    size = tasks_repo.QUEUE_PAGE_SIZE
    created = [add_task(database_url, add_patient(database_url), team="behavioral_health",
                        priority="low", inbound=None, flow=None,
                        created=utcnow() - hours(1) + timedelta(seconds=i))
               for i in range(size + 5)]
    login(client, people["nurse"])
    first = client.get("/tasks?team=behavioral_health").get_data(as_text=True)
    second = client.get("/tasks?team=behavioral_health&page=2").get_data(as_text=True)
    on_first, on_second = _task_ids(first), _task_ids(second)
    assert len(on_first) == size and len(on_second) == 5
    assert sorted(on_first + on_second) == sorted(created)  # nothing lost, nothing twice
    assert 'rel="next"' in first and "page=2" in first and 'rel="prev"' not in first
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "team=behavioral_health" in re.search(r'rel="prev" href="([^"]+)"', second).group(1)
    # A page number that is not one is page 1, not an error.
    assert _task_ids(client.get("/tasks?team=behavioral_health&page=x")
                     .get_data(as_text=True)) == on_first


def test_counts_match_the_rows_they_count(database_url: str) -> None:
    now = utcnow()
    pid = add_patient(database_url)
    late = add_task(database_url, pid, team="outreach", priority="urgent",
                    created=now - hours(48), inbound=None)
    add_task(database_url, add_patient(database_url), team="outreach", priority="routine",
             inbound=None)
    done = add_task(database_url, add_patient(database_url), team="outreach", inbound=None)
    with get_database(database_url).session() as s:
        s.get(FollowUpTask, done).status = "resolved"  # type: ignore[union-attr]
        s.get(FollowUpTask, late).assignee = None  # type: ignore[union-attr]
    with get_database(database_url).read() as s:
        counts = tasks_repo.counts_by_status(
            s, tasks_repo.TaskFilter(teams=("outreach",)), now)
    assert counts == {"open": 2, "claimed": 0, "resolved": 1, "overdue": 1, "urgent": 1,
                      "unassigned": 2}


def test_a_chosen_flow_stays_on_its_menu_even_with_no_task_left(
        client: Any, database_url: str, people: dict) -> None:
    login(client, people["nurse"])
    html = client.get("/tasks?flow=no_such_flow_any_more").get_data(as_text=True)
    menu = re.search(r'<select id="f-flow"[^>]*>(.*?)</select>', html, re.S)
    assert menu and 'value="no_such_flow_any_more" selected' in menu.group(1)


def test_distinct_values_finds_every_value_once(database_url: str) -> None:
    for locale in ("so", "am", "so", "uk"):
        add_patient(database_url, locale=locale)
    with get_database(database_url).read() as s:
        found = distinct_values(s, Patient.locale)
        expected = sorted(x for x in s.scalars(select(Patient.locale).distinct()) if x)
    assert found == expected and {"so", "am", "uk"} <= set(found)


def test_caseload_counts_open_overdue_week_and_first_contact(
        client: Any, database_url: str, people: dict) -> None:
    now = utcnow()
    tid = add_task(database_url, add_patient(database_url), team="social_work",
                   created=now - hours(30), inbound=None)
    old = add_task(database_url, add_patient(database_url), team="social_work",
                   created=now - timedelta(days=90), inbound=None)
    with get_database(database_url).session() as s:
        task = s.get(FollowUpTask, tid)
        assert task is not None
        task.assignee, task.status = "sam@clinic.test", "claimed"
        task.first_contact_at = task.created_at + hours(2)
        ancient = s.get(FollowUpTask, old)
        assert ancient is not None
        ancient.status, ancient.resolved_at = "resolved", now - timedelta(days=80)
        ancient.first_contact_at = now - timedelta(days=85)
    login(client, people["supervisor"])
    data = client.get("/dashboard?format=json").get_json()
    team = next(t for t in data["teams"] if t["key"] == "social_work")
    assert (team["open"], team["overdue"], team["resolved_this_week"]) == (1, 1, 0)
    assert team["median_first_contact_seconds"] == 7200 and team["contacted_tasks"] == 1
    sam = next(m for m in data["staff"] if m["key"] == "sam@clinic.test")
    assert sam["open"] == 1
