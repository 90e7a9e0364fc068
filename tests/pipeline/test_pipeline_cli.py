"""The pipeline's CLI: db upgrade, patients import (with a bad row), tasks list, conversations."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.main import main
from bot.store.db import get_database
from bot.store.models import ConsentChange, Patient

CSV = """phone,first_name,preferred_language,timezone,external_ref,due_date
(202) 555-0142,Ana,Spanish,America/Chicago,MRN-1,2026-12-01
not a phone,Bob,,,MRN-2,
+12025550143,Chen,zh-TW,Mars/Olympus,MRN-3,
+12025550144,Dana,,,MRN-4,2026-12-02
"""


def test_db_upgrade_is_idempotent(database_url):
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(main, ["db", "upgrade"], env={"DATABASE_URL": database_url})
        assert result.exit_code == 0, result.output
        assert "database at revision" in result.output


def test_import_reports_bad_rows_by_line_and_keeps_good_ones(database_url, tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(CSV, encoding="utf-8")
    result = CliRunner().invoke(main, ["patients", "import", str(path)],
                                env={"DATABASE_URL": database_url})
    assert result.exit_code == 1
    assert f"{path}:3: phone 'not a phone'" in result.output
    assert f"{path}:4: timezone 'Mars/Olympus'" in result.output
    assert "imported 2 patient(s); 2 row(s) rejected" in result.output
    with get_database(database_url).session() as s:
        rows = {p.external_ref: p for p in s.scalars(select(Patient))}
        consents = list(s.scalars(select(ConsentChange)))
    assert sorted(rows) == ["MRN-1", "MRN-4"]
    ana = rows["MRN-1"]
    assert (ana.phone, ana.timezone, ana.preferred_language) == (
        "+12025550142", "America/Chicago", "Spanish")
    assert ana.attributes == {"due_date": "2026-12-01"}
    assert {c.source for c in consents} == {"import"}

    # Importing again updates in place (same phone), no duplicates.
    again = CliRunner().invoke(main, ["patients", "import", str(path)],
                               env={"DATABASE_URL": database_url})
    assert "imported 2 patient(s)" in again.output
    with get_database(database_url).session() as s:
        assert len(list(s.scalars(select(Patient)))) == 2


def test_tasks_list_json_and_conversations_show(database_url):
    from datetime import datetime, timezone

    from bot.store import repositories as repo

    now = datetime.now(timezone.utc)
    with get_database(database_url).session() as s:
        patient = Patient(phone="+12025550199", first_name="Eve", external_ref="MRN-9")
        s.add(patient)
        s.flush()
        repo.add_task(s, team="pharmacy", priority="high", reason="Cannot afford", now=now,
                      patient_id=patient.id)
        repo.add_task(s, team="nursing", priority="urgent", reason="Chest pain", now=now,
                      patient_id=patient.id)
    runner = CliRunner()
    result = runner.invoke(main, ["tasks", "list", "--json"], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    data = [t for t in json.loads(result.output) if t["reason"] in ("Cannot afford", "Chest pain")]
    assert [(t["priority"], t["team"]) for t in data] == [("urgent", "nursing"), ("high", "pharmacy")]
    shown = runner.invoke(main, ["conversations", "show", "MRN-9"],
                          env={"DATABASE_URL": database_url})
    assert shown.exit_code == 0 and "Eve" in shown.output
    missing = runner.invoke(main, ["conversations", "show", "nobody"],
                            env={"DATABASE_URL": database_url})
    assert missing.exit_code != 0 and "no patient" in missing.output
