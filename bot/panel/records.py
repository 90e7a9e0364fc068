"""The few fields of each FHIR resource that outreach needs, as small plain records.

The FHIR model library validates the resource; these records keep only what the due-fact
arithmetic and the patient registry use, so they can be stored as JSON and compared for change
(a second import of the same export must change nothing).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Phone:
    """One `Patient.telecom` entry of system phone or sms."""

    value: str
    system: str
    use: str | None = None
    rank: int | None = None


@dataclass(frozen=True)
class PatientRecord:
    id: str
    external_ref: str
    first_name: str = ""
    last_name: str = ""
    phones: tuple[Phone, ...] = ()
    language: str | None = None
    state: str | None = None
    active: bool = True
    deceased: bool = False


@dataclass(frozen=True)
class MedicationRequestRecord:
    id: str
    patient: str
    status: str
    medication: str = ""
    authored_on: date | None = None
    repeats_allowed: int | None = None
    supply_days: int | None = None
    validity_end: date | None = None


@dataclass(frozen=True)
class MedicationDispenseRecord:
    id: str
    patient: str
    status: str
    handed_over: date | None = None
    days_supply: int | None = None
    prescription: str | None = None
    medication: str = ""


@dataclass(frozen=True)
class AppointmentRecord:
    id: str
    patient: str
    status: str
    start: datetime | None = None
    description: str = ""


@dataclass(frozen=True)
class EpisodeRecord:
    id: str
    patient: str
    status: str
    start: date | None = None
    end: date | None = None
    program: str = ""
    care_manager: str = ""


Record = (PatientRecord | MedicationRequestRecord | MedicationDispenseRecord | AppointmentRecord
          | EpisodeRecord)

RECORD_TYPES: dict[str, type] = {
    "Patient": PatientRecord,
    "MedicationRequest": MedicationRequestRecord,
    "MedicationDispense": MedicationDispenseRecord,
    "Appointment": AppointmentRecord,
    "EpisodeOfCare": EpisodeRecord,
}


@dataclass
class PatientBundle:
    """Everything known about one patient, the input of the due-fact derivation."""

    patient: PatientRecord | None = None
    requests: list[MedicationRequestRecord] = field(default_factory=list)
    dispenses: list[MedicationDispenseRecord] = field(default_factory=list)
    appointments: list[AppointmentRecord] = field(default_factory=list)
    episodes: list[EpisodeRecord] = field(default_factory=list)

    def add(self, record: Any) -> None:
        if isinstance(record, PatientRecord):
            self.patient = record
        elif isinstance(record, MedicationRequestRecord):
            self.requests.append(record)
        elif isinstance(record, MedicationDispenseRecord):
            self.dispenses.append(record)
        elif isinstance(record, AppointmentRecord):
            self.appointments.append(record)
        elif isinstance(record, EpisodeRecord):
            self.episodes.append(record)


def to_json(record: Any) -> dict[str, Any]:
    """A record as JSON-safe data (dates as ISO text), for the resource table."""

    def encode(value: Any) -> Any:
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return value

    return {k: encode(v) for k, v in asdict(record).items()}


def from_json(resource_type: str, data: dict[str, Any]) -> Any:
    """The inverse of `to_json`."""
    cls = RECORD_TYPES[resource_type]
    values = dict(data)
    for name in ("authored_on", "validity_end", "handed_over", "end"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    if cls is EpisodeRecord and values.get("start"):
        values["start"] = date.fromisoformat(values["start"])
    if cls is AppointmentRecord and values.get("start"):
        values["start"] = datetime.fromisoformat(values["start"])
    if cls is PatientRecord:
        values["phones"] = tuple(Phone(**p) for p in values.get("phones") or ())
    return cls(**values)
