"""`panel import` of a patients CSV, a campaign on one of its date columns, and re-imports that
never lift an opt-out."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner
from panel_support import campaign, scheduler
from sqlalchemy import select

from bot.cli.main import main
from bot.store.db import get_database
from bot.store.models import Conversation, Patient

CSV = """phone,first_name,preferred_language,timezone,due_date,consent
+16175551001,Rosa,Spanish,America/Denver,2026-10-10,
+16175551002,Ken,English,America/New_York,2026-10-10,
+16175551003,Bad,English,America/New_York,2026-10-10,maybe
"""


def test_csv_panel_and_date_column_campaign(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(CSV)
    env = {"DATABASE_URL": database_url, "REDIS_URL": ""}
    result = CliRunner().invoke(main, ["panel", "import", str(path)], env=env)
    assert result.exit_code == 1  # one bad row, reported; a CSV imports whole or not at all
    assert f"{path}:4: consent must be granted or revoked" in result.output
    assert f"{path}: 0 patient(s) imported" in result.output
    path.write_text("".join(CSV.splitlines(keepends=True)[:3]))  # the bad row taken out
    result = CliRunner().invoke(main, ["panel", "import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert f"{path}: 2 patient(s) imported" in result.output

    with get_database(database_url).session() as s:
        ken = s.scalar(select(Patient).where(Patient.first_name == "Ken"))
        ken.consent_status = "revoked"  # Ken texted STOP
    CliRunner().invoke(main, ["panel", "import", str(path)], env=env)
    with get_database(database_url).session() as s:
        assert s.scalar(select(Patient.consent_status).where(Patient.first_name == "Ken")) \
            == "revoked"

    c = campaign(name="csv_due", audience="column:due_date", offsets=(-1,))
    sched, rec = scheduler(database_url, c)
    # 9 October, 10:00 in Denver (MDT, UTC-6) = 16:00 UTC.
    report = sched.run_due(datetime(2026, 10, 9, 16, tzinfo=timezone.utc))
    assert report.enrolled == 1 and report.reasons == {"opted_out": 1}
    with get_database(database_url).session() as s:
        [conv] = s.scalars(select(Conversation).where(Conversation.campaign == "csv_due"))
        assert conv.context["due_date"] == "2026-10-10" and conv.timezone == "America/Denver"
