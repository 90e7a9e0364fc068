"""`outreach readings export`: one CSV row per reading, with units, never a phone number."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from bot.cli.main import main
from bot.store.db import get_database
from bot.store.models import Patient
from bot.store.readings import add_reading

NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)


def test_export_rows_with_units_and_no_phone(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with get_database(database_url).session() as s:
        patient = Patient(phone="+12025550177", first_name="Ida", external_ref="MRN-77")
        s.add(patient)
        s.flush()
        pid = patient.id
        add_reading(s, patient_id=pid, kind="blood_pressure", values={"systolic": 184, "diastolic": 96},
                    now=NOW - timedelta(days=8), flow="bp_checkin")
        add_reading(s, patient_id=pid, kind="glucose", now=NOW,
                    values={"value": 130, "unit": "mg/dL", "timing": "fasting"})
        add_reading(s, patient_id=pid, kind="weight", now=NOW, values={"value": 176.4, "unit": "lb"})
    runner = CliRunner()
    env = {"DATABASE_URL": database_url}
    result = runner.invoke(main, ["readings", "export"], env=env)
    assert result.exit_code == 0, result.output
    assert "+12025550177" not in result.output and "2025550177" not in result.output
    rows = [r for r in csv.DictReader(io.StringIO(result.stdout))
            if r.get("patient_id") == str(pid)]
    assert [(r["kind"], r["reading"], r["unit"]) for r in rows] == [
        ("blood_pressure", "184/96", "mmHg"), ("glucose", "130 mg/dL fasting", "mg/dL"),
        ("weight", "176.4 lb", "lb")]
    assert rows[0]["systolic"] == "184" and rows[0]["external_ref"] == "MRN-77"
    assert rows[1]["timing"] == "fasting" and rows[2]["value"] == "176.4"

    out = tmp_path / "bp.csv"
    result = runner.invoke(main, ["readings", "export", "--kind", "blood_pressure", "--since",
                                  (NOW - timedelta(days=10)).date().isoformat(), "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    kinds = {r["kind"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert kinds == {"blood_pressure"}
    bad = runner.invoke(main, ["readings", "export", "--kind", "blood"], env=env)
    assert bad.exit_code != 0 and "blood_pressure" in bad.output
