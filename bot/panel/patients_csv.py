"""The patients CSV import: the whole file is checked before any row is written.

A panel file is a program's list of whom to contact. Imported half-way — a bad byte at row
3,000, a name too long for the column, a phone listed twice — it leaves the operator unable to
tell who is in and who is not, and a second run may overwrite the first with the wrong row. So
the file is read twice: first every line is checked (encoding, phone, time zone, consent,
lengths, the same phone or external reference twice in the file), and only a file without a
single problem is written, in one transaction, a batch of rows at a time. Every problem is
reported as `file:line: reason`, with what to do about it.

Columns (header row required; only `phone` is mandatory):
  phone               the patient's mobile number; E.164 or national (default region US)
  first_name, last_name
  external_ref        your system's id for the patient (unique)
  preferred_language  as recorded (e.g. "Spanish", "es-MX", "zh-TW"); negotiated to a catalog
  timezone            IANA name (e.g. America/Chicago); default America/New_York
  consent             granted (default) or revoked
Any other column (due_date, appointment_at, ...) is kept for flows to use as a placeholder.
An existing phone or external_ref updates that patient.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot import i18n
from bot.store import repositories as repo
from bot.store.db import get_database
from bot.store.models import CONSENT_GRANTED, CONSENT_REVOKED, Patient

KNOWN_COLUMNS = ("phone", "first_name", "last_name", "external_ref", "preferred_language",
                 "timezone", "consent")
#: Rows written per flush inside the one transaction: memory stays flat at any file size.
BATCH_ROWS = 500
#: Problems listed before "... and N more": enough to fix a file, not a wall of text.
MAX_PROBLEMS_LISTED = 50
#: A free-form column kept for flows (due_date, slots...): longer is a paste gone wrong.
MAX_ATTRIBUTE_CHARS = 1000


def _limit(column: str) -> int:
    length = getattr(Patient.__table__.c[column].type, "length", None)
    return int(length) if length else 0


#: Text columns and their length in the database: a longer value is a row error, never a
#: database error half-way through the file.
LENGTHS = {name: _limit(name) for name in ("first_name", "last_name", "external_ref",
                                           "preferred_language")}


@dataclass
class ImportResult:
    """What an import did: rows written (created + updated), or the problems that stopped it."""

    imported: int = 0
    created: int = 0
    updated: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def parse_phone(raw: str, region: str = "US") -> str:
    """E.164 for `raw`, or ValueError saying why not."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"phone {raw!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"phone {raw!r} is not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def row_fields(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row as Patient fields, or ValueError naming the first problem."""
    phone = (row.get("phone") or "").strip()
    if not phone:
        raise ValueError("phone is missing")
    fields: dict[str, Any] = {"phone": parse_phone(phone)}
    for key, limit in LENGTHS.items():
        value = (row.get(key) or "").strip()
        if limit and len(value) > limit:
            raise ValueError(f"{key} is {len(value)} characters long; at most {limit} fit")
        if value:
            fields[key] = value
    tz = (row.get("timezone") or "").strip()
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {tz!r} is not an IANA time zone, such as "
                             "America/Chicago") from None
        fields["timezone"] = tz
    consent = (row.get("consent") or "").strip().lower()
    if consent and consent not in (CONSENT_GRANTED, CONSENT_REVOKED):
        raise ValueError("consent must be granted or revoked")
    fields["consent"] = consent or CONSENT_GRANTED
    fields["locale"] = i18n.negotiate(fields.get("preferred_language"))
    attributes = {}
    for key, value in row.items():
        if key and key not in KNOWN_COLUMNS and value and value.strip():
            if len(value) > MAX_ATTRIBUTE_CHARS:
                raise ValueError(f"{key} is {len(value)} characters long; at most "
                                 f"{MAX_ATTRIBUTE_CHARS} are kept")
            attributes[key] = value.strip()
    fields["attributes"] = attributes
    return fields


def encoding_problem(path: Path) -> tuple[int, str] | None:
    """The line of the first byte that is not UTF-8, read a line at a time (any file size)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, (f"byte 0x{raw[exc.start]:02X} at column {exc.start + 1} is not "
                                "UTF-8 text: save the file as UTF-8 (in Excel: \"CSV UTF-8\") "
                                "and import it again; nothing was imported")
    return None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "phone" not in reader.fieldnames:
            raise ValueError("the header row must name a 'phone' column")
        for row in reader:
            extra = row.get(None)  # type: ignore[call-overload]
            if extra:  # more cells than the header names
                raise _RowError(reader.line_num,
                                f"this row has {len(reader.fieldnames) + len(extra)} cells but the "
                                f"header names {len(reader.fieldnames)}; put text that contains a "
                                "comma in double quotes")
            yield reader.line_num, row


class _RowError(ValueError):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line


def check(path: Path) -> tuple[int, list[tuple[int, str]]]:
    """Read the whole file without writing: (rows, [(line, problem)])."""
    bad = encoding_problem(path)
    if bad is not None:
        return 0, [bad]
    problems: list[tuple[int, str]] = []
    seen_phone: dict[str, int] = {}
    seen_ref: dict[str, int] = {}
    count = 0
    try:
        for line, row in _rows(path):
            count += 1
            try:
                fields = row_fields(row)
            except ValueError as exc:
                problems.append((line, str(exc)))
                continue
            first = seen_phone.setdefault(fields["phone"], line)
            if first != line:
                problems.append((line, f"the same phone number as line {first}: one row per patient"))
            ref = fields.get("external_ref")
            if ref:
                first = seen_ref.setdefault(ref, line)
                if first != line:
                    problems.append((line, f"external_ref {ref!r} is also on line {first}: one row "
                                           "per patient"))
    except _RowError as exc:
        problems.append((exc.line, str(exc)))
    except ValueError as exc:
        problems.append((1, str(exc)))
    except csv.Error as exc:
        problems.append((count + 2, f"not a readable CSV row ({exc})"))
    return count, problems


def import_patients(url: str, path: Path, now: datetime) -> ImportResult:
    """Check `path`; write it only when every row is good (one transaction)."""
    _, problems = check(path)
    if problems:
        return ImportResult(problems=problems)
    result = ImportResult()
    with get_database(url).session() as s:
        batch: list[dict[str, Any]] = []
        for _, row in _rows(path):
            batch.append(row_fields(row))
            if len(batch) == BATCH_ROWS:
                _write(s, batch, now, result)
                batch = []
        if batch:
            _write(s, batch, now, result)
    return result


def _write(s: Session, batch: list[dict[str, Any]], now: datetime, result: ImportResult) -> None:
    """Create or update one batch of checked rows (two lookups per batch, not per row)."""
    phones = [f["phone"] for f in batch]
    refs = [f["external_ref"] for f in batch if f.get("external_ref")]
    found = list(s.scalars(select(Patient).where(
        or_(Patient.phone.in_(phones), Patient.external_ref.in_(refs)) if refs
        else Patient.phone.in_(phones))))
    by_phone = {p.phone: p for p in found}
    by_ref = {p.external_ref: p for p in found if p.external_ref}
    for fields in batch:
        patient = by_phone.get(fields["phone"]) or by_ref.get(fields.get("external_ref") or "")
        if patient is None:
            patient = Patient(phone=fields["phone"], created_at=now)
            s.add(patient)
            result.created += 1
        else:
            result.updated += 1
        consent = fields.pop("consent")
        attributes = fields.pop("attributes")
        for key, value in fields.items():
            setattr(patient, key, value)
        patient.attributes = {**(patient.attributes or {}), **attributes}
        s.flush()
        if patient.consent_status == CONSENT_REVOKED:
            consent = CONSENT_REVOKED  # only the patient lifts an opt-out (START)
        if patient.consent_status != consent or patient.consent_updated_at is None:
            repo.set_consent(s, patient, consent, "import", now)
        result.imported += 1
    s.flush()
    s.expunge_all()


def describe(problems: list[tuple[int, str]], path: Path) -> list[str]:
    """`file:line: reason` lines, at most MAX_PROBLEMS_LISTED, then how many more."""
    out = [f"{path}:{line}: {why}" for line, why in problems[:MAX_PROBLEMS_LISTED]]
    if len(problems) > MAX_PROBLEMS_LISTED:
        out.append(f"{path}: ... and {len(problems) - MAX_PROBLEMS_LISTED} more problem(s)")
    return out


