"""The readings export: one row per reading, with its unit, for the results and the care
team's registry.

Rows name the patient by the program's own ids (`patient_id`, and `external_ref`, the EHR's
id) and never by phone number or name; the reply's words are not included (the numbers are).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Patient
from bot.store.readings import all_readings
from bot.understanding.readings import KINDS, describe

COLUMNS = ("reading_id", "patient_id", "external_ref", "kind", "recorded_at", "systolic",
           "diastolic", "value", "unit", "timing", "reading", "flow", "conversation_id")


def _unit(kind: str, values: dict[str, Any]) -> str:
    spec = KINDS.get(kind)
    return str(values.get("unit") or (spec.units[0] if spec and spec.units else ""))


def export_rows(session: Session, *, since: datetime | None = None,
                kind: str | None = None) -> Iterator[dict[str, Any]]:
    """Every reading as a flat row (see COLUMNS), oldest first."""
    refs: dict[int, str | None] = {}
    for row in all_readings(session, since=since, kind=kind):
        if row.patient_id not in refs:
            refs[row.patient_id] = session.scalar(
                select(Patient.external_ref).where(Patient.id == row.patient_id))
        values = row.values or {}
        yield {
            "reading_id": row.id, "patient_id": row.patient_id, "external_ref": refs[row.patient_id] or "",
            "kind": row.kind, "recorded_at": row.recorded_at.isoformat(),
            "systolic": values.get("systolic", ""), "diastolic": values.get("diastolic", ""),
            "value": values.get("value", ""), "unit": _unit(row.kind, values),
            "timing": values.get("timing", ""), "reading": describe(row.kind, values),
            "flow": row.flow or "", "conversation_id": row.conversation_id or "",
        }


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write `rows` as CSV with a header; returns how many rows were written."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
