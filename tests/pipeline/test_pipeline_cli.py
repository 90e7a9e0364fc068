"""The pipeline's CLI: db upgrade, patients import (whole or not at all), tasks list, conversations."""

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


def _import(database_url, path):
    return CliRunner().invoke(main, ["patients", "import", str(path)],
                              env={"DATABASE_URL": database_url})


def _patients(database_url):
    with get_database(database_url).session() as s:
        return {p.external_ref: p for p in s.scalars(select(Patient))}


def test_a_file_with_bad_rows_imports_nothing_and_names_every_line(database_url, tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(CSV, encoding="utf-8")
    result = _import(database_url, path)
    assert result.exit_code == 1
    assert f"{path}:3: phone 'not a phone'" in result.output
    assert f"{path}:4: timezone 'Mars/Olympus' is not an IANA time zone" in result.output
    assert "nothing imported: 2 problem(s)" in result.output
    assert _patients(database_url) == {}

    # Fixed, the same file imports whole.
    good = "\n".join(line for n, line in enumerate(CSV.splitlines(), 1) if n not in (3, 4)) + "\n"
    path.write_text(good, encoding="utf-8")
    result = _import(database_url, path)
    assert result.exit_code == 0, result.output
    assert "imported 2 patient(s)" in result.output
    rows = _patients(database_url)
    with get_database(database_url).session() as s:
        consents = list(s.scalars(select(ConsentChange)))
    assert sorted(rows) == ["MRN-1", "MRN-4"]
    ana = rows["MRN-1"]
    assert (ana.phone, ana.timezone, ana.preferred_language) == (
        "+12025550142", "America/Chicago", "Spanish")
    assert ana.attributes == {"due_date": "2026-12-01"}
    assert {c.source for c in consents} == {"import"}

    # Importing again updates in place (same phone), no duplicates.
    again = _import(database_url, path)
    assert "imported 2 patient(s)" in again.output
    assert len(_patients(database_url)) == 2


def test_a_bad_byte_deep_in_a_big_file_is_found_before_anything_is_written(database_url, tmp_path):
    path = tmp_path / "big.csv"
    lines = [b"phone,first_name,external_ref"]
    lines += [f"+1202555{n:04d},P{n},BIG-{n}".encode() for n in range(3000)]
    lines.insert(2657, "+12025559999,Jos\u00e9,BIG-X".encode("latin-1"))  # Excel's "CSV", not UTF-8
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = _import(database_url, path)
    assert result.exit_code == 1
    assert f"{path}:2658: byte 0xE9 at column 17 is not UTF-8 text" in result.output
    assert 'save the file as UTF-8 (in Excel: "CSV UTF-8")' in result.output
    assert not [ref for ref in _patients(database_url) if ref and ref.startswith("BIG-")]


def test_duplicates_lengths_and_stray_cells_are_row_errors(database_url, tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text(
        "phone,first_name,external_ref\n"
        "+12025550171,Ana,DUP-1\n"
        "(202) 555-0171,Ana again,DUP-2\n"          # the same number, written another way
        "+12025550172,Bea,DUP-1\n"                 # the same external reference
        f"+12025550173,{'X' * 101},DUP-3\n"         # longer than the column
        "+12025550174,Smith, John,DUP-4\n",        # an unquoted comma: one cell too many
        encoding="utf-8")
    result = _import(database_url, path)
    assert result.exit_code == 1
    out = result.output
    assert f"{path}:3: the same phone number as line 2: one row per patient" in out
    assert f"{path}:4: external_ref 'DUP-1' is also on line 2: one row per patient" in out
    assert f"{path}:5: first_name is 101 characters long; at most 100 fit" in out
    assert (f"{path}:6: this row has 4 cells but the header names 3; put text that contains a "
            "comma in double quotes") in out
    assert not [ref for ref in _patients(database_url) if ref and ref.startswith("DUP-")]


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
