"""One FHIR R4 resource (JSON) -> a validated model -> the outreach record it feeds.

Validation is the FHIR model library's (`fhir.resources`' R4B models: R4B shares R4's shapes
for these five resources), so a malformed resource is refused with the library's own reason;
only the fields outreach needs are then read off the model. Other resource types are ignored
(a Bulk Data export carries many), not errors.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from typing import Any, cast

from pydantic import ValidationError

from bot.panel.records import (
    AppointmentRecord,
    EpisodeRecord,
    MedicationDispenseRecord,
    MedicationRequestRecord,
    PatientRecord,
    Phone,
    Record,
)

#: Days in one unit of a UCUM duration (`expectedSupplyDuration`, `daysSupply`).
UNIT_DAYS = {"d": 1.0, "day": 1.0, "days": 1.0, "wk": 7.0, "week": 7.0, "weeks": 7.0,
             "mo": 30.0, "month": 30.0, "months": 30.0, "a": 365.0, "year": 365.0,
             "h": 1 / 24, "hour": 1 / 24}

SUPPORTED = ("Patient", "MedicationRequest", "MedicationDispense", "Appointment", "EpisodeOfCare")


class ResourceError(ValueError):
    """A resource outreach cannot use; the message says why (no patient data in it)."""


def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def parse_line(text: str) -> Record | None:
    """The record in one ndjson line; None for a resource type outreach does not use."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ResourceError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    return parse_resource(data)


def parse_resource(data: Any) -> Record | None:
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise ResourceError("not a FHIR resource (no resourceType)")
    rtype = data["resourceType"]
    if rtype not in SUPPORTED:
        return None
    if not data.get("id"):
        raise ResourceError(f"{rtype} has no id")
    try:
        model = _model(rtype).model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
        raise ResourceError(f"{rtype}/{data['id']}: invalid {where or 'resource'}: "
                            f"{first.get('msg', 'invalid')}") from None
    return cast(Record, _READERS[rtype](model))


def ref_id(reference: Any, expected: str = "Patient") -> str | None:
    """`Patient/123` (or a full URL ending so) -> `123`."""
    ref = getattr(reference, "reference", None) if reference is not None else None
    if not ref:
        return None
    match = re.search(rf"(?:^|/){expected}/([^/]+?)(?:/_history/.*)?$", ref)
    return match.group(1) if match else None


def _need_patient(rtype: str, rid: str, ref: Any) -> str:
    patient = ref_id(ref)
    if patient is None:
        raise ResourceError(f"{rtype}/{rid} names no Patient")
    return patient


def to_date(value: Any) -> date | None:
    """A FHIR date/dateTime (possibly partial, e.g. `2024-05`) as a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    parts = text[:10].split("-")
    try:
        return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                    int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    day = to_date(value)
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) if day else None


def duration_days(quantity: Any) -> int | None:
    if quantity is None or quantity.value is None:
        return None
    unit = (quantity.code or quantity.unit or "d").strip().lower()
    factor = UNIT_DAYS.get(unit)
    if factor is None:
        raise ResourceError(f"duration unit {unit!r} is not one of d, wk, mo, a")
    return max(1, round(float(quantity.value) * factor))


def _concept_text(concept: Any) -> str:
    if concept is None:
        return ""
    if concept.text:
        return str(concept.text)
    for coding in concept.coding or ():
        if coding.display or coding.code:
            return str(coding.display or coding.code)
    return ""


def _patient(m: Any) -> PatientRecord:
    ref = next((i.value for i in m.identifier or () if i.value), None) or m.id
    name = next(iter(m.name or ()), None)
    given = " ".join(name.given or ()) if name is not None else ""
    phones = tuple(Phone(value=str(t.value), system=str(t.system), use=t.use, rank=t.rank)
                   for t in m.telecom or () if t.system in ("phone", "sms") and t.value)
    language = None
    comms = list(m.communication or ())
    for comm in sorted(comms, key=lambda c: not c.preferred):
        coding = next(iter(comm.language.coding or ()), None)
        language = (coding.code if coding is not None else None) or comm.language.text
        if language:
            break
    address = next(iter(m.address or ()), None)
    return PatientRecord(
        id=m.id, external_ref=str(ref)[:64], first_name=(given or "").split(" ")[0],
        last_name=(name.family or "") if name is not None else "", phones=phones,
        language=language, state=(address.state if address is not None else None),
        active=m.active is not False,
        deceased=bool(getattr(m, "deceasedBoolean", None) or getattr(m, "deceasedDateTime", None)),
    )


def _request(m: Any) -> MedicationRequestRecord:
    dr = m.dispenseRequest
    validity = dr.validityPeriod if dr is not None else None
    return MedicationRequestRecord(
        id=m.id, patient=_need_patient("MedicationRequest", m.id, m.subject), status=m.status,
        medication=_concept_text(getattr(m, "medicationCodeableConcept", None)),
        authored_on=to_date(m.authoredOn),
        repeats_allowed=dr.numberOfRepeatsAllowed if dr is not None else None,
        supply_days=duration_days(dr.expectedSupplyDuration) if dr is not None else None,
        validity_end=to_date(validity.end) if validity is not None else None,
    )


def _dispense(m: Any) -> MedicationDispenseRecord:
    prescription = next((ref_id(r, "MedicationRequest") for r in m.authorizingPrescription or ()),
                        None)
    return MedicationDispenseRecord(
        id=m.id, patient=_need_patient("MedicationDispense", m.id, m.subject), status=m.status,
        handed_over=to_date(m.whenHandedOver), days_supply=duration_days(m.daysSupply),
        prescription=prescription,
        medication=_concept_text(getattr(m, "medicationCodeableConcept", None)),
    )


def _appointment(m: Any) -> AppointmentRecord:
    patient = next((ref_id(p.actor) for p in m.participant or () if ref_id(p.actor)), None)
    if patient is None:
        raise ResourceError(f"Appointment/{m.id} has no Patient participant")
    return AppointmentRecord(id=m.id, patient=patient, status=m.status,
                             start=to_datetime(m.start), description=m.description or "")


def _episode(m: Any) -> EpisodeRecord:
    period = m.period
    return EpisodeRecord(
        id=m.id, patient=_need_patient("EpisodeOfCare", m.id, m.patient), status=m.status,
        start=to_date(period.start) if period is not None else None,
        end=to_date(period.end) if period is not None else None,
        program=_concept_text(next(iter(m.type or ()), None)),
        care_manager=(m.careManager.display or "") if m.careManager is not None else "",
    )


_READERS = {"Patient": _patient, "MedicationRequest": _request, "MedicationDispense": _dispense,
            "Appointment": _appointment, "EpisodeOfCare": _episode}
