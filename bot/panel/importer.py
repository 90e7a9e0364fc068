"""`panel import`: stream FHIR ndjson into the panel tables, then re-derive the touched
patients' contact details and due facts.

Streaming: lines are read one at a time and written in batches (`PANEL_BATCH_SIZE`), so memory
holds one batch plus the set of touched patient ids, never the export. Idempotent: each resource
is stored with a digest of its kept fields; an unchanged resource touches nothing, so the same
files imported twice change nothing. A bad line is reported as `file:line: reason` and the rest
of the file still imports.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bot import defaults, i18n
from bot.panel import contacts, due
from bot.panel.fhir_parse import ResourceError, parse_line
from bot.panel.records import PatientBundle, PatientRecord, from_json, to_json
from bot.panel.sources import ndjson_lines
from bot.store import repositories as repo
from bot.store.db import Database
from bot.store.models import CONSENT_GRANTED, Patient
from bot.store.panel_models import DueFact, PanelResource

log = logging.getLogger(__name__)

#: Called in the same transaction with the ids of facts whose anchor, status or patient changed
#: (the campaign layer cancels fires and ends conversations whose need was met).
OnFactsChanged = Callable[[Session, list[int], datetime], None]


@dataclass
class ImportReport:
    lines: int = 0
    changed: int = 0
    unchanged: int = 0
    ignored: int = 0
    patients: int = 0
    facts_changed: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    resource_type: str
    resource_id: str
    patient_ref: str
    data: dict[str, Any]
    digest: str


def to_row(record: Any) -> Row:
    data = to_json(record)
    rtype = {"PatientRecord": "Patient", "MedicationRequestRecord": "MedicationRequest",
             "MedicationDispenseRecord": "MedicationDispense",
             "AppointmentRecord": "Appointment", "EpisodeRecord": "EpisodeOfCare"}[
        type(record).__name__]
    patient = record.id if isinstance(record, PatientRecord) else record.patient
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    return Row(rtype, record.id, patient, data, digest)


def store_rows(session: Session, rows: list[Row], now: datetime) -> tuple[set[str], int]:
    """Insert or update `rows`; (patient refs whose resources changed, resources changed)."""
    latest = {(r.resource_type, r.resource_id): r for r in rows}
    existing = {(p.resource_type, p.resource_id): p for p in session.scalars(
        select(PanelResource).where(tuple_(PanelResource.resource_type,
                                           PanelResource.resource_id).in_(list(latest))))}
    touched: set[str] = set()
    count = 0
    for key, row in latest.items():
        found = existing.get(key)
        if found is not None and found.digest == row.digest:
            continue
        count += 1
        if found is None:
            session.add(PanelResource(resource_type=row.resource_type,
                                      resource_id=row.resource_id, patient_ref=row.patient_ref,
                                      data=row.data, digest=row.digest, updated_at=now))
        else:
            touched.add(found.patient_ref)
            found.patient_ref, found.data, found.digest = row.patient_ref, row.data, row.digest
            found.updated_at = now
        touched.add(row.patient_ref)
    return touched, count


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class PanelImporter:
    """One import run: feed it files (or parsed records), then `derive()`."""

    def __init__(self, db: Database, default_timezone: str, on_facts_changed: OnFactsChanged,
                 now: datetime, batch_size: int = defaults.PANEL_BATCH_SIZE) -> None:
        self.db = db
        self.default_timezone = default_timezone
        self.on_facts_changed = on_facts_changed
        self.now = now
        self.batch_size = batch_size
        self.report = ImportReport()
        self.touched: set[str] = set()

    def read_file(self, path: Path) -> None:
        def rows() -> Iterator[Row]:
            for number, text in ndjson_lines(path):
                self.report.lines += 1
                try:
                    record = parse_line(text)
                except ResourceError as exc:
                    self.report.problems.append(f"{path}:{number}: {exc}")
                    continue
                if record is None:
                    self.report.ignored += 1
                    continue
                yield to_row(record)

        for batch in _batched(rows(), self.batch_size):
            self.add_rows(batch)

    def add_records(self, records: Iterable[Any]) -> None:
        for batch in _batched((to_row(r) for r in records), self.batch_size):
            self.add_rows(batch)

    def add_rows(self, batch: list[Row]) -> None:
        with self.db.session() as s:
            touched, count = store_rows(s, batch, self.now)
        self.report.changed += count
        self.report.unchanged += len(batch) - count
        self.touched |= touched

    def derive(self) -> ImportReport:
        """Re-derive contact details and due facts of every touched patient, in batches."""
        for refs in _batched(sorted(self.touched), self.batch_size):
            with self.db.session() as s:
                changed = self._derive_batch(s, refs)
                if changed:
                    self.on_facts_changed(s, changed, self.now)
                self.report.facts_changed += len(changed)
        self.touched.clear()
        return self.report

    def _derive_batch(self, s: Session, refs: list[str]) -> list[int]:
        bundles: dict[str, PatientBundle] = {ref: PatientBundle() for ref in refs}
        for res in s.scalars(select(PanelResource).where(PanelResource.patient_ref.in_(refs))):
            bundles[res.patient_ref].add(from_json(res.resource_type, res.data))
        links = self._sync_patients(s, [b.patient for b in bundles.values() if b.patient])
        facts = {(f.patient_ref, f.kind, f.key): f for f in s.scalars(
            select(DueFact).where(DueFact.patient_ref.in_(refs)))}
        changed: list[DueFact] = []
        for ref, bundle in bundles.items():
            patient_id, tz = links.get(ref, (None, self.default_timezone))
            derived = due.derive(bundle, ZoneInfo(tz))
            keys = {(f.kind, f.key) for f in derived}
            derived += [due.vanished(kind, key, bundle) for (r, kind, key), row in facts.items()
                        if r == ref and (kind, key) not in keys and row.status == due.OPEN]
            for fact in derived:
                row = facts.get((ref, fact.kind, fact.key))
                if row is None:
                    row = DueFact(patient_ref=ref, kind=fact.kind, key=fact.key)
                    s.add(row)
                else:
                    if fact.anchor is None and fact.status != due.OPEN and row.anchor:
                        # A vanished fact keeps its anchor, so its fires stay comparable.
                        fact = due.DueFact(fact.kind, fact.key, row.anchor, fact.status,
                                           fact.reason, dict(row.detail or {}))
                    if (row.anchor, row.status, row.reason, row.patient_id) == (
                            fact.anchor, fact.status, fact.reason, patient_id):
                        if row.detail != fact.detail:
                            row.detail = fact.detail
                        continue
                row.anchor, row.status, row.reason = fact.anchor, fact.status, fact.reason
                row.detail, row.patient_id, row.changed_at = fact.detail, patient_id, self.now
                changed.append(row)
        s.flush()
        return [f.id for f in changed]

    def _sync_patients(self, s: Session, records: list[PatientRecord]
                       ) -> dict[str, tuple[int | None, str]]:
        """Create or update the registry rows of a batch; FHIR id -> (patient id, zone).

        Existing rows are looked up for the whole batch at once (by identifier, then by phone)
        and written with one flush, so a large panel costs a few queries per batch.
        """
        reaches = {r.id: contacts.reach(r) for r in records}
        by_ref = {p.external_ref: p for p in s.scalars(select(Patient).where(
            Patient.external_ref.in_([r.external_ref for r in records])))}
        by_phone = {p.phone: p for p in s.scalars(select(Patient).where(
            Patient.phone.in_([h.phone for h in reaches.values() if h.phone])))}
        out: dict[str, tuple[int | None, str]] = {}
        rows: dict[str, Patient] = {}
        created: list[Patient] = []
        for rec in records:
            tz = contacts.timezone_for(rec, self.default_timezone)
            how, where = reaches[rec.id], f"Patient/{rec.id}"
            patient = by_ref.get(rec.external_ref)
            out[rec.id] = (patient.id if patient is not None else None, tz)
            self.report.patients += 1
            if rec.deceased or not rec.active:
                self.report.problems.append(f"{where}: inactive or deceased; not contacted")
                out[rec.id] = (None, tz)
                continue
            if how.phone is None:
                self.report.problems.append(f"{where}: {how.why}; not contacted")
                continue
            holder = by_phone.get(how.phone)
            if holder is not None and holder is not patient:
                if patient is not None or holder.external_ref not in (None, rec.external_ref):
                    self.report.problems.append(f"{where}: phone number already belongs to "
                                                "another patient; not contacted")
                    continue
                patient = holder
            if patient is None:
                patient = Patient(phone=how.phone, created_at=self.now, attributes={})
                s.add(patient)
                created.append(patient)
                patient.preferred_language = rec.language
                patient.locale = i18n.negotiate(rec.language)
            elif patient.preferred_language != rec.language:
                patient.preferred_language = rec.language
                patient.locale = i18n.negotiate(rec.language)
            by_phone[how.phone] = by_ref[rec.external_ref] = patient
            _assign(patient, phone=how.phone, external_ref=rec.external_ref,
                    first_name=rec.first_name, last_name=rec.last_name, timezone=tz)
            attributes = {**(patient.attributes or {}), "fhir_id": rec.id, "channel": how.channel}
            if attributes != patient.attributes:
                patient.attributes = attributes
            rows[rec.id] = patient
        s.flush()
        for patient in created:
            repo.set_consent(s, patient, CONSENT_GRANTED, "import", self.now)
        for fhir_id, patient in rows.items():
            out[fhir_id] = (patient.id, out[fhir_id][1])
        return out


def _assign(row: Any, **values: Any) -> None:
    """Set only what differs, so an unchanged patient is not rewritten."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
