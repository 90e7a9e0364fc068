"""FHIR Bulk ndjson import: contacts, channels, due facts, bad lines, idempotence."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.devtools import fhir_samples as fx
from bot.panel.importer import PanelImporter
from bot.panel.sources import expand
from bot.store.db import get_database
from bot.store.models import Patient
from bot.store.panel_models import DueFact, PanelResource

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


def run_import(url: str, paths: list[Path], calls: list[list[int]] | None = None) -> object:
    def changed(_s: object, ids: list[int], _now: datetime) -> None:
        if calls is not None:
            calls.append(ids)

    imp = PanelImporter(get_database(url), "America/New_York", changed, NOW, batch_size=3)
    for path in expand(paths):
        imp.read_file(path)
    return imp.derive()


def sample() -> list[dict]:
    return [
        fx.patient("p1", "Ana", "Diaz", mobile="617-555-0101", language="es", state="TX"),
        fx.patient("p2", "Bao", "Tran", landline="617-555-0102", language="vi"),
        fx.patient("p3", "Cy", "Nohone"),
        fx.med_request("r1", "p1", authored=date(2026, 1, 1)),
        fx.dispense("d1", "p1", "r1", handed_over=date(2026, 1, 5)),
        fx.dispense("d2", "p1", "r1", handed_over=date(2026, 1, 25)),
        fx.appointment("a1", "p2", start=datetime(2026, 2, 27, 15, tzinfo=timezone.utc),
                       status="noshow"),
        fx.episode("e1", "p3", start=date(2026, 2, 1)),
    ]


def test_import_derives_contacts_channels_and_facts(database_url: str, tmp_path: Path) -> None:
    fx.write_export(tmp_path / "exp", sample(), gzipped=True)
    report = run_import(database_url, [tmp_path / "exp"])
    assert report.problems == ["Patient/p3: no phone number on file; not contacted"]
    with get_database(database_url).session() as s:
        ana = s.scalar(select(Patient).where(Patient.external_ref == "MRN-p1"))
        bao = s.scalar(select(Patient).where(Patient.external_ref == "MRN-p2"))
        assert (ana.phone, ana.locale, ana.timezone, ana.attributes["channel"]) == (
            "+16175550101", "es", "America/Chicago", "sms")
        assert (bao.attributes["channel"], bao.locale) == ("voice", "vi")
        facts = {f.key: f for f in s.scalars(select(DueFact))}
        assert facts["MedicationRequest/r1"].anchor == date(2026, 3, 6)
        assert facts["MedicationRequest/r1"].patient_id == ana.id
        assert facts["Appointment/a1"].anchor == date(2026, 2, 27)
        assert facts["EpisodeOfCare/e1"].patient_id is None  # no number: nobody to contact


def test_same_export_twice_changes_nothing(database_url: str, tmp_path: Path) -> None:
    fx.write_export(tmp_path / "exp", sample())
    calls: list[list[int]] = []
    run_import(database_url, [tmp_path / "exp"], calls)
    with get_database(database_url).session() as s:
        before = [(f.id, f.changed_at) for f in s.scalars(select(DueFact).order_by(DueFact.id))]
        patients = s.scalar(select(func.count(Patient.id)))
    calls.clear()
    report = run_import(database_url, [tmp_path / "exp"], calls)
    assert report.changed == 0 and report.facts_changed == 0 and calls == []
    with get_database(database_url).session() as s:
        after = [(f.id, f.changed_at) for f in s.scalars(select(DueFact).order_by(DueFact.id))]
        assert after == before
        assert s.scalar(select(func.count(Patient.id))) == patients


def test_a_new_dispense_moves_the_due_date_and_reports_the_change(
        database_url: str, tmp_path: Path) -> None:
    fx.write_export(tmp_path / "a", sample())
    run_import(database_url, [tmp_path / "a"])
    fx.write_export(tmp_path / "b", [fx.dispense("d3", "p1", "r1", handed_over=date(2026, 3, 3))])
    calls: list[list[int]] = []
    report = run_import(database_url, [tmp_path / "b" / "MedicationDispense.ndjson"], calls)
    assert report.facts_changed == 1 and len(calls) == 1
    with get_database(database_url).session() as s:
        fact = s.scalar(select(DueFact).where(DueFact.key == "MedicationRequest/r1"))
        assert fact.anchor == date(2026, 4, 5)


def test_bad_lines_are_reported_with_file_and_line_and_good_lines_import(
        database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "Mixed.ndjson"
    good = fx.patient("q1", "Dee", "Ok", mobile="617-555-0111")
    no_patient = fx.med_request("rq", "x", authored=date(2026, 1, 1))
    no_patient["subject"] = {"display": "nobody"}
    bad_type = fx.dispense("dq", "q1", "rq", handed_over=date(2026, 1, 1))
    bad_type["daysSupply"] = {"value": "lots"}
    lines = [json.dumps(good), "{not json", json.dumps({"resourceType": "Observation", "id": "o"}),
             json.dumps(no_patient), json.dumps(bad_type), json.dumps({"id": "x"})]
    path.write_text("\n".join(lines) + "\n")
    report = run_import(database_url, [path])
    problems = "\n".join(report.problems)
    assert f"{path}:2: not JSON" in problems
    assert f"{path}:4: MedicationRequest/rq names no Patient" in problems
    assert f"{path}:5: MedicationDispense/dq: invalid daysSupply.value" in problems
    assert f"{path}:6: not a FHIR resource" in problems
    assert report.ignored == 1
    with get_database(database_url).session() as s:
        assert s.scalar(select(Patient).where(Patient.external_ref == "MRN-q1")) is not None
        assert s.scalar(select(func.count(PanelResource.id)).where(
            PanelResource.resource_id == "dq")) == 0


def test_unreadable_paths_are_refused(tmp_path: Path) -> None:
    from bot.panel.sources import SourceError

    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(SourceError, match="not .ndjson"):
        expand([tmp_path / "notes.txt"])
    with pytest.raises(SourceError, match="no such file"):
        expand([tmp_path / "missing"])
