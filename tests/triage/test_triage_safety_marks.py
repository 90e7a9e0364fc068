"""Staff teach the safety screen: "a crisis we missed" / "not a crisis" on a task's message,
the supervisor page's recent misses, and the export as labelled development cases."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select
from triage_support import add_patient, add_task, add_user, login, post_form

from bot.cli.main import main
from bot.store.db import get_database
from bot.store.models import SafetyMark

MISSED_TEXT = "siento que las paredes se me vienen encima"  # the screen reads nothing here
FALSE_ALARM = "me muero de ganas de verlos, el chiste me mató"


@pytest.fixture(scope="module")
def people(database_url: str) -> dict[str, str]:
    add_user(database_url, "mara@clinic.test", "nurse", name="Mara Nurse")
    add_user(database_url, "sam@clinic.test", "supervisor")
    return {"nurse": "mara@clinic.test", "supervisor": "sam@clinic.test"}


def _marks(database_url: str) -> list[SafetyMark]:
    with get_database(database_url).session() as s:
        rows = list(s.scalars(select(SafetyMark).order_by(SafetyMark.id)))
        s.expunge_all()
    return rows


def test_marks_show_on_the_supervisor_page_and_export_as_cases(
        client: Any, app: Any, database_url: str, people: dict, tmp_path: Any,
        caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    pid = add_patient(database_url, locale="es")
    missed = add_task(database_url, pid, inbound=MISSED_TEXT)
    alarm = add_task(database_url, pid, inbound=FALSE_ALARM)
    login(client, people["nurse"])
    for tid, label in ((missed, "missed_crisis"), (alarm, "not_crisis")):
        url = f"/tasks/{tid}"
        page = client.get(url).get_data(as_text=True)
        assert 'id="safety-mark-form"' in page
        message_id = page.split('id="message_id" name="message_id" type="hidden" value="')[1]
        message_id = message_id.split('"')[0]
        html = post_form(client, url, f"{url}/safety-mark",
                         {"label": label, "message_id": message_id}).get_data(as_text=True)
        assert "the safety screen&#39;s tests will learn from this" in html
    first, second = _marks(database_url)[-2:]
    assert (first.label, first.screen_tier, first.task_id) == ("missed_crisis", "none", missed)
    assert (second.label, second.staff) == ("not_crisis", people["nurse"])

    # A message that is not this task's is refused.
    url = f"/tasks/{missed}"
    response = post_form(client, url, f"{url}/safety-mark",
                         {"label": "not_crisis", "message_id": str(second.message_id)})
    assert response.status_code == 404

    # The nurse's caseload page has no misses table; the supervisor's lists both marks.
    assert 'id="safety-misses"' not in client.get("/dashboard").get_data(as_text=True)
    boss = app.test_client()
    login(boss, people["supervisor"])
    page = boss.get("/dashboard").get_data(as_text=True)
    table = page.split('id="safety-misses"')[1]
    assert "siento que las paredes" in table and "This was a crisis the screen missed" in table

    # Export: labelled development cases per language; the text never reaches a log line.
    result = CliRunner().invoke(main, ["safety", "export-marks", "--out", str(tmp_path)],
                                env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((tmp_path / "es.yaml").read_text(encoding="utf-8"))
    assert data["part"] == "development"
    assert MISSED_TEXT in data["crisis"]["urgent"] and FALSE_ALARM in data["crisis"]["none"]
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert MISSED_TEXT not in logs and FALSE_ALARM not in logs and MISSED_TEXT not in result.output
